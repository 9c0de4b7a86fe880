// Feature statistics for FID: mean and unbiased covariance (ddof 1) of an N x d feature matrix, in float64,
// two-pass (FID_KID.md 8.1; the same estimator as pytorch-fid's np.mean/np.cov on float64 activations).
// Float32 features are widened to float64 exactly before anything is summed. Validates the input (N >= 2,
// every value finite) with one-sentence errors. Tested in FidTests against numpy through the fixtures.
using Opacity.Tensors;

namespace Opacity.Gan.Metrics;

/// <summary>Mean (d) and covariance (d x d, row-major, exactly symmetric) of <see cref="Count"/> samples.</summary>
public sealed class FeatureStatistics
{
    public required double[] Mean { get; init; }
    public required double[] Covariance { get; init; }
    public required int Count { get; init; }
    public required int Dimension { get; init; }

    /// <summary>True when N - 1 &lt; d: the covariance has rank at most N - 1 and is singular.</summary>
    public bool RankDeficient => Count - 1 < Dimension;

    /// <summary>Statistics of <paramref name="features"/> (n x d, row-major); <paramref name="name"/> names the
    /// set in error messages (e.g. the file).</summary>
    public static FeatureStatistics FromFeatures(ReadOnlySpan<double> features, int n, int d, string name)
    {
        CheckFeatures(features, n, d, name);
        var mean = new double[d];
        var cov = new double[(long)d * d];
        Linalg.MeanAndCovariance(features, n, d, mean, cov);
        return new FeatureStatistics { Mean = mean, Covariance = cov, Count = n, Dimension = d };
    }

    /// <summary>Throws <see cref="MetricInputException"/> unless X has at least 2 rows, at least 1 column and
    /// only finite values.</summary>
    public static void CheckFeatures(ReadOnlySpan<double> features, int n, int d, string name)
    {
        if (n < 2)
            throw new MetricInputException($"The feature set '{name}' has {n} sample{(n == 1 ? "" : "s")}; FID and KID need at least 2.");
        if (d < 1)
            throw new MetricInputException($"The feature set '{name}' has feature dimension {d}; at least 1 is needed.");
        if (features.Length != (long)n * d)
            throw new ArgumentException($"Feature set '{name}': {features.Length} values for {n} x {d}.");
        for (int i = 0; i < features.Length; i++)
            if (!double.IsFinite(features[i]))
                throw new MetricInputException($"The feature set '{name}' has a non-finite value ({features[i]}) at row {i / d}, column {i % d}.");
    }
}
