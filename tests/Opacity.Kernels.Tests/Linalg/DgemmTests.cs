// DGEMM and SYRK (src/Kernels/Cpu/Linalg) against the scalar GemmReference at odd sizes, every transpose
// combination, alpha/beta, sub-matrix leading dimensions, multiple K blocks (k > 256), M blocks (m > 96) and
// N blocks (n > 2048), and the threaded path.
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class DgemmTests
{
    private static readonly int[][] Shapes =
    [
        [1, 1, 1], [2, 7, 65], [7, 2, 130], [65, 130, 7], [130, 65, 2], [130, 130, 130],
        [65, 7, 1], [1, 130, 65], [17, 33, 300], [100, 45, 257], [3, 2100, 5],
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (int[] s in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(s[0], s[1], s[2], ta, tb).SetName($"Dgemm_matches_reference({s[0]},{s[1]},{s[2]},tA={ta},tB={tb})");
    }

    [TestCaseSource(nameof(Cases))]
    public void Dgemm_matches_reference(int m, int n, int k, bool transA, bool transB)
    {
        // Leading dimensions larger than the logical widths, to catch stride mistakes.
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
        double[] a = LinalgTestData.Random((transA ? k : m) * lda, 1);
        double[] b = LinalgTestData.Random((transB ? n : k) * ldb, 2);
        double[] c0 = LinalgTestData.Random(m * ldc, 3);
        foreach ((double alpha, double beta) in new[] { (1.0, 0.0), (-0.5, 1.0), (2.0, -0.25) })
        {
            var expected = (double[])c0.Clone();
            var actual = (double[])c0.Clone();
            if (beta == 0)
                Array.Fill(actual, double.NaN, 0, actual.Length);   // beta = 0 must ignore old C, even NaN
            GemmReference.Gemm(transA, transB, m, n, k, alpha, a.AsSpan(), lda, b, ldb, beta, expected.AsSpan(), ldc);
            Dgemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                    Assert.That(actual[i * ldc + j], Is.EqualTo(expected[i * ldc + j]).Within(1e-13 * k + 1e-14),
                        $"C[{i},{j}] alpha={alpha} beta={beta}");
                for (int j = n; j < ldc; j++)   // padding columns untouched
                    Assert.That(actual[i * ldc + j], beta == 0 ? Is.NaN : Is.EqualTo(c0[i * ldc + j]));
            }
        }
    }

    [Test]
    public void Dgemm_serial_and_threaded_agree_bit_for_bit()
    {
        int m = 150, n = 260, k = 300;
        double[] a = LinalgTestData.Random(m * k, 4), b = LinalgTestData.Random(k * n, 5);
        var c1 = new double[m * n];
        var c2 = new double[m * n];
        Dgemm.Multiply(false, false, m, n, k, 1, a, k, b, n, 0, c1, n, parallel: true);
        Dgemm.Multiply(false, false, m, n, k, 1, a, k, b, n, 0, c2, n, parallel: false);
        Assert.That(c1, Is.EqualTo(c2));
    }

    [TestCase(1, 1, false)]
    [TestCase(7, 130, false)]
    [TestCase(65, 7, true)]
    [TestCase(300, 33, true)]
    [TestCase(257, 2, false)]
    public void Syrk_matches_reference_and_is_symmetric(int n, int k, bool transA)
    {
        int lda = (transA ? n : k) + 2;
        double[] a = LinalgTestData.Random((transA ? k : n) * lda, 6);
        var expected = new double[n * n];
        var actual = new double[n * n];
        Array.Fill(actual, double.NaN);
        GemmReference.Gemm(transA, !transA, n, n, k, 0.5, a.AsSpan(), lda, a, lda, 0.0, expected.AsSpan(), n);
        Syrk.Multiply(transA, n, k, 0.5, a, lda, actual, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Assert.That(actual[i * n + j], Is.EqualTo(expected[i * n + j]).Within(1e-13 * k), $"C[{i},{j}]");
                Assert.That(actual[i * n + j], Is.EqualTo(actual[j * n + i]));
            }
    }

    [Test]
    public void Syrk_accumulates_with_beta()
    {
        const int n = 70, k = 40;
        double[] a = LinalgTestData.Random(k * n, 8), b = LinalgTestData.Random(k * n, 9);
        var both = new double[2 * k * n];
        a.CopyTo(both, 0);
        b.CopyTo(both, k * n);
        var expected = new double[n * n];
        var actual = new double[n * n];
        Syrk.Multiply(true, n, 2 * k, 1.0, both, n, expected, n);
        Syrk.Multiply(true, n, k, 1.0, a, n, actual, n);
        Syrk.Multiply(true, n, k, 1.0, b, n, actual, n, beta: 1.0);
        for (int i = 0; i < n * n; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-12));
    }

    [Test]
    public void Dgemm_rejects_a_too_small_buffer()
        => Assert.Throws<ArgumentException>(() => Dgemm.Multiply(false, false, 3, 3, 3, 1, new double[8], 3, new double[9], 3, 0, new double[9], 3));
}
