using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ConvReference
{
    public static void Forward<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        int oh = g.OutH, ow = g.OutW;
        for (int n = 0; n < g.Batch; n++)
            for (int k = 0; k < g.OutChannels; k++)
                for (int p = 0; p < oh; p++)
                    for (int q = 0; q < ow; q++)
                    {
                        double s = bias.IsEmpty ? 0 : double.CreateTruncating(bias[k]);
                        for (int c = 0; c < g.InChannels; c++)
                            for (int r = 0; r < g.KernelH; r++)
                                for (int t = 0; t < g.KernelW; t++)
                                {
                                    int ih = p * g.StrideH - g.PadH + r * g.DilationH, iw = q * g.StrideW - g.PadW + t * g.DilationW;
                                    if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                                    s += double.CreateTruncating(x[((n * g.InChannels + c) * g.InH + ih) * g.InW + iw]) * double.CreateTruncating(w[((k * g.InChannels + c) * g.KernelH + r) * g.KernelW + t]);
                                }
                        int o = ((n * g.OutChannels + k) * oh + p) * ow + q;
                        y[o] = (accumulate ? y[o] : T.Zero) + T.CreateTruncating(s);
                    }
    }

    public static void BackwardInput<T>(in ConvGeometry g, ReadOnlySpan<T> w, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        int oh = g.OutH, ow = g.OutW;
        var acc = new double[g.Batch * g.InChannels * g.InH * g.InW];
        for (int n = 0; n < g.Batch; n++)
            for (int k = 0; k < g.OutChannels; k++)
                for (int p = 0; p < oh; p++)
                    for (int q = 0; q < ow; q++)
                    {
                        double d = double.CreateTruncating(dy[((n * g.OutChannels + k) * oh + p) * ow + q]);
                        for (int c = 0; c < g.InChannels; c++)
                            for (int r = 0; r < g.KernelH; r++)
                                for (int t = 0; t < g.KernelW; t++)
                                {
                                    int ih = p * g.StrideH - g.PadH + r * g.DilationH, iw = q * g.StrideW - g.PadW + t * g.DilationW;
                                    if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                                    acc[((n * g.InChannels + c) * g.InH + ih) * g.InW + iw] += d * double.CreateTruncating(w[((k * g.InChannels + c) * g.KernelH + r) * g.KernelW + t]);
                                }
                    }
        for (int i = 0; i < acc.Length; i++) dx[i] = (accumulate ? dx[i] : T.Zero) + T.CreateTruncating(acc[i]);
    }

    public static void BackwardWeight<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        int oh = g.OutH, ow = g.OutW;
        for (int k = 0; k < g.OutChannels; k++)
            for (int c = 0; c < g.InChannels; c++)
                for (int r = 0; r < g.KernelH; r++)
                    for (int t = 0; t < g.KernelW; t++)
                    {
                        double s = 0;
                        for (int n = 0; n < g.Batch; n++)
                            for (int p = 0; p < oh; p++)
                                for (int q = 0; q < ow; q++)
                                {
                                    int ih = p * g.StrideH - g.PadH + r * g.DilationH, iw = q * g.StrideW - g.PadW + t * g.DilationW;
                                    if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                                    s += double.CreateTruncating(x[((n * g.InChannels + c) * g.InH + ih) * g.InW + iw]) * double.CreateTruncating(dy[((n * g.OutChannels + k) * oh + p) * ow + q]);
                                }
                        int o = ((k * g.InChannels + c) * g.KernelH + r) * g.KernelW + t;
                        dw[o] = (accumulate ? dw[o] : T.Zero) + T.CreateTruncating(s);
                    }
    }

    public static void BackwardBias<T>(in ConvGeometry g, ReadOnlySpan<T> dy, Span<T> db, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        int plane = g.OutH * g.OutW;
        for (int k = 0; k < g.OutChannels; k++)
        {
            double s = 0;
            for (int n = 0; n < g.Batch; n++) for (int i = 0; i < plane; i++) s += double.CreateTruncating(dy[(n * g.OutChannels + k) * plane + i]);
            db[k] = (accumulate ? db[k] : T.Zero) + T.CreateTruncating(s);
        }
    }
}
