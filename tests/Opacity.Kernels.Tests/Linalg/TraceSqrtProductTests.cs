// tr sqrt(S1 S2) on both routes (v1 eigen, v2 Cholesky; Auto picks v2 with fallbacks) on the closed forms of
// FID_KID.md 8.5, v2 against v1 at odd sizes, the fallbacks on singular inputs, and the covariance kernel.
using Opacity.Kernels.Cpu.Linalg;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class TraceSqrtProductTests
{
    [Test]
    public void Worked_2x2_example([Values(TraceSqrtRoute.Auto, TraceSqrtRoute.Eigen, TraceSqrtRoute.Cholesky)] TraceSqrtRoute route)
    {
        // S1 = [[2,1],[1,2]], S2 = [[1,0],[0,4]]: tr sqrt = sqrt(10 + 4 sqrt 3) = 4.114389776172829.
        TraceSqrtOutcome r = TraceSqrtProduct.Compute([2, 1, 1, 2], [1, 0, 0, 4], 2, route);
        Assert.That(r.Route, Is.EqualTo(route == TraceSqrtRoute.Eigen ? TraceSqrtRoute.Eigen : TraceSqrtRoute.Cholesky));
        Assert.That(r.Value, Is.EqualTo(Math.Sqrt(10 + 4 * Math.Sqrt(3))).Within(1e-15 * 5));
        Assert.That(9 - 2 * r.Value, Is.EqualTo(0.7712204476543416).Within(1e-14));
    }

    [Test]
    public void Diagonal_with_zeros_gives_sum_of_sqrt_products([Values(TraceSqrtRoute.Auto, TraceSqrtRoute.Eigen, TraceSqrtRoute.Cholesky)] TraceSqrtRoute route)
    {
        double[] a = [4, 0, 1, 9, 0.25, 0, 2];
        double[] b = [1, 5, 0, 4, 16, 0, 8];
        int d = a.Length;
        var s1 = new double[d * d];
        var s2 = new double[d * d];
        double expected = 0;
        for (int i = 0; i < d; i++)
        {
            s1[i * d + i] = a[i];
            s2[i * d + i] = b[i];
            expected += Math.Sqrt(a[i] * b[i]);
        }
        TraceSqrtOutcome r = TraceSqrtProduct.Compute(s1, s2, d, route);
        Assert.That(r.Value, Is.EqualTo(expected).Within(1e-14 * expected));
        Assert.That(r.Route, Is.EqualTo(TraceSqrtRoute.Eigen), "both singular: every route falls back to v1");
    }

    [TestCase(7)]
    [TestCase(64)]
    [TestCase(130)]
    public void Commuting_dense_pair_rotated_by_dct(int d)
    {
        foreach (TraceSqrtRoute route in new[] { TraceSqrtRoute.Auto, TraceSqrtRoute.Eigen, TraceSqrtRoute.Cholesky })
            CommutingDensePair(d, route);
    }

    private static void CommutingDensePair(int d, TraceSqrtRoute route)
    {
        double[] q = LinalgTestData.Dct(d);
        var a = new double[d];
        var b = new double[d];
        double expected = 0;
        for (int i = 0; i < d; i++)
        {
            a[i] = i % 5 == 0 ? 0 : 1.0 + Math.Sin(i);     // singular S1
            b[i] = 0.5 + (i * 37 % 11) / 3.0;
            expected += Math.Sqrt(a[i] * b[i]);
        }
        TraceSqrtOutcome r = TraceSqrtProduct.Compute(LinalgTestData.Rotated(q, a, d), LinalgTestData.Rotated(q, b, d), d, route);
        Assert.That(r.Value, Is.EqualTo(expected).Within(1e-7 * expected), $"{route}");   // zero eigenvalues: sqrt of rounding noise
        // S1 is singular and S2 positive definite: the Cholesky routes factor S2 instead.
        Assert.That(r.Route, Is.EqualTo(route == TraceSqrtRoute.Eigen ? TraceSqrtRoute.Eigen : TraceSqrtRoute.Cholesky));
    }

    [Test]
    public void Non_commuting_blocks_rotated_by_dct([Values(TraceSqrtRoute.Auto, TraceSqrtRoute.Eigen, TraceSqrtRoute.Cholesky)] TraceSqrtRoute route)
    {
        // Block-diagonal 2 x 2 pairs with index-dependent entries, then both rotated: closed form per block.
        const int d = 64;
        var s1 = new double[d * d];
        var s2 = new double[d * d];
        double expected = 0;
        for (int blk = 0; blk < d / 2; blk++)
        {
            int i = 2 * blk;
            double p = 2 + blk * 0.1, o = 1 - blk * 0.01, u = 1 + blk * 0.05, v = 4 - blk * 0.03;
            s1[i * d + i] = p; s1[i * d + i + 1] = o; s1[(i + 1) * d + i] = o; s1[(i + 1) * d + i + 1] = p;
            s2[i * d + i] = u; s2[(i + 1) * d + i + 1] = v;
            double trAb = p * u + p * v, det = (p * p - o * o) * u * v;
            expected += Math.Sqrt(trAb + 2 * Math.Sqrt(det));
        }
        double[] q = LinalgTestData.Dct(d);
        double[] r1 = Conjugate(q, s1, d), r2 = Conjugate(q, s2, d);
        Assert.That(TraceSqrtProduct.Compute(r1, r2, d, route).Value, Is.EqualTo(expected).Within(1e-12 * expected));
    }

    [Test]
    public void Scaled_and_identical_covariances([Values(TraceSqrtRoute.Auto, TraceSqrtRoute.Eigen, TraceSqrtRoute.Cholesky)] TraceSqrtRoute route)
    {
        const int d = 40;
        double[] s = LinalgTestData.Psd(d, 60, 9);
        double trace = 0;
        for (int i = 0; i < d; i++)
            trace += s[i * d + i];
        double[] s4 = s.Select(x => 4 * x).ToArray();
        Assert.That(TraceSqrtProduct.Compute(s, s4, d, route).Value, Is.EqualTo(2 * trace).Within(1e-12 * trace));
        Assert.That(TraceSqrtProduct.Compute(s, s, d, route).Value, Is.EqualTo(trace).Within(1e-12 * trace));
    }

    [Test]
    public void Cholesky_route_matches_eigen_route([Values(1, 2, 7, 65, 130, 300)] int d)
    {
        // Full-rank pairs (k > d samples) with different spectra; 300 > the 256-row product blocks and 2 panels.
        double[] s1 = LinalgTestData.Psd(d, d + 17, 80 + d);
        double[] s2 = LinalgTestData.Psd(d, 2 * d + 5, 90 + d);
        TraceSqrtOutcome v1 = TraceSqrtProduct.Compute(s1, s2, d, TraceSqrtRoute.Eigen);
        TraceSqrtOutcome v2 = TraceSqrtProduct.Compute(s1, s2, d, TraceSqrtRoute.Cholesky);
        TraceSqrtOutcome auto = TraceSqrtProduct.Compute(s1, s2, d);
        Assert.That(v1.Route, Is.EqualTo(TraceSqrtRoute.Eigen));
        Assert.That(v2.Route, Is.EqualTo(TraceSqrtRoute.Cholesky));
        Assert.That(auto, Is.EqualTo(v2), "Auto is v2 when S1 is positive definite");
        Assert.That(v2.Value, Is.EqualTo(v1.Value).Within(1e-12 * v1.Value));
        Assert.That(v2.MinEigenvalueProduct, Is.EqualTo(v1.MinEigenvalueProduct).Within(1e-10 * v1.MaxEigenvalueProduct));
        Assert.That(v2.MaxEigenvalueProduct, Is.EqualTo(v1.MaxEigenvalueProduct).Within(1e-12 * v1.MaxEigenvalueProduct));
        Assert.That(v2.ClampedSigma1, Is.Zero);
        Assert.That(v2.MinEigenvalueSigma1, Is.NaN, "not computed on the Cholesky route");
    }

    [TestCase(70)]
    [TestCase(300)]
    public void Singular_covariances_take_the_fallbacks(int d)
    {
        // Covariances of N < d samples, as FID meets them with small sets: rank N - 1.
        double[] singular = Cov(d, d / 2, 7);
        double[] singular2 = Cov(d, d / 3, 8);
        double[] full = Cov(d, 3 * d, 9);
        // S1 singular, S2 positive definite: v2 factors S2 instead (tr sqrt(S1 S2) = tr sqrt(S2 S1)).
        TraceSqrtOutcome swapped = TraceSqrtProduct.Compute(singular, full, d);
        TraceSqrtOutcome reference = TraceSqrtProduct.Compute(singular, full, d, TraceSqrtRoute.Eigen);
        Assert.That(swapped.Route, Is.EqualTo(TraceSqrtRoute.Cholesky));
        // The null space of S1 leaves eigenvalues of rounding size in M whose square roots (~1e-8 relative) each
        // route keeps or clamps differently; the same bar as the FID test against numpy's eigh on N < d.
        Assert.That(swapped.Value, Is.EqualTo(reference.Value).Within(1e-7 * reference.Value));
        // Both singular: the eigen route, bit for bit.
        TraceSqrtOutcome both = TraceSqrtProduct.Compute(singular, singular2, d);
        Assert.That(both.Route, Is.EqualTo(TraceSqrtRoute.Eigen));
        Assert.That(both, Is.EqualTo(TraceSqrtProduct.Compute(singular, singular2, d, TraceSqrtRoute.Eigen)));
        Assert.That(Math.Abs(both.MinEigenvalueSigma1), Is.LessThan(1e-12 * both.MaxEigenvalueSigma1), "S1's null space is seen");
        // Identical rank-deficient sets: tr sqrt(S S) = tr S.
        double trace = 0;
        for (int i = 0; i < d; i++)
            trace += singular[i * d + i];
        Assert.That(TraceSqrtProduct.Compute(singular, singular, d).Value, Is.EqualTo(trace).Within(1e-7 * trace));
    }

    [TestCase(1, 5)]
    [TestCase(7, 20)]
    [TestCase(50, 130)]
    [TestCase(130, 300)]
    [TestCase(40, 30)]
    public void Thin_factor_route_matches_the_covariance_routes(int r, int d)
    {
        // S1 = A^T A of rank min(r, d); S2 full rank.
        double[] a = LinalgTestData.Random(r * d, 100 + r, 0, 1);
        var s1 = new double[d * d];
        Dgemm.Multiply(true, false, d, d, r, 1.0, a, d, a, d, 0.0, s1, d);
        double[] s2 = LinalgTestData.Psd(d, 2 * d + 3, 110 + d);
        TraceSqrtOutcome thin = TraceSqrtProduct.ComputeThin(a, r, s2, d);
        Assert.That(thin.Route, Is.EqualTo(TraceSqrtRoute.Thin));
        TraceSqrtOutcome v1 = TraceSqrtProduct.Compute(s1, s2, d, TraceSqrtRoute.Eigen);
        TraceSqrtOutcome auto = TraceSqrtProduct.Compute(s1, s2, d);
        // Whichever of M (r x r) and S1 (d x d) is the larger has a null space of dimension |r - d| whose
        // rounding-size eigenvalues leave sqrt terms of ~1e-8 relative, so the routes agree to ~1e-8 only.
        const double tol = 1e-7;
        Assert.That(thin.Value, Is.EqualTo(v1.Value).Within(tol * v1.Value));
        Assert.That(thin.Value, Is.EqualTo(auto.Value).Within(tol * v1.Value));
        Assert.Throws<ArgumentException>(() => TraceSqrtProduct.Compute(s1, s2, d, TraceSqrtRoute.Thin));
    }

    /// <summary>Unbiased covariance of n random rows (d wide), through the production covariance kernel.</summary>
    private static double[] Cov(int d, int n, int seed)
    {
        double[] x = LinalgTestData.Random(n * d, seed, 0, 2);
        var mean = new double[d];
        var cov = new double[d * d];
        Covariance.MeanAndCovariance(x, n, d, mean, cov);
        return cov;
    }

    [Test]
    public void Covariance_matches_pytorch_fid_three_sample_test_and_a_scalar_loop()
    {
        // Three samples with all features 0, 0.5 and 1: mean 0.5, covariance 0.25 everywhere (ddof 1).
        const int d = 5;
        var x = new double[3 * d];
        for (int j = 0; j < d; j++)
        {
            x[d + j] = 0.5;
            x[2 * d + j] = 1;
        }
        var mean = new double[d];
        var cov = new double[d * d];
        Covariance.MeanAndCovariance(x, 3, d, mean, cov);
        Assert.That(mean, Is.All.EqualTo(0.5).Within(1e-15));
        Assert.That(cov, Is.All.EqualTo(0.25).Within(1e-15));

        const int n = 2500, k = 30;   // 2500 rows: three centring blocks of 1024
        double[] y = LinalgTestData.Random(n * k, 12, 3, 5);   // offset data: cancellation would show
        var mu = new double[k];
        var c = new double[k * k];
        Covariance.MeanAndCovariance(y, n, k, mu, c);
        for (int a = 0; a < k; a += 3)
        {
            double ma = 0;
            for (int i = 0; i < n; i++)
                ma += y[i * k + a];
            ma /= n;
            Assert.That(mu[a], Is.EqualTo(ma).Within(1e-14));
            for (int b = 0; b < k; b += 5)
            {
                double mb = 0, s = 0;
                for (int i = 0; i < n; i++)
                    mb += y[i * k + b];
                mb /= n;
                for (int i = 0; i < n; i++)
                    s += (y[i * k + a] - ma) * (y[i * k + b] - mb);
                Assert.That(c[a * k + b], Is.EqualTo(s / (n - 1)).Within(1e-14));
            }
        }
        Assert.Throws<ArgumentException>(() => Covariance.MeanAndCovariance(y, 1, k, mu, c));
    }

    private static double[] Conjugate(double[] q, double[] s, int d)
    {
        // Q^T S Q with q rows as basis vectors: (r, c) = sum_ij q[i, r] s[i, j] q[j, c].
        var t = new double[d * d];
        var o = new double[d * d];
        Dgemm.Multiply(true, false, d, d, d, 1, q, d, s, d, 0, t, d);
        Dgemm.Multiply(false, false, d, d, d, 1, t, d, q, d, 0, o, d);
        return o;
    }
}
