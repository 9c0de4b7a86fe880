// Upper-triangle symmetric matrix-vector product (SymmetricMatVec.cs): v1 and v2 against a full scalar product
// on the trailing block, at odd sizes and offsets (row groups of four with remainders, vector tails, and the
// threaded split from 384 rows on). The lower triangle is filled with garbage to prove it is never read.
using System.Runtime.Intrinsics;
using Opacity.Kernels.Cpu.Linalg;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class SymmetricMatVecTests
{
    [TestCase(1, 0)]
    [TestCase(5, 0)]
    [TestCase(13, 2)]
    [TestCase(65, 7)]
    [TestCase(130, 1)]
    [TestCase(600, 3)]
    public void Both_versions_match_a_scalar_product(int n, int s)
    {
        double[] a = LinalgTestData.Symmetric(n, 60 + n);
        double[] full = (double[])a.Clone();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                a[i * n + j] = double.NaN;   // never read
        int m = n - s;
        double[] v = LinalgTestData.Random(m, 70 + n);
        var expected = new double[m];
        for (int i = 0; i < m; i++)
        {
            double sum = 0;
            for (int j = 0; j < m; j++)
                sum += full[(s + i) * n + s + j] * v[j];
            expected[i] = sum;
        }
        foreach (int version in Vector512.IsHardwareAccelerated ? new[] { 1, 2 } : new[] { 1 })
        {
            var w = new double[m];
            SymmetricMatVec.Multiply(a, n, s, v, w, version);
            for (int i = 0; i < m; i++)
                Assert.That(w[i], Is.EqualTo(expected[i]).Within(1e-13 * m), $"v{version}, w[{i}]");
        }
    }
}
