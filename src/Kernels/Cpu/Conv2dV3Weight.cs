// Conv2d v3 BackwardWeight for stride 1: direct dot products, no im2col. Legend: K = IC*KH*KW taps, OWr = OW
// rounded up to 16, Hp/Wp the zero-padded input size.
//   dw[oc, r] += sum_{n, oh, ow} dy[n, oc, oh, ow] * xpad[n, ic(r), oh + kh(r)*D, ow + kw(r)*D]
// With stride 1 the x factor is, for each tap, a contiguous run along ow, so a 4-channel x 6-tap block keeps
// 24 zmm accumulators of 16 pixels each: per 16-pixel step 4 dy loads + 6 x loads feed 24 FMAs. Why not
// GEMM: im2col^T packing costs as much as the FMAs when OC is small (OC = 2 heads ran at ~2 GFLOP/s).
// Which shapes use it is Conv2dRule's choice (small OC; v2's GEMM, which keeps its operands in L1, otherwise).
// The (image, output row) space is split into two contiguous ranges (Partials, whatever the core count, so the
// sum's order is the same on every machine), walked in bands of 8 rows so a band's dy and x stay in that core's
// L2; each range sums into a private dw, reduced at the end in range order.
// dy rows are read past OW up to OWr; a zero-padded copy of dy is made when OW is not a multiple of 16, so
// the extra x values are multiplied by 0 (x must be finite, as everywhere in training).
// Tested by Conv2dTests (version 3, all shapes, against ConvReference); timed by ConvBench.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dV3Weight
{
    private const int OcBlock = 4, TapBlock = 6, Band = 8, Partials = 2;

    public static void BackwardWeight(in ConvGeometry g, float* x, float* dy, float* dw, bool accumulate)
    {
        if (!Conv2dV3.Applies(g))  // which shapes come here is Conv2dRule's choice; this guards the kernel's own needs
        {
            Conv2dV2.BackwardWeight(g, x, dy, dw, accumulate);
            return;
        }
        int kk = g.KernelH * g.KernelW, k = g.InChannels * kk, oc = g.OutChannels, oh_ = g.OutH, ow_ = g.OutW;
        int owr = (ow_ + 15) & ~15, hp = g.InH + 2 * g.PadH, wp = g.InW + 2 * g.PadW;
        long planeP = (long)hp * wp, imageP = g.InChannels * planeP;
        long xpadLen = g.Batch * imageP + 16 + (long)g.DilationW * g.KernelW + 16;
        bool copyDy = owr != ow_;
        long dyImage = (long)oc * oh_ * owr;
        // The partial sums are a fixed two (one when the call is small), not one per core: the split decides the
        // order in which dw is summed, and a thread count from the machine made a training run's weights differ
        // between machines with different core counts (sessions 11-12). Two is what 2-core machines always used,
        // so their results are unchanged; larger machines run this kernel (small OC only) on two cores.
        int threads = Math.Min(Partials, Math.Max(1, g.Batch * oh_));
        if ((long)g.Batch * oc * k * oh_ * ow_ < GemmPacked.ParallelMinMacs) threads = 1;
        int ocBlocks = (oc + OcBlock - 1) / OcBlock, tapBlocks = (k + TapBlock - 1) / TapBlock;
        int[] offsets = ArrayPool<int>.Shared.Rent(tapBlocks * TapBlock);
        float[] xpad = ArrayPool<float>.Shared.Rent((int)xpadLen);
        float[] dyp = copyDy ? ArrayPool<float>.Shared.Rent((int)(g.Batch * dyImage)) : [];
        float[] partial = ArrayPool<float>.Shared.Rent(threads * ocBlocks * OcBlock * k + owr);
        try
        {
            for (int ic = 0, r = 0; ic < g.InChannels; ic++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, r++)
                        offsets[r] = (int)(ic * planeP + (long)kh * g.DilationH * wp + kw * g.DilationW);
            for (int r = k; r < tapBlocks * TapBlock; r++) offsets[r] = 0;  // extra taps: valid reads, discarded
            Array.Clear(xpad, (int)(g.Batch * imageP), (int)(xpadLen - g.Batch * imageP));  // the slack; ZeroPad writes the planes whole
            Array.Clear(partial);
            fixed (float* px = xpad) fixed (float* pdyp = dyp) fixed (float* pp = partial) fixed (int* po = offsets)
            {
                ZeroPad.Planes(x, g.Batch * g.InChannels, g.InH, g.InW, g.PadH, g.PadW, px);  // the batch's planes are contiguous
                float* dyRows = dy;
                if (copyDy)
                {
                    for (long row = 0; row < (long)g.Batch * oc * oh_; row++)
                    {
                        Unsafe.CopyBlock(pdyp + row * owr, dy + row * ow_, (uint)(ow_ * sizeof(float)));
                        new Span<float>(pdyp + row * owr + ow_, owr - ow_).Clear();
                    }
                    dyRows = pdyp;
                }
                float* zeroRow = pp + threads * ocBlocks * OcBlock * k;  // cleared: stands in for channels past OC
                nint xP = (nint)px, dyP = (nint)dyRows, pP = (nint)pp, oP = (nint)po, zP = (nint)zeroRow;
                ConvGeometry geo = g;
                int totalRows = g.Batch * oh_;
                void Part(int t)
                {
                    var job = new Job(geo, (float*)xP, (float*)dyP, (int*)oP, (float*)zP, owr, wp, imageP, dyImage, k);
                    float* acc = (float*)pP + (long)t * ocBlocks * OcBlock * k;
                    int lo = (int)((long)t * totalRows / threads), hi = (int)((long)(t + 1) * totalRows / threads);
                    while (lo < hi)
                    {
                        int n = lo / geo.OutH, oh0 = lo - n * geo.OutH;
                        int oh1 = Math.Min(Math.Min(oh0 + Band, geo.OutH), oh0 + hi - lo);
                        // tap block outer: its 6 x rows of the band stay in L1 while the dy rows stream
                        for (int tb = 0; tb < tapBlocks; tb++)
                            for (int ob = 0; ob < ocBlocks; ob++)
                                job.Block(n, oh0, oh1, ob * OcBlock, tb * TapBlock, acc);
                        lo += oh1 - oh0;
                    }
                }
                if (threads == 1) Part(0);
                else Parallel.For(0, threads, Part);
                // dw = (accumulate ? dw : 0) + sum of the per-core partial sums
                for (int o = 0; o < oc; o++)
                    for (int r = 0; r < k; r++)
                    {
                        float s = accumulate ? dw[(long)o * k + r] : 0f;
                        for (int t = 0; t < threads; t++) s += pp[((long)t * ocBlocks * OcBlock + o) * k + r];
                        dw[(long)o * k + r] = s;
                    }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<float>.Shared.Return(xpad);
            if (copyDy) ArrayPool<float>.Shared.Return(dyp);
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    private readonly struct Job(in ConvGeometry g, float* xpad, float* dy, int* offsets, float* zeroRow,
        int owr, int wp, long imageP, long dyImage, int k)
    {
        private readonly int _oc = g.OutChannels, _ohN = g.OutH;

        // acc[o*k + r] += dot(dy[n, o, oh0..oh1, :], x tap r) for o in [o0, o0+4), r in [r0, r0+6).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Block(int n, int oh0, int oh1, int o0, int r0, float* acc)
        {
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default, a34 = default, a35 = default;
            int* off = offsets + r0;
            for (int oh = oh0; oh < oh1; oh++)
            {
                float* d0 = DyRow(n, o0, oh), d1 = DyRow(n, o0 + 1, oh), d2 = DyRow(n, o0 + 2, oh), d3 = DyRow(n, o0 + 3, oh);
                float* xr = xpad + n * imageP + (long)oh * wp;
                float* x0 = xr + off[0], x1 = xr + off[1], x2 = xr + off[2], x3 = xr + off[3], x4 = xr + off[4], x5 = xr + off[5];
                for (int ow = 0; ow < owr; ow += 16)
                {
                    Vector512<float> v0 = Vector512.Load(d0 + ow), v1 = Vector512.Load(d1 + ow);
                    Vector512<float> v2 = Vector512.Load(d2 + ow), v3 = Vector512.Load(d3 + ow);
                    Vector512<float> xv = Vector512.Load(x0 + ow);
                    a00 = Vector512.FusedMultiplyAdd(v0, xv, a00); a10 = Vector512.FusedMultiplyAdd(v1, xv, a10);
                    a20 = Vector512.FusedMultiplyAdd(v2, xv, a20); a30 = Vector512.FusedMultiplyAdd(v3, xv, a30);
                    xv = Vector512.Load(x1 + ow);
                    a01 = Vector512.FusedMultiplyAdd(v0, xv, a01); a11 = Vector512.FusedMultiplyAdd(v1, xv, a11);
                    a21 = Vector512.FusedMultiplyAdd(v2, xv, a21); a31 = Vector512.FusedMultiplyAdd(v3, xv, a31);
                    xv = Vector512.Load(x2 + ow);
                    a02 = Vector512.FusedMultiplyAdd(v0, xv, a02); a12 = Vector512.FusedMultiplyAdd(v1, xv, a12);
                    a22 = Vector512.FusedMultiplyAdd(v2, xv, a22); a32 = Vector512.FusedMultiplyAdd(v3, xv, a32);
                    xv = Vector512.Load(x3 + ow);
                    a03 = Vector512.FusedMultiplyAdd(v0, xv, a03); a13 = Vector512.FusedMultiplyAdd(v1, xv, a13);
                    a23 = Vector512.FusedMultiplyAdd(v2, xv, a23); a33 = Vector512.FusedMultiplyAdd(v3, xv, a33);
                    xv = Vector512.Load(x4 + ow);
                    a04 = Vector512.FusedMultiplyAdd(v0, xv, a04); a14 = Vector512.FusedMultiplyAdd(v1, xv, a14);
                    a24 = Vector512.FusedMultiplyAdd(v2, xv, a24); a34 = Vector512.FusedMultiplyAdd(v3, xv, a34);
                    xv = Vector512.Load(x5 + ow);
                    a05 = Vector512.FusedMultiplyAdd(v0, xv, a05); a15 = Vector512.FusedMultiplyAdd(v1, xv, a15);
                    a25 = Vector512.FusedMultiplyAdd(v2, xv, a25); a35 = Vector512.FusedMultiplyAdd(v3, xv, a35);
                }
            }
            // Only real (channel, tap) pairs are written; padding rows/taps were computed and are dropped here.
            float* c = acc + (long)o0 * k + r0;
            int rows = Math.Min(OcBlock, _oc - o0), taps = Math.Min(TapBlock, k - r0);
            Put(c, taps, a00, a01, a02, a03, a04, a05);
            if (rows > 1) Put(c + k, taps, a10, a11, a12, a13, a14, a15);
            if (rows > 2) Put(c + 2 * k, taps, a20, a21, a22, a23, a24, a25);
            if (rows > 3) Put(c + 3 * k, taps, a30, a31, a32, a33, a34, a35);
        }

        private float* DyRow(int n, int o, int oh)
            => o < _oc ? dy + n * dyImage + ((long)o * _ohN + oh) * owr : zeroRow;

        private static void Put(float* c, int taps, Vector512<float> s0, Vector512<float> s1,
            Vector512<float> s2, Vector512<float> s3, Vector512<float> s4, Vector512<float> s5)
        {
            c[0] += Vector512.Sum(s0);
            if (taps > 1) c[1] += Vector512.Sum(s1);
            if (taps > 2) c[2] += Vector512.Sum(s2);
            if (taps > 3) c[3] += Vector512.Sum(s3);
            if (taps > 4) c[4] += Vector512.Sum(s4);
            if (taps > 5) c[5] += Vector512.Sum(s5);
        }
    }
}
