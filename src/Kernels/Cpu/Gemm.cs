// SGEMM, the fast float32 path used by the Tensor layer (matmul, linear) and by Conv2d.
// Versions: v1 GemmV1 (blocked loops, no packing, one thread), v2 GemmPacked (packed panels, cache blocking,
// AVX-512 12x32 micro-kernel or Vector256 6x16 fallback, all cores). Default: DefaultVersion = 2.
// Tested by tests/Opacity.Kernels.Tests/Cpu/GemmTests.cs against Reference/GemmReference.cs; timed by
// bench/Opacity.Bench/Cpu/GemmBench.cs.
namespace Opacity.Kernels.Cpu;

public static class Gemm
{
    /// <summary>The version <see cref="Sgemm"/> runs; every version stays compiled, tested and benchmarked.</summary>
    internal const int DefaultVersion = 2;

    /// <summary><c>C = alpha * op(A) * op(B) + beta * C</c> in float32, row-major; op(A) is m x k, op(B) is k x n.
    /// With <c>beta == 0</c>, C is overwritten.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Sgemm(DefaultVersion, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    internal static void Sgemm(int version, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Sgemm(version, GemmMicroKernel.Default, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    internal static unsafe void Sgemm(int version, GemmKernelShape shape, bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (version == 1)
        {
            GemmV1.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        if (version != 2) throw new ArgumentOutOfRangeException(nameof(version), version, "SGEMM versions are 1 and 2.");
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            GemmPacked.Run(shape, m, n, k, alpha, new MatrixPackA(pa, lda, transA), new MatrixPackB(pb, ldb, transB),
                beta, pc, ldc, int.MaxValue);
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb,
        int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"SGEMM sizes must be non-negative, got m={m}, n={n}, k={k}.");
        Check("A", transA ? k : m, transA ? m : k, aLen, lda);
        Check("B", transB ? n : k, transB ? k : n, bLen, ldb);
        Check("C", m, n, cLen, ldc);

        static void Check(string name, int rows, int cols, int length, int ld)
        {
            if (rows == 0 || cols == 0) return;
            if (ld < cols)
                throw new ArgumentException($"SGEMM: leading dimension of {name} is {ld}, but its stored rows have {cols} columns.");
            long need = (long)(rows - 1) * ld + cols;
            if (length < need)
                throw new ArgumentException($"SGEMM: {name} ({rows} x {cols}, ld {ld}) needs {need} elements, the span has {length}.");
        }
    }
}
