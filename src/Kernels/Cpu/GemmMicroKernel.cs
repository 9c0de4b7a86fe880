// SGEMM register-blocked micro-kernels: C[MR x NR] = alpha * sum_p A~[p, 0..MR) (x) B~[p, 0..NR) + beta * C.
// A~ and B~ are packed slivers (GemmPack.cs): A~[p * MR + r], B~[p * NR + j], zero padded to full MR / NR.
// Versions (GemmMicroKernel.Default picks one from the hardware; tests and benches may force either):
//   Avx512_12x32  24 zmm accumulators, B sliver = 2 zmm per k step, A element broadcast into the FMA  <- default with AVX-512
//                 (plus its 8- and 4-row cuts for a last row block of M mod 12 <= 8: same sliver, fewer FMAs)
//   V256_6x16     12 ymm accumulators for machines without Vector512 acceleration (also forced in tests)
// Edge tiles (fewer than NR columns, or rows that no 12/8/4 cut fits) go through a stack tile and a scalar copy
// (GemmPacked.cs).
// The 12x32 body is generic over how B's rows are found (IKernelRows), so Conv2dV3 runs it on image rows in place.
// Tested through GemmTests (every shape is compared with GemmReference, both kernel shapes).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu;

internal enum GemmKernelShape
{
    Avx512_12x32,
    V256_6x16,
}

/// <summary>Where depth row p of the micro-kernel's B operand starts.</summary>
internal unsafe interface IKernelRows
{
    float* Row(int p);
}

/// <summary>Packed sliver of NR = 32: row p at b + 32 p.</summary>
internal readonly unsafe struct PackedRows32(float* b) : IKernelRows
{
    public float* Row(int p) => b + ((nint)p << 5);
}

/// <summary>Rows in place: row p at origin + offsets[p] (a conv tap's shifted input row, Conv2dV3.cs).</summary>
internal readonly unsafe struct OffsetRows(float* origin, int* offsets) : IKernelRows
{
    public float* Row(int p) => origin + offsets[p];
}

/// <summary>How many rows of a 12-row A sliver the 12x32 kernel family computes (a JIT-time constant).</summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct Rows12 : IRowCount { public static int Value => 12; }
internal readonly struct Rows8 : IRowCount { public static int Value => 8; }
internal readonly struct Rows4 : IRowCount { public static int Value => 4; }

internal static unsafe class GemmMicroKernel
{
    public static GemmKernelShape Default =>
        Vector512.IsHardwareAccelerated ? GemmKernelShape.Avx512_12x32 : GemmKernelShape.V256_6x16;

    public static int Mr(GemmKernelShape s) => s == GemmKernelShape.Avx512_12x32 ? 12 : 6;
    public static int Nr(GemmKernelShape s) => s == GemmKernelShape.Avx512_12x32 ? 32 : 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> acc, float alpha, float beta)
    {
        // beta == 0 must ignore C's old contents (it may hold NaN), so it never reads C.
        Vector512<float> v = acc * alpha;
        if (beta != 0f) v = Vector512.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), v);
        Vector512.Store(v, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> acc, float alpha, float beta)
    {
        Vector256<float> v = acc * alpha;
        if (beta != 0f) v = Vector256.FusedMultiplyAdd(Vector256.Load(c), Vector256.Create(beta), v);
        Vector256.Store(v, c);
    }

    public static void Kernel12x32(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Kernel12x32<PackedRows32, Rows12>(kc, a, new PackedRows32(b), c, ldc, alpha, beta);

    /// <summary>The first 8 rows of a 12-row A sliver (the last block of an M with M mod 12 in 5..8).</summary>
    public static void Kernel8x32(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Kernel12x32<PackedRows32, Rows8>(kc, a, new PackedRows32(b), c, ldc, alpha, beta);

    /// <summary>The first 4 rows of a 12-row A sliver (the last block of an M with M mod 12 in 1..4).</summary>
    public static void Kernel4x32(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Kernel12x32<PackedRows32, Rows4>(kc, a, new PackedRows32(b), c, ldc, alpha, beta);

    /// <summary>The rows the 12x32 family writes for a row block of <paramref name="rows"/> (1..12): the 4- or 8-row
    /// cut when one holds them, else all 12 (rows past <paramref name="rows"/> are the sliver's zero padding).</summary>
    public static int CutRows(int rows) => rows <= 4 ? 4 : rows <= 8 ? 8 : 12;

    /// <summary>The packed-B kernel of a cut from <see cref="CutRows"/>.</summary>
    public static delegate*<int, float*, float*, float*, int, float, float, void> PackedCut(int cutRows)
        => cutRows == 4 ? &Kernel4x32 : cutRows == 8 ? &Kernel8x32 : &Kernel12x32;

    /// <summary>The kernel on a cut from <see cref="CutRows"/>, B's rows addressed by <typeparamref name="TB"/>.</summary>
    public static void KernelCut<TB>(int cutRows, int kc, float* a, TB rows, float* c, int ldc, float alpha, float beta)
        where TB : unmanaged, IKernelRows
    {
        if (cutRows == 4) Kernel12x32<TB, Rows4>(kc, a, rows, c, ldc, alpha, beta);
        else if (cutRows == 8) Kernel12x32<TB, Rows8>(kc, a, rows, c, ldc, alpha, beta);
        else Kernel12x32<TB, Rows12>(kc, a, rows, c, ldc, alpha, beta);
    }

    /// <summary>The 12x32 kernel body, or its first <typeparamref name="TRows"/> rows (8 or 4) of the same 12-row
    /// A sliver, with B's depth rows addressed by <typeparamref name="TB"/>: packed slivers (GEMM) or rows read in
    /// place from a padded image (direct conv, Conv2dV3.cs). One body, JIT-specialised per (TB, TRows), the row
    /// count a constant there. Why the row variants: an OC of 16 ran as 12 + a 12-row tile with 8 rows of zeros
    /// (a third of the FMAs wasted); 12 + 4 does the same work per output element in the same order (bit for bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12x32<TB, TRows>(int kc, float* a, TB rows, float* c, int ldc, float alpha, float beta)
        where TB : unmanaged, IKernelRows where TRows : unmanaged, IRowCount
    {
        // Accumulators named c<row><half>: row 0..11 of the tile, half 0 = columns 0..15, half 1 = 16..31.
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            float* b = rows.Row(p);
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            if (TRows.Value > 4)
            {
                x = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            }
            if (TRows.Value > 8)
            {
                x = Vector512.Create(a[8]);
                c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
                x = Vector512.Create(a[9]);
                c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
                x = Vector512.Create(a[10]);
                ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0); ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
                x = Vector512.Create(a[11]);
                cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0); cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
            }
            a += 12;  // the sliver's stride stays 12 whatever the row count
        }
        Store512(c, c00, alpha, beta); Store512(c + 16, c01, alpha, beta); c += ldc;
        Store512(c, c10, alpha, beta); Store512(c + 16, c11, alpha, beta); c += ldc;
        Store512(c, c20, alpha, beta); Store512(c + 16, c21, alpha, beta); c += ldc;
        Store512(c, c30, alpha, beta); Store512(c + 16, c31, alpha, beta);
        if (TRows.Value > 4)
        {
            c += ldc;
            Store512(c, c40, alpha, beta); Store512(c + 16, c41, alpha, beta); c += ldc;
            Store512(c, c50, alpha, beta); Store512(c + 16, c51, alpha, beta); c += ldc;
            Store512(c, c60, alpha, beta); Store512(c + 16, c61, alpha, beta); c += ldc;
            Store512(c, c70, alpha, beta); Store512(c + 16, c71, alpha, beta);
        }
        if (TRows.Value > 8)
        {
            c += ldc;
            Store512(c, c80, alpha, beta); Store512(c + 16, c81, alpha, beta); c += ldc;
            Store512(c, c90, alpha, beta); Store512(c + 16, c91, alpha, beta); c += ldc;
            Store512(c, ca0, alpha, beta); Store512(c + 16, ca1, alpha, beta); c += ldc;
            Store512(c, cb0, alpha, beta); Store512(c + 16, cb1, alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }
        Store256(c, c00, alpha, beta); Store256(c + 8, c01, alpha, beta); c += ldc;
        Store256(c, c10, alpha, beta); Store256(c + 8, c11, alpha, beta); c += ldc;
        Store256(c, c20, alpha, beta); Store256(c + 8, c21, alpha, beta); c += ldc;
        Store256(c, c30, alpha, beta); Store256(c + 8, c31, alpha, beta); c += ldc;
        Store256(c, c40, alpha, beta); Store256(c + 8, c41, alpha, beta); c += ldc;
        Store256(c, c50, alpha, beta); Store256(c + 8, c51, alpha, beta);
    }
}
