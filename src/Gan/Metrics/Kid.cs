// Kernel Inception Distance (FID_KID.md 0 and 8.4): the unbiased MMD^2 with the cubic polynomial kernel
// k(x, y) = (<x, y> / d + 1)^3, averaged over seeded random subsets of m samples from each set:
//   MMD2_u = [sum_{i!=j} k(x_i, x_j) + sum_{i!=j} k(y_i, y_j)] / (m (m - 1)) - 2 sum_{i,j} k(x_i, y_j) / m^2
// KID = mean over subsets, std = population std (ddof 0) over subsets. Float64 throughout (the reference
// libraries work in float32; this is the CPU float64 reference). Gram matrices go through Linalg (SYRK for
// X X^T and Y Y^T, GEMM for X Y^T). Subsets come from KidSampler (seeded; same seed, same result) or from
// explicit index lists. A subset larger than a set is an error (torchmetrics/torch-fidelity policy).
// Tested in KidTests: closed forms of FID_KID.md 8.5, the full-permutation invariance, and the fixtures.
using Opacity.Tensors;

namespace Opacity.Gan.Metrics;

/// <summary>KID mean and population std over the subsets, and the per-subset MMD^2 values.</summary>
public sealed record KidResult(double Mean, double Std, double[] Values, int SubsetSize);

public static class Kid
{
    public const int DefaultSubsets = 100;
    public const int DefaultSubsetSize = 1000;
    public const ulong DefaultSeed = 2020;

    /// <summary>KID over <paramref name="subsets"/> seeded subsets of <paramref name="subsetSize"/> rows each.</summary>
    public static KidResult Compute(ReadOnlySpan<double> real, int n1, ReadOnlySpan<double> fake, int n2, int d,
        int subsets = DefaultSubsets, int subsetSize = DefaultSubsetSize, ulong seed = DefaultSeed,
        string realName = "real", string fakeName = "fake")
    {
        FeatureStatistics.CheckFeatures(real, n1, d, realName);
        FeatureStatistics.CheckFeatures(fake, n2, d, fakeName);
        if (subsets < 1)
            throw new MetricInputException($"The KID subset count must be at least 1, got {subsets}.");
        if (subsetSize < 2)
            throw new MetricInputException($"The KID subset size must be at least 2, got {subsetSize}.");
        if (subsetSize > n1)
            throw new MetricInputException($"The KID subset size {subsetSize} is larger than the set '{realName}' ({n1} samples); use a subset size of at most {Math.Min(n1, n2)}.");
        if (subsetSize > n2)
            throw new MetricInputException($"The KID subset size {subsetSize} is larger than the set '{fakeName}' ({n2} samples); use a subset size of at most {Math.Min(n1, n2)}.");
        var sampler = new KidSampler(seed);
        var idx1 = new int[subsets][];
        var idx2 = new int[subsets][];
        for (int s = 0; s < subsets; s++)
        {
            idx1[s] = sampler.Subset(n1, subsetSize);
            idx2[s] = sampler.Subset(n2, subsetSize);
        }
        return ComputeWithSubsets(real, n1, fake, n2, d, idx1, idx2);
    }

    /// <summary>KID over explicit subsets: subset s takes rows <c>realIndices[s]</c> and <c>fakeIndices[s]</c>
    /// (equal lengths m, at least 2).</summary>
    public static KidResult ComputeWithSubsets(ReadOnlySpan<double> real, int n1, ReadOnlySpan<double> fake, int n2, int d,
        int[][] realIndices, int[][] fakeIndices)
    {
        if (realIndices.Length != fakeIndices.Length || realIndices.Length == 0)
            throw new MetricInputException("KID needs the same non-zero number of real and fake subsets.");
        int m = realIndices[0].Length;
        var values = new double[realIndices.Length];
        var x = new double[(long)m * d];
        var y = new double[(long)m * d];
        var g = new double[(long)m * m];
        for (int s = 0; s < values.Length; s++)
        {
            if (realIndices[s].Length != m || fakeIndices[s].Length != m || m < 2)
                throw new MetricInputException("Every KID subset must have the same size m >= 2 on both sides.");
            Gather(real, n1, d, realIndices[s], x);
            Gather(fake, n2, d, fakeIndices[s], y);
            values[s] = Mmd2Unbiased(x, y, m, d, g);
        }
        double mean = 0;
        foreach (double v in values)
            mean += v;
        mean /= values.Length;
        double var = 0;
        foreach (double v in values)
            var += (v - mean) * (v - mean);
        return new KidResult(mean, Math.Sqrt(var / values.Length), values, m);
    }

    private static void Gather(ReadOnlySpan<double> src, int n, int d, int[] rows, double[] dst)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)n)
                throw new MetricInputException($"KID subset index {r} is outside 0..{n - 1}.");
            src.Slice(r * d, d).CopyTo(dst.AsSpan(i * d, d));
        }
    }

    /// <summary>Unbiased MMD^2 of one pair of subsets (m x d each); <paramref name="g"/> is m x m scratch.</summary>
    internal static double Mmd2Unbiased(double[] x, double[] y, int m, int d, double[] g)
    {
        double gamma = 1.0 / d;
        Linalg.Gram(x, m, d, g);
        double kxx = OffDiagonalKernelSum(g, m, gamma);
        Linalg.Gram(y, m, d, g);
        double kyy = OffDiagonalKernelSum(g, m, gamma);
        Linalg.Gemm(false, true, m, m, d, 1.0, x, d, y, d, 0.0, g, m);
        double kxy = 0;
        for (int i = 0; i < m; i++)
        {
            double row = 0;
            for (int j = 0; j < m; j++)
                row += Kernel(g[i * m + j], gamma);
            kxy += row;
        }
        return (kxx + kyy) / ((double)m * (m - 1)) - 2.0 * kxy / ((double)m * m);
    }

    /// <summary>sum_{i != j} k_ij from a symmetric Gram matrix: twice the strict upper triangle.</summary>
    private static double OffDiagonalKernelSum(double[] g, int m, double gamma)
    {
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double row = 0;
            for (int j = i + 1; j < m; j++)
                row += Kernel(g[i * m + j], gamma);
            sum += row;
        }
        return 2 * sum;
    }

    private static double Kernel(double dot, double gamma)
    {
        double t = dot * gamma + 1.0;
        return t * t * t;
    }
}
