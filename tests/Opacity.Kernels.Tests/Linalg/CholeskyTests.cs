// Blocked Cholesky (Cholesky.cs) against the scalar reference at odd sizes (one partial panel, several panels
// with the Syrk trailing update), the reconstruction L L^T = S, and the reported failing pivot on singular and
// indefinite matrices.
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class CholeskyTests
{
    /// <summary>Positive definite: X X^T / k with k > n, plus a small ridge.</summary>
    private static double[] Spd(int n, int seed)
    {
        double[] a = LinalgTestData.Psd(n, n + 20, seed);
        for (int i = 0; i < n; i++)
            a[i * n + i] += 0.01;
        return a;
    }

    [Test]
    public void Factor_matches_reference_and_reconstructs([Values(1, 2, 7, 65, 130, 300)] int n)
    {
        double[] s = Spd(n, 40 + n);
        double[] l = (double[])s.Clone();
        Assert.That(Cholesky.Factor(l, n, 0), Is.EqualTo(-1));
        var lr = new double[n * n];
        Assert.That(CholeskyReference.Factor<double>(s, n, lr, 0), Is.EqualTo(-1));
        double scale = LinalgTestData.MaxAbs(lr);
        for (int i = 0; i < n * n; i++)
            Assert.That(l[i], Is.EqualTo(lr[i]).Within(1e-11 * scale), $"L[{i / n}, {i % n}]");
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                Assert.That(l[i * n + j], Is.Zero, "strict upper triangle is cleared");
        var back = new double[n * n];
        Dgemm.Multiply(false, true, n, n, n, 1.0, l, n, l, n, 0.0, back, n);
        double sScale = LinalgTestData.MaxAbs(s);
        for (int i = 0; i < n * n; i++)
            Assert.That(back[i], Is.EqualTo(s[i]).Within(1e-13 * n * sScale));
    }

    [TestCase(7, 3)]
    [TestCase(130, 40)]
    [TestCase(300, 200)]
    public void Rank_deficient_matrix_stops_at_a_pivot_within_the_rank_tolerance(int n, int rank)
    {
        // X X^T with X n x rank: pivots after the first `rank` are rounding noise (or negative). Which noise pivot
        // is the first to fall below the tolerance depends on the summation order, so both factorisations are
        // only required to stop inside the null space, never before it.
        double[] s = LinalgTestData.Psd(n, rank, 50 + n);
        double maxDiag = Enumerable.Range(0, n).Max(i => s[i * n + i]);
        double tol = n * Math.Pow(2, -52) * maxDiag;
        int failed = Cholesky.Factor((double[])s.Clone(), n, tol);
        Assert.That(failed, Is.InRange(rank, n - 1));
        Assert.That(CholeskyReference.Factor<double>(s, n, new double[n * n], tol), Is.InRange(rank, n - 1));
    }

    [Test]
    public void Indefinite_matrix_and_nan_report_the_failing_pivot()
    {
        double[] s = Spd(150, 3);
        s[140 * 150 + 140] = -5;   // the Schur complement's diagonal goes negative at 140 (second panel)
        Assert.That(Cholesky.Factor((double[])s.Clone(), 150, 0), Is.EqualTo(140));
        double[] t = Spd(5, 4);
        t[0] = double.NaN;
        Assert.That(Cholesky.Factor(t, 5, 0), Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => Cholesky.Factor(new double[3], 2, 0));
    }
}
