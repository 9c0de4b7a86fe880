// Conv2d v3 forward for stride 1 (default path for such convs): direct register-blocked convolution on the
// 12x32 micro-kernel, with no im2col at all. Legend: K = IC*KH*KW taps, P = OH*OW, Hp/Wp padded input size.
// Why: as a GEMM, every im2col element feeds only OC*2 flops, so with OC = 64 the packing (memory-bound)
// cost as much as the FMAs. With stride 1, the 32 pixels of an output-row segment read, for tap
// r = (ic, kh, kw), 32 *consecutive* floats of the zero-padded input starting at
//   xpad + ic*Hp*Wp + (oh + kh*D)*Wp + ow0 + kw*D = origin(oh, ow0) + offset[r],
// so the micro-kernel reads B's rows in place (OffsetRows) while the weights are packed once per call into
// 12-channel slivers (wpack[block][r][12]). Each (image, band of output rows) is one task; tasks are split
// over the cores, so batch 1 uses both. Columns past OW (tail segments) are computed from in-buffer data and
// discarded (the padded buffer has slack for the overrun). Other strides, or no AVX-512, go to v2.
// Tested by Conv2dTests (version 3, all shapes, against ConvReference); timed by ConvBench.
using System.Buffers;

namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dV3
{
    private const int Mr = 12, Nr = 32, BandRows = 4;

    // Output rows narrower than a 32-pixel tile would compute padding columns (OW = 15: 53% wasted), so such
    // convs (PatchGAN's last layers) go to v2 as well: direct only where rounding OW up to 32 costs <= 25%.
    public static bool Applies(in ConvGeometry g)
        => g.StrideH == 1 && g.StrideW == 1 && GemmMicroKernel.Default == GemmKernelShape.Avx512_12x32
           && (g.OutW + Nr - 1) / Nr * Nr * 4 <= g.OutW * 5;

    public static void Forward(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        if (!Applies(g))
        {
            Conv2dV2.Forward(g, x, w, bias, y, accumulate);
            return;
        }
        int kk = g.KernelH * g.KernelW, k = g.InChannels * kk, oc = g.OutChannels, oh_ = g.OutH, ow_ = g.OutW;
        int hp = g.InH + 2 * g.PadH, wp = g.InW + 2 * g.PadW, blocks = (oc + Mr - 1) / Mr;
        long planeP = (long)hp * wp, xpadLen = g.InChannels * planeP + Nr + (long)g.DilationW * g.KernelW + 16;
        long xs = (long)g.InChannels * g.InH * g.InW, ys = (long)oc * oh_ * ow_;
        int[] offsets = ArrayPool<int>.Shared.Rent(k);
        float[] wpack = ArrayPool<float>.Shared.Rent(blocks * Mr * k + 16);
        float[] xpad = ArrayPool<float>.Shared.Rent((int)xpadLen + 16);
        try
        {
            for (int ic = 0, r = 0; ic < g.InChannels; ic++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, r++)
                        offsets[r] = (int)(ic * planeP + (long)kh * g.DilationH * wp + kw * g.DilationW);
            // wpack[b][r][i] = w[b*12 + i, r], zero for channels past OC.
            for (int b = 0; b < blocks; b++)
                for (int r = 0; r < k; r++)
                    for (int i = 0; i < Mr; i++)
                    {
                        int o = b * Mr + i;
                        wpack[((long)b * k + r) * Mr + i] = o < oc ? w[(long)o * k + r] : 0f;
                    }
            // ZeroPad writes each image's padded planes whole; the slack past them (read by tail segments) is cleared here.
            long planes = g.InChannels * planeP;
            Array.Clear(xpad, (int)planes, (int)(xpadLen - planes));
            int bands = (oh_ + BandRows - 1) / BandRows;
            fixed (int* po = offsets) fixed (float* pw = wpack) fixed (float* px = xpad)
            {
                nint offP = (nint)po, wP = (nint)pw, xP = (nint)px, yBase = (nint)y;
                ConvGeometry geo = g;
                for (int n = 0; n < g.Batch; n++)
                {
                    float* yn = y + n * ys;
                    float beta = Conv2d.PrepareOutput(yn, bias, oc, oh_ * ow_, accumulate);
                    ZeroPad.Planes(x + n * xs, g.InChannels, g.InH, g.InW, g.PadH, g.PadW, px);
                    nint ynP = (nint)yn;
                    int parts = Math.Min(Environment.ProcessorCount, bands);
                    if ((long)oc * k * oh_ * ow_ < GemmPacked.ParallelMinMacs) parts = 1;
                    if (parts == 1) Bands(geo, 0, bands, (float*)wP, (float*)xP, (int*)offP, (float*)ynP, beta, k, wp);
                    else
                        Parallel.For(0, parts, t => Bands(geo, t * bands / parts, (t + 1) * bands / parts,
                            (float*)wP, (float*)xP, (int*)offP, (float*)ynP, beta, k, wp));
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<float>.Shared.Return(wpack);
            ArrayPool<float>.Shared.Return(xpad);
        }
    }

    // Output-row bands [b0, b1) of one image: for each band, every 12-channel block, every row, every 32-px segment.
    private static void Bands(in ConvGeometry g, int b0, int b1, float* wpack, float* xpad, int* offsets, float* y,
        float beta, int k, int wp)
    {
        int oc = g.OutChannels, oh_ = g.OutH, ow_ = g.OutW, p = oh_ * ow_;
        float* tile = stackalloc float[Mr * Nr + 16];
        tile = (float*)(((nint)tile + 63) & ~(nint)63);
        for (int band = b0; band < b1; band++)
        {
            int rowEnd = Math.Min(oh_, (band + 1) * BandRows);
            for (int o0 = 0; o0 < oc; o0 += Mr)
            {
                int rows = Math.Min(Mr, oc - o0);
                float* a = wpack + (long)o0 * k;
                for (int oh = band * BandRows; oh < rowEnd; oh++)
                {
                    for (int ow0 = 0; ow0 < ow_; ow0 += Nr)
                    {
                        int cols = Math.Min(Nr, ow_ - ow0);
                        var src = new OffsetRows(xpad + (long)oh * wp + ow0, offsets);
                        float* c = y + (long)o0 * p + (long)oh * ow_ + ow0;
                        // A last block of <= 4 or <= 8 channels runs the kernel's 4- or 8-row cut (OC = 16: 12 + 4,
                        // not 12 + 12 with 8 rows of zero weights); into C directly when the cut fits it exactly.
                        int cut = GemmMicroKernel.CutRows(rows);
                        if (rows == cut && cols == Nr)
                        {
                            GemmMicroKernel.KernelCut(cut, k, a, src, c, p, 1f, beta);
                        }
                        else
                        {
                            GemmMicroKernel.KernelCut(cut, k, a, src, tile, Nr, 1f, 0f);
                            for (int i = 0; i < rows; i++)
                                for (int j = 0; j < cols; j++)
                                    c[(long)i * p + j] = tile[i * Nr + j] + (beta == 0f ? 0f : c[(long)i * p + j]);
                        }
                    }
                }
            }
        }
    }
}
