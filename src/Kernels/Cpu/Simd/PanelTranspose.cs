// Panel transpose for GEMM packing: `rows` contiguous source rows (leading dimension ld) become the columns of
// a packed sliver of width w, dst[p*w + r] = src[r*ld + p], the layout the micro-kernel reads (w = MR for an A
// sliver, NR for a B sliver). Why SIMD: the plain loop stores one float at a stride of w floats per element,
// and when the packed operand is big next to the work done with it (conv dw: every col^T element is used for
// only 2*OC flops) those scattered stores were most of the pass (bench/results/intel-xeon-2core/conv_dw_pack.md).
// Here 8 x 8 (AVX) and 4 x 4 (SSE) register transposes read 8 (4) rows and store 8 (4) contiguous floats per
// depth step. Moving data only, the result is bit-identical to the scalar loop (PackScalar, the oracle), so
// every GEMM and conv that packs this way computes exactly what it did before.
// Tested by PanelTransposeTests (every rows/kc/w remainder against PackScalar).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Opacity.Kernels.Cpu.Simd;

internal static unsafe class PanelTranspose
{
    /// <summary>dst[p*w + r] = src[r*ld + p] for r &lt; rows, p &lt; kc; zero for rows &lt;= r &lt; w.</summary>
    public static void Pack(float* src, long ld, int rows, int kc, float* dst, int w)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= rows; r += 8) Rows8(src + r * ld, ld, kc, dst + r, w);
            if (r + 4 <= rows)
            {
                Rows4(src + r * ld, ld, kc, dst + r, w);
                r += 4;
            }
        }
        for (; r < rows; r++)
        {
            float* s = src + r * ld;
            for (int p = 0; p < kc; p++) dst[p * w + r] = s[p];
        }
        ZeroTail(rows, kc, dst, w);
    }

    /// <summary>The scalar loop Pack replaces: the oracle of its tests and the path without AVX.</summary>
    public static void PackScalar(float* src, long ld, int rows, int kc, float* dst, int w)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = src + r * ld;
            for (int p = 0; p < kc; p++) dst[p * w + r] = s[p];
        }
        ZeroTail(rows, kc, dst, w);
    }

    private static void ZeroTail(int rows, int kc, float* dst, int w)
    {
        if (rows >= w) return;
        for (int p = 0; p < kc; p++) new Span<float>(dst + p * w + rows, w - rows).Clear();
    }

    private static void Rows8(float* s, long ld, int kc, float* d, int w)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            // Lane pairs interleaved (unpack), then pairs of pairs (shuffle), then 128-bit halves (permute):
            // o_j = column p + j of the 8 rows.
            Vector256<float> r0 = Avx.LoadVector256(s + p), r1 = Avx.LoadVector256(s + ld + p);
            Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld + p), r3 = Avx.LoadVector256(s + 3 * ld + p);
            Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld + p), r5 = Avx.LoadVector256(s + 5 * ld + p);
            Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld + p), r7 = Avx.LoadVector256(s + 7 * ld + p);
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
            float* o = d + p * w;
            Avx.Store(o, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(o + w, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(o + 2 * w, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(o + 3 * w, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(o + 4 * w, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(o + 5 * w, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(o + 6 * w, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(o + 7 * w, Avx.Permute2x128(s3, s7, 0x31));
        }
        Tail(s, ld, 8, p, kc, d, w);
    }

    private static void Rows4(float* s, long ld, int kc, float* d, int w)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            Vector128<float> r0 = Sse.LoadVector128(s + p), r1 = Sse.LoadVector128(s + ld + p);
            Vector128<float> r2 = Sse.LoadVector128(s + 2 * ld + p), r3 = Sse.LoadVector128(s + 3 * ld + p);
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
            Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
            float* o = d + p * w;
            Sse.Store(o, Sse.MoveLowToHigh(t0, t1));
            Sse.Store(o + w, Sse.MoveHighToLow(t1, t0));
            Sse.Store(o + 2 * w, Sse.MoveLowToHigh(t2, t3));
            Sse.Store(o + 3 * w, Sse.MoveHighToLow(t3, t2));
        }
        Tail(s, ld, 4, p, kc, d, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tail(float* s, long ld, int rows, int p0, int kc, float* d, int w)
    {
        for (int r = 0; r < rows; r++)
            for (int p = p0; p < kc; p++) d[p * w + r] = s[r * ld + p];
    }
}
