// SGEMM v2 driver: BLIS-style cache blocking around a packed register-blocked micro-kernel, on all cores.
// Loop order jc (Nc cols) -> pc (Kc depth, B block packed, ~L2/L3) -> ic (Mc rows, A block packed, ~L2)
// -> jr (NR) -> ir (MR) -> micro-kernel (B sliver Kc x NR = 32 KiB stays in L1 while A slivers stream).
// Operands come through packer structs (GemmPack.cs, Conv2dPack.cs), so conv reuses this driver with an
// implicit im2col instead of materialising the column matrix.
// Threads: below ParallelMinMacs multiply-adds one thread (a Parallel.For costs ~10 us); otherwise C is cut
// into ProcessorCount stripes along N (or along M when C is tall), each stripe a private serial GEMM with
// its own thread-static packing buffers (the shared operand is packed once per stripe, O(k*(m+n)) extra).
// Tested by GemmTests (vs GemmReference) and, through conv, by Conv2dTests.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cpu;

internal static unsafe class GemmPacked
{
    public const int Kc = 256;
    public const int Mc = 144;   // multiple of both MR (12, 6); A block 144 x 256 x 4 B = 144 KiB in L2
    public const int Nc = 2048;  // multiple of both NR (32, 16); B block 256 x 2048 x 4 B = 2 MiB
    public const long ParallelMinMacs = 1L << 20;

    public static void Run<TA, TB>(GemmKernelShape shape, int m, int n, int k, float alpha, TA packA, TB packB,
        float beta, float* c, int ldc, int maxThreads)
        where TA : unmanaged, IGemmPackA where TB : unmanaged, IGemmPackB
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        int mr = GemmMicroKernel.Mr(shape), nr = GemmMicroKernel.Nr(shape);
        int threads = Math.Min(maxThreads, Environment.ProcessorCount);
        if ((long)m * n * k < ParallelMinMacs) threads = 1;
        // Stripe along the longer side of C, in whole micro-tiles so stripes never share a tile.
        bool splitN = n >= m;
        int unit = splitN ? nr : mr, extent = splitN ? n : m;
        int chunk = ((extent + threads - 1) / threads + unit - 1) / unit * unit;
        int parts = (extent + chunk - 1) / chunk;
        if (parts <= 1)
        {
            Serial(shape, 0, m, 0, n, k, alpha, packA, packB, beta, c, ldc);
            return;
        }
        nint cp = (nint)c;
        Parallel.For(0, parts, t =>
        {
            int lo = t * chunk, len = Math.Min(chunk, extent - lo);
            if (splitN) Serial(shape, 0, m, lo, len, k, alpha, packA, packB, beta, (float*)cp, ldc);
            else Serial(shape, lo, len, 0, n, k, alpha, packA, packB, beta, (float*)cp, ldc);
        });
    }

    /// <summary>C[i0.., j0..] (m x n) = alpha * op(A) op(B) + beta * C on the calling thread.</summary>
    private static void Serial<TA, TB>(GemmKernelShape shape, int i0, int m, int j0, int n, int k, float alpha,
        TA packA, TB packB, float beta, float* c, int ldc)
        where TA : unmanaged, IGemmPackA where TB : unmanaged, IGemmPackB
    {
        int mr = GemmMicroKernel.Mr(shape), nr = GemmMicroKernel.Nr(shape);
        delegate*<int, float*, float*, float*, int, float, float, void> kernel =
            shape == GemmKernelShape.Avx512_12x32 ? &GemmMicroKernel.Kernel12x32 : &GemmMicroKernel.Kernel6x16;
        float* bufA = PackScratch.A(Mc * Kc);
        float* bufB = PackScratch.B(Kc * Math.Min(Nc, (n + nr - 1) / nr * nr));
        float* tile = stackalloc float[12 * 32 + 16];
        tile = (float*)(((nint)tile + 63) & ~(nint)63);
        bool cuts = shape == GemmKernelShape.Avx512_12x32;   // a last row block of <= 8 rows runs a 4- or 8-row cut
        for (int jc = 0; jc < n; jc += Nc)
        {
            int nc = Math.Min(Nc, n - jc);
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;  // later depth blocks add onto the partial sums
                packB.Pack(bufB, nr, pc, kc, j0 + jc, nc);
                for (int ic = 0; ic < m; ic += Mc)
                {
                    int mc = Math.Min(Mc, m - ic);
                    packA.Pack(bufA, mr, i0 + ic, mc, pc, kc);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bs = bufB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            float* cs = c + (long)(i0 + ic + ir) * ldc + j0 + jc + jr;
                            float* asl = bufA + (long)ir * kc;
                            int written = cuts ? GemmMicroKernel.CutRows(rows) : mr;
                            var run = cuts ? GemmMicroKernel.PackedCut(written) : kernel;
                            if (rows == written && cols == nr)
                            {
                                run(kc, asl, bs, cs, ldc, alpha, betaBlock);
                            }
                            else
                            {
                                run(kc, asl, bs, tile, nr, alpha, 0f);
                                StoreEdge(tile, nr, rows, cols, cs, ldc, betaBlock);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void StoreEdge(float* tile, int nr, int rows, int cols, float* c, int ldc, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * nr, d = c + (long)r * ldc;
            if (beta == 0f) for (int j = 0; j < cols; j++) d[j] = t[j];
            else for (int j = 0; j < cols; j++) d[j] = t[j] + beta * d[j];
        }
    }

    /// <summary>C = beta * C, with beta == 0 clearing C (NaN included).</summary>
    public static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}

/// <summary>Per-thread packing buffers: pinned, 64-byte aligned, grown on demand and kept for the thread's life,
/// so a training step does not allocate. Slots A and B (and Row, inside a packer) are live at once inside one serial GEMM.</summary>
internal static unsafe class PackScratch
{
    [ThreadStatic] private static float[]? _a, _b, _c, _row;

    public static float* A(int count) => Get(ref _a, count);
    public static float* B(int count) => Get(ref _b, count);

    /// <summary>A third slot for callers that need a work buffer around a GEMM (conv col2im, flipped weights).</summary>
    public static float* C(int count) => Get(ref _c, count);

    /// <summary>A row buffer for packers (im2col gathers one depth row of a block here).</summary>
    public static float* Row(int count) => Get(ref _row, count);

    private static float* Get(ref float[]? slot, int count)
    {
        if (slot is null || slot.Length < count + 16)
            slot = GC.AllocateUninitializedArray<float>(Math.Max(count + 16, 4096), pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(slot));
        return (float*)((p + 63) & ~(nint)63);
    }
}
