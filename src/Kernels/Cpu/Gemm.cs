// SGEMM, the fast path. v1: a straight call to the reference (placeholder until the packed kernel lands).
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Cpu;

public static class Gemm
{
    /// <summary><c>C = alpha * op(A) * op(B) + beta * C</c> in float32, row-major; op(A) is m x k, op(B) is k x n.
    /// With <c>beta == 0</c>, C is overwritten.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => GemmReference.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
