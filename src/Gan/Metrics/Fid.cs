// Frechet Inception Distance from two feature statistics (FID_KID.md 0 and 8.2):
//   FID = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2),
// with tr sqrt(S1 S2) through the Tensor-level Linalg.TraceSqrtProduct (float64, negative eigenvalues of the
// symmetric product clamped to 0). Route: Auto by default, i.e. the Cholesky route (no eigenvectors) when either
// covariance is positive definite, else the symmetric eigen route (the reference); when both sets have
// N - 1 < d samples the covariances are singular by construction, so the eigen route is taken directly. No eps fallback is needed on this route; the optional eps adds eps * I to
// both covariances, emulating pytorch-fid's retry, and is 0 by default. Instead of throwing like pytorch-fid's
// "Imaginary component" check, the result carries a warning flag when the clamped negative mass of the product
// exceeds 1e-3 (where pytorch-fid's sqrtm route may raise). Tested in FidTests: closed forms, and the fixtures
// made by tests/fixtures/fidkid/make_vectors.py with scipy.linalg.sqrtm (pytorch-fid's route) and eigvals.
using Opacity.Tensors;

namespace Opacity.Gan.Metrics;

/// <summary>FID and its parts: <c>Fid = MeanTerm + TraceTerm - 2 * TraceSqrt</c>.</summary>
public sealed record FidResult(double Fid, double MeanTerm, double TraceTerm, double TraceSqrt, TraceSqrtResult Detail)
{
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
        if (method == TraceSqrtMethod.Auto && eps == 0 && real.RankDeficient && fake.RankDeficient)
            method = TraceSqrtMethod.Eigen;
        TraceSqrtResult ts = Linalg.TraceSqrtProduct(s1, s2, d, method);
        return new FidResult(meanTerm + traceTerm - 2 * ts.Value, meanTerm, traceTerm, ts.Value, ts);
    }

    /// <summary>FID between two feature matrices (n1 x d and n2 x d, row-major).</summary>
    public static FidResult Compute(ReadOnlySpan<double> real, int n1, ReadOnlySpan<double> fake, int n2, int d)
        => Compute(FeatureStatistics.FromFeatures(real, n1, d, "real"), FeatureStatistics.FromFeatures(fake, n2, d, "fake"));
}
