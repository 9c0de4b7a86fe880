// Frechet Inception Distance from two feature statistics (FID_KID.md 0 and 8.2):
//   FID = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2),
// with tr sqrt(S1 S2) through the Tensor-level Linalg.TraceSqrtProduct (float64, negative eigenvalues of the
// symmetric product clamped to 0). Route: Auto by default, i.e. the Cholesky route (no eigenvectors) when either
// covariance is positive definite, else the symmetric eigen route (the reference); when both sets have
// N - 1 < d samples the covariances are singular by construction, so the eigen route is taken directly.
// From features (the second overload), a set with N - 1 < d goes through its thin factor instead: the N x N route
// (exact, and much cheaper than a d x d eigendecomposition). No eps fallback is needed on this route; the optional eps adds eps * I to
// both covariances, emulating pytorch-fid's retry, and is 0 by default. Instead of throwing like pytorch-fid's
// "Imaginary component" check, the result carries a warning flag when the clamped negative mass of the product
// exceeds 1e-3 (where pytorch-fid's sqrtm route may raise). Tested in FidTests: closed forms, and the fixtures
// made by tests/fixtures/fidkid/make_vectors.py with scipy.linalg.sqrtm (pytorch-fid's route) and eigvals.
// Square-root step on a device (the third overload, FID_KID.md 8.3): the statistics stay float64 on the CPU, the
// symmetric M is formed there, and tr sqrt(M) runs as FP64 Newton-Schulz on Device.Cuda (or Device.Cpu); when its
// residual exceeds 1e-10 or its guard trips, the exact CPU route replaces it unless fallbackToExact is false.
// Tested in FidNewtonSchulzTests (emulated-cuda and cuda fixtures, the scipy fixtures, 8.3 FP64 target).
using Opacity.Tensors;

namespace Opacity.Gan.Metrics;

/// <summary>FID and its parts: <c>Fid = MeanTerm + TraceTerm - 2 * TraceSqrt</c>.</summary>
public sealed record FidResult(double Fid, double MeanTerm, double TraceTerm, double TraceSqrt, TraceSqrtResult Detail)
{
    /// <summary>The Newton-Schulz step's report when the square root ran as Newton-Schulz (null otherwise).</summary>
    public NewtonSchulzReport? NewtonSchulz { get; init; }

    /// <summary>True when Newton-Schulz advised the exact route and <see cref="Detail"/> comes from it.</summary>
    public bool FellBackToExact { get; init; }

    /// <summary>Sum of sqrt|mu| over negative eigenvalues of the symmetric product above 1e-3: the statistics are
    /// so rank-deficient or noisy that pytorch-fid's sqrtm route might have raised "Imaginary component".</summary>
    public bool PytorchFidMightRaise => Detail.ClampedSqrtMassProduct > 1e-3;
}

public static class Fid
{
    /// <summary>FID between two statistics of the same dimension; <paramref name="method"/> picks the tr sqrt route
    /// (Auto: Cholesky when it applies, else the eigen reference).</summary>
    public static FidResult Compute(FeatureStatistics real, FeatureStatistics fake, double eps = 0,
        TraceSqrtMethod method = TraceSqrtMethod.Auto)
    {
        (double meanTerm, double traceTerm, double[] s1, double[] s2) = Terms(real, fake, eps);
        int d = real.Dimension;
        if (method == TraceSqrtMethod.Auto) method = ExactRoute(real, fake, eps);
        TraceSqrtResult ts = Linalg.TraceSqrtProduct(s1, s2, d, method);
        return new FidResult(meanTerm + traceTerm - 2 * ts.Value, meanTerm, traceTerm, ts.Value, ts);
    }

    /// <summary>FID with the square-root step as FP64 Newton-Schulz on <paramref name="sqrtDevice"/> (statistics and
    /// M in float64 on the CPU). If the step advises the exact route (residual above 1e-10, or the divergence guard)
    /// and <paramref name="fallbackToExact"/> is set, the CPU Auto route gives the value; the report is kept either way.</summary>
    public static FidResult Compute(FeatureStatistics real, FeatureStatistics fake, Device sqrtDevice,
        bool fallbackToExact = true, double eps = 0)
    {
        (double meanTerm, double traceTerm, double[] s1, double[] s2) = Terms(real, fake, eps);
        int d = real.Dimension;
        (TraceSqrtResult ts, NewtonSchulzReport report) = Linalg.TraceSqrtProductNewtonSchulz(s1, s2, d, sqrtDevice);
        bool fellBack = false;
        if (report.FallbackAdvised && fallbackToExact)
        {
            ts = Linalg.TraceSqrtProduct(s1, s2, d, ExactRoute(real, fake, eps));
            fellBack = true;
        }
        return new FidResult(meanTerm + traceTerm - 2 * ts.Value, meanTerm, traceTerm, ts.Value, ts)
        {
            NewtonSchulz = report,
            FellBackToExact = fellBack,
        };
    }

    /// <summary>FID between two feature matrices (n1 x d and n2 x d, row-major). When the smaller set has
    /// N - 1 &lt; d samples, tr sqrt goes through its thin factor (the r x r route, r = N); otherwise as
    /// <see cref="Compute(FeatureStatistics, FeatureStatistics, double, TraceSqrtMethod)"/> with Auto.</summary>
    public static FidResult Compute(ReadOnlySpan<double> real, int n1, ReadOnlySpan<double> fake, int n2, int d)
    {
        var s1 = FeatureStatistics.FromFeatures(real, n1, d, "real");
        var s2 = FeatureStatistics.FromFeatures(fake, n2, d, "fake");
        bool realThin = n1 <= n2;
        FeatureStatistics thin = realThin ? s1 : s2;
        if (!thin.RankDeficient)
            return Compute(s1, s2);
        (double meanTerm, double traceTerm, _, _) = Terms(s1, s2, 0);
        TraceSqrtResult ts = Linalg.TraceSqrtProductThin(ThinFactor(realThin ? real : fake, thin), thin.Count,
            (realThin ? s2 : s1).Covariance, d);
        return new FidResult(meanTerm + traceTerm - 2 * ts.Value, meanTerm, traceTerm, ts.Value, ts);
    }

    /// <summary>The exact CPU route for Auto: when both covariances are singular by construction (N - 1 &lt; d) and no
    /// eps * I makes them definite, the eigen route directly (the Cholesky route would only fail and fall back to it).</summary>
    private static TraceSqrtMethod ExactRoute(FeatureStatistics real, FeatureStatistics fake, double eps)
        => eps == 0 && real.RankDeficient && fake.RankDeficient ? TraceSqrtMethod.Eigen : TraceSqrtMethod.Auto;

    /// <summary>||mu1 - mu2||^2, tr S1 + tr S2 and the covariances (with eps * I added to both when eps != 0).</summary>
    private static (double MeanTerm, double TraceTerm, double[] S1, double[] S2) Terms(FeatureStatistics real,
        FeatureStatistics fake, double eps)
    {
        int d = real.Dimension;
        if (fake.Dimension != d)
            throw new MetricInputException($"The feature dimensions differ: the real set has d = {d}, the fake set d = {fake.Dimension}.");
        double meanTerm = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = real.Mean[i] - fake.Mean[i];
            meanTerm += diff * diff;
        }
        double[] s1 = real.Covariance, s2 = fake.Covariance;
        if (eps != 0)
        {
            s1 = (double[])s1.Clone();
            s2 = (double[])s2.Clone();
            for (int i = 0; i < d; i++)
            {
                s1[i * d + i] += eps;
                s2[i * d + i] += eps;
            }
        }
        double traceTerm = 0;
        for (int i = 0; i < d; i++)
            traceTerm += s1[i * d + i] + s2[i * d + i];
        return (meanTerm, traceTerm, s1, s2);
    }

    /// <summary>A = (X - mean) / sqrt(N - 1), so A^T A is the covariance.</summary>
    private static double[] ThinFactor(ReadOnlySpan<double> x, FeatureStatistics s)
    {
        int n = s.Count, d = s.Dimension;
        double scale = 1 / Math.Sqrt(n - 1);
        var a = new double[(long)n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                a[i * d + j] = (x[i * d + j] - s.Mean[j]) * scale;
        return a;
    }
}
