// Mean and unbiased covariance of the rows of X (n x d, row-major) in float64, the two-pass way np.cov uses:
// mu = column means, Sigma = Xc^T Xc / (n - 1) with Xc = X - mu. The column sums are accumulated in blocks of
// 64 rows (a two-level sum, error O(sqrt(n/64) + 64) ulps instead of O(n)); Xc^T Xc runs through Syrk, so
// Sigma is exactly symmetric. One version. Tested in CovarianceTests against a scalar double loop and, via the
// FID fixtures, against numpy.cov.
using System.Numerics.Tensors;

namespace Opacity.Kernels.Cpu.Linalg;

public static class Covariance
{
    private const int SumBlock = 64;

    /// <summary><c>mean = (1/n) sum_i x_i</c>, <c>cov = (X - mean)^T (X - mean) / (n - 1)</c>; n must be at least 2.</summary>
    public static void MeanAndCovariance(ReadOnlySpan<double> x, int n, int d, Span<double> mean, Span<double> cov)
    {
        if (n < 2)
            throw new ArgumentException($"Covariance needs at least 2 samples, got {n}.");
        if (x.Length < (long)n * d || mean.Length < d || cov.Length < (long)d * d)
            throw new ArgumentException("Covariance: buffers are smaller than n x d.");
        Mean(x, n, d, mean);
        var xc = new double[(long)n * d];
        for (int i = 0; i < n; i++)
            TensorPrimitives.Subtract(x.Slice(i * d, d), mean[..d], xc.AsSpan(i * d, d));
        Syrk.Multiply(true, d, n, 1.0 / (n - 1), xc, d, cov, d);
    }

    /// <summary>Column means of X with a two-level (blocked) float64 sum.</summary>
    public static void Mean(ReadOnlySpan<double> x, int n, int d, Span<double> mean)
    {
        var total = new double[d];
        var block = new double[d];
        for (int i0 = 0; i0 < n; i0 += SumBlock)
        {
            Array.Clear(block);
            int i1 = Math.Min(n, i0 + SumBlock);
            for (int i = i0; i < i1; i++)
                TensorPrimitives.Add(block, x.Slice(i * d, d), block);
            TensorPrimitives.Add(total, block, total);
        }
        TensorPrimitives.Multiply(total, 1.0 / n, mean[..d]);
    }
}
