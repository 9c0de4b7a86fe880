// SGEMM v1: cache-blocked loops without packing, vectorised along the rows of B and C (i-p-j order).
// Kept as the baseline rung of the version ladder (STYLE.md G6/G7): GemmBench times it next to v2.
// op(B)^T operands are read with a scalar gather, so v1 with transB is slow by design. Single-threaded.
// Tested by GemmTests (every shape against GemmReference, version 1 and 2).
using System.Numerics.Tensors;

namespace Opacity.Kernels.Cpu;

internal static class GemmV1
{
    private const int BlockM = 64, BlockK = 256;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
        if (k == 0 || n == 0) return;
        float[]? bt = transB ? new float[k * n] : null;
        if (bt is not null)
        {
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) bt[p * n + j] = b[j * ldb + p];
        }
        ReadOnlySpan<float> bb = bt ?? b;
        int ldbb = bt is null ? ldb : n;
        for (int i0 = 0; i0 < m; i0 += BlockM)
        {
            for (int p0 = 0; p0 < k; p0 += BlockK)
            {
                int iEnd = Math.Min(m, i0 + BlockM), pEnd = Math.Min(k, p0 + BlockK);
                for (int i = i0; i < iEnd; i++)
                {
                    Span<float> row = c.Slice(i * ldc, n);
                    for (int p = p0; p < pEnd; p++)
                    {
                        float aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                        // row += aip * op(B)[p, :]
                        TensorPrimitives.MultiplyAdd(bb.Slice(p * ldbb, n), aip, row, row);
                    }
                }
            }
        }
    }
}
