// Mean and unbiased covariance of the rows of X (n x d, row-major) in float64, the two-pass way np.cov uses:
// mu = column means, Sigma = Xc^T Xc / (n - 1) with Xc = X - mu. The column sums are accumulated in blocks of
// 64 rows (a two-level sum, error O(sqrt(n/64) + 64) ulps instead of O(n)); Xc^T Xc runs through Syrk in
// blocks of 1024 centred rows (accumulated with beta = 1), so Sigma is exactly symmetric. One version.
// Tested in TraceSqrtProductTests (covariance test, n up to 2500 so several blocks) against a scalar loop and, via the
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
        // Centre a block of rows at a time into one reused buffer and accumulate Xc_b^T Xc_b: no N x d copy
        // (first-touching a fresh 80 MB buffer cost as much as a third of the SYRK itself).
        const int rowsPerBlock = CentreBlockRows;
        var xc = new double[(long)Math.Min(n, rowsPerBlock) * d];
        for (int i0 = 0; i0 < n; i0 += rowsPerBlock)
        {
            int rows = Math.Min(rowsPerBlock, n - i0);
            for (int i = 0; i < rows; i++)
                TensorPrimitives.Subtract(x.Slice((i0 + i) * d, d), mean[..d], xc.AsSpan(i * d, d));
            Syrk.Multiply(true, d, rows, 1.0 / (n - 1), xc, d, cov, d, beta: i0 == 0 ? 0.0 : 1.0);
        }
    }

    /// <summary>Rows centred per SYRK call (a multiple of the DGEMM K block).</summary>
    private const int CentreBlockRows = 1024;

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
