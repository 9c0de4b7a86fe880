// SYRK: C = alpha * op(A) * op(A)^T (n x n, symmetric), row-major, op(A) n x k. Only the tiles on and above
// the diagonal are computed (by the DGEMM core, one tile per task on all cores), then mirrored, so C is exactly
// symmetric and the work is about half of a full GEMM. Used for covariances (op(A) = Xc^T) and for KID's Gram
// matrices (op(A) = X). One version. Tested against Reference/GemmReference in SyrkTests.
namespace Opacity.Kernels.Cpu.Linalg;

public static unsafe class Syrk
{
    private const int Tile = 512;

    /// <summary><c>C = alpha * op(A) * op(A)^T + beta * C</c>, op(A) = A (n x k) when <paramref name="transA"/> is
    /// false, A^T (A stored k x n) when true. Both triangles of C (n x n, leading dimension ldc) are written; with
    /// beta != 0 the upper triangle of the old C is what is read (C is assumed symmetric).</summary>
    public static void Multiply(bool transA, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        Span<double> c, int ldc, bool parallel = true, double beta = 0)
    {
        if (n <= 0)
            return;
        Dgemm.CheckSizes(transA, !transA, n, n, k, a.Length, lda, a.Length, lda, c.Length, ldc);
        int tiles = (n + Tile - 1) / Tile;
        var jobs = new List<(int I, int J)>();
        for (int ti = 0; ti < tiles; ti++)
            for (int tj = ti; tj < tiles; tj++)
                jobs.Add((ti * Tile, tj * Tile));
        fixed (double* pa = a)
        fixed (double* pc = c)
        {
            nint ia = (nint)pa, ic = (nint)pc;
            void Run(int t)
            {
                (int i0, int j0) = jobs[t];
                int mm = Math.Min(Tile, n - i0), nn = Math.Min(Tile, n - j0);
                double* ap = transA ? (double*)ia + i0 : (double*)ia + (nint)i0 * lda;
                double* bp = transA ? (double*)ia + j0 : (double*)ia + (nint)j0 * lda;
                double* cp = (double*)ic + (nint)i0 * ldc + j0;
                if (k == 0)
                {
                    for (int i = 0; i < mm; i++)
                        for (int j = 0; j < nn; j++)
                            cp[(nint)i * ldc + j] = beta == 0 ? 0 : beta * cp[(nint)i * ldc + j];
                    return;
                }
                Dgemm.Serial(transA, !transA, mm, nn, k, alpha, ap, lda, bp, lda, beta, cp, ldc);
            }
            if (parallel && jobs.Count > 1 && (double)n * n * k > 4e6)
                Parallel.For(0, jobs.Count, Run);
            else
                for (int t = 0; t < jobs.Count; t++)
                    Run(t);
            Symmetrise.MirrorUpper(pc, n, ldc);
        }
    }
}
