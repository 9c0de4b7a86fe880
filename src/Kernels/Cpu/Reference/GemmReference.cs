// Scalar GEMM oracle: plain triple loop, accumulated in double. Never optimised (STYLE.md G4).
// Row-major throughout: element (i, j) of an m x n matrix with leading dimension ld is at i * ld + j.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class GemmReference
{
    /// <summary><c>C = alpha * op(A) * op(B) + beta * C</c>, row-major; op(A) is m x k, op(B) is k x n.
    /// With <c>beta == 0</c>, C is overwritten (its old contents, even NaN, are ignored).</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[p * lda + i] : a[i * lda + p];
                    T bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += double.CreateTruncating(av) * double.CreateTruncating(bv);
                }
                T prior = T.IsZero(beta) ? T.Zero : beta * c[i * ldc + j];
                c[i * ldc + j] = alpha * T.CreateTruncating(sum) + prior;
            }
        }
    }
}
