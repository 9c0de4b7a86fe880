// DGEMM, the float64 fast path: C = alpha * op(A) * op(B) + beta * C, row-major.
// Versions: v1 (the only one) is a Goto-style blocked GEMM: B is packed in kc x NR slivers, A in MR x kc
// slivers, and a register-tiled FMA micro-kernel computes one MR x NR tile of C at a time
// (Vector512: 8 x 16; Vector256: 6 x 8; scalar fallback for neither). Threads split the columns of C.
// Tested against Reference/GemmReference at odd sizes (1, 2, 7, 65, 130) in every transpose combination
// (tests/Opacity.Kernels.Tests/Linalg/DgemmTests.cs); benchmarked in bench/Opacity.Bench/Cpu/FidBench.cs.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Linalg;

public static unsafe class Dgemm
{
    // kc x NR of packed B and MR x kc of packed A stay in L1/L2; MC rows of A per packed block fit L2.
    private const int Kc = 256;
    private const int Mc = 96;
    private const int Nc = 2048;

    internal static readonly bool Use512 = Vector512.IsHardwareAccelerated;
    internal static readonly bool Use256 = !Use512 && Vector256.IsHardwareAccelerated;
    internal static readonly int Mr = Use512 ? 8 : 6;
    internal static readonly int Nr = Use512 ? 16 : Use256 ? 8 : 4;

    /// <summary><c>C = alpha * op(A) * op(B) + beta * C</c> in float64, row-major; op(A) is m x k, op(B) is k x n.
    /// With <c>beta == 0</c>, C is overwritten (old contents, even NaN, are ignored). Runs on all cores when the
    /// product is large enough, unless <paramref name="parallel"/> is false.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc,
        bool parallel = true)
    {
        if (m <= 0 || n <= 0)
            return;
        CheckSizes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            if (k == 0 || alpha == 0)
            {
                ScaleC(m, n, beta, pc, ldc);
                return;
            }
            int threads = parallel ? Math.Min(Environment.ProcessorCount, 64) : 1;
            double work = (double)m * n * k;
            if (threads <= 1 || work < 2e6 || n < 2 * Nr)
            {
                Serial(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                return;
            }
            // Split the columns of C into slabs, each a multiple of NR wide: a few per thread (at least 64 columns
            // each) so that a thread descheduled on a shared machine does not leave the others waiting.
            int slabs = Math.Max(1, Math.Min(4 * threads, n / 64));
            slabs = Math.Min(slabs, (n + Nr - 1) / Nr);
            int per = ((n + slabs - 1) / slabs + Nr - 1) / Nr * Nr;
            nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc;
            Parallel.For(0, slabs, s =>
            {
                int j0 = s * per;
                int nn = Math.Min(per, n - j0);
                if (nn <= 0)
                    return;
                double* bs = transB ? (double*)ib + (nint)j0 * ldb : (double*)ib + j0;
                Serial(transA, transB, m, nn, k, alpha, (double*)ia, lda, bs, ldb, beta, (double*)ic + j0, ldc);
            });
        }
    }

    internal static void CheckSizes(bool transA, bool transB, int m, int n, int k,
        int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (aCols > lda || (aRows > 0 && (long)(aRows - 1) * lda + aCols > aLen))
            throw new ArgumentException($"A is too small for a {aRows} x {aCols} matrix with leading dimension {lda}.");
        if (bCols > ldb || (bRows > 0 && (long)(bRows - 1) * ldb + bCols > bLen))
            throw new ArgumentException($"B is too small for a {bRows} x {bCols} matrix with leading dimension {ldb}.");
        if (n > ldc || (long)(m - 1) * ldc + n > cLen)
            throw new ArgumentException($"C is too small for a {m} x {n} matrix with leading dimension {ldc}.");
    }

    private static void ScaleC(int m, int n, double beta, double* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            double* row = c + (nint)i * ldc;
            for (int j = 0; j < n; j++)
                row[j] = beta == 0 ? 0 : beta * row[j];
        }
    }

    /// <summary>One thread: loops jc (Nc) -> pc (Kc, pack B) -> ic (Mc, pack A) -> micro-tiles.</summary>
    internal static void Serial(bool transA, bool transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc)
    {
        int mr = Mr, nr = Nr;
        int ncMax = Math.Min(Nc, (n + nr - 1) / nr * nr);
        int kcMax = Math.Min(Kc, k);
        int mcMax = Math.Min(Mc, (m + mr - 1) / mr * mr);
        double[] bufB = ArrayPool<double>.Shared.Rent(kcMax * ncMax + 8);
        double[] bufA = ArrayPool<double>.Shared.Rent(kcMax * mcMax + 8);
        double* tile = stackalloc double[16 * 16];
        try
        {
            fixed (double* pbB = bufB)
            fixed (double* pbA = bufA)
            {
                for (int jc = 0; jc < n; jc += Nc)
                {
                    int nc = Math.Min(Nc, n - jc);
                    for (int pc = 0; pc < k; pc += Kc)
                    {
                        int kc = Math.Min(Kc, k - pc);
                        double betaBlock = pc == 0 ? beta : 1.0;
                        PackB(transB, b, ldb, pc, jc, kc, nc, nr, pbB);
                        for (int ic = 0; ic < m; ic += Mc)
                        {
                            int mc = Math.Min(Mc, m - ic);
                            PackA(transA, a, lda, ic, pc, mc, kc, mr, pbA);
                            for (int jr = 0; jr < nc; jr += nr)
                            {
                                int nn = Math.Min(nr, nc - jr);
                                double* bp = pbB + (nint)jr * kc;
                                for (int ir = 0; ir < mc; ir += mr)
                                {
                                    int mm = Math.Min(mr, mc - ir);
                                    double* ap = pbA + (nint)ir * kc;
                                    double* cp = c + (nint)(ic + ir) * ldc + jc + jr;
                                    if (mm == mr && nn == nr)
                                        Kernel(kc, ap, bp, alpha, betaBlock, cp, ldc);
                                    else
                                    {
                                        // Edge tile: compute into a scratch tile with beta = 0, then merge the valid part.
                                        Kernel(kc, ap, bp, alpha, 0.0, tile, nr);
                                        for (int i = 0; i < mm; i++)
                                            for (int j = 0; j < nn; j++)
                                            {
                                                double* cij = cp + (nint)i * ldc + j;
                                                *cij = tile[i * nr + j] + (betaBlock == 0 ? 0 : betaBlock * *cij);
                                            }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(bufA);
            ArrayPool<double>.Shared.Return(bufB);
        }
    }

    /// <summary>Packs op(B)[pc:pc+kc, jc:jc+nc] as nr-wide slivers, each kc rows of nr values, zero padded.</summary>
    private static void PackB(bool transB, double* b, int ldb, int pc, int jc, int kc, int nc, int nr, double* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nn = Math.Min(nr, nc - jr);
            double* d = dst + (nint)jr * kc;
            if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = b + (nint)(pc + p) * ldb + jc + jr;
                    if (nn == nr)
                        new ReadOnlySpan<double>(src, nr).CopyTo(new Span<double>(d + p * nr, nr));
                    else
                        for (int j = 0; j < nr; j++)
                            d[p * nr + j] = j < nn ? src[j] : 0;
                }
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    if (j < nn)
                    {
                        double* src = b + (nint)(jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++)
                            d[p * nr + j] = src[p];
                    }
                    else
                        for (int p = 0; p < kc; p++)
                            d[p * nr + j] = 0;
                }
            }
        }
    }

    /// <summary>Packs op(A)[ic:ic+mc, pc:pc+kc] as mr-tall slivers, each kc columns of mr values, zero padded.</summary>
    private static void PackA(bool transA, double* a, int lda, int ic, int pc, int mc, int kc, int mr, double* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int mm = Math.Min(mr, mc - ir);
            double* d = dst + (nint)ir * kc;
            if (transA)
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = a + (nint)(pc + p) * lda + ic + ir;
                    for (int i = 0; i < mr; i++)
                        d[p * mr + i] = i < mm ? src[i] : 0;
                }
            }
            else
            {
                for (int i = 0; i < mr; i++)
                {
                    if (i < mm)
                    {
                        double* src = a + (nint)(ic + ir + i) * lda + pc;
                        for (int p = 0; p < kc; p++)
                            d[p * mr + i] = src[p];
                    }
                    else
                        for (int p = 0; p < kc; p++)
                            d[p * mr + i] = 0;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int kc, double* a, double* b, double alpha, double beta, double* c, int ldc)
    {
        if (Use512)
            DgemmMicroKernels.Kernel8x16(kc, a, b, alpha, beta, c, ldc);
        else if (Use256)
            DgemmMicroKernels.Kernel6x8(kc, a, b, alpha, beta, c, ldc);
        else
            DgemmMicroKernels.KernelScalar(kc, a, b, alpha, beta, c, ldc, Mr, Nr);
    }
}
