// Scalar 2-D convolution oracle (NCHW, weight (OC, IC, KH, KW), zero padding, stride, dilation), generic over
// float/double, sums accumulated in double. Never optimised (STYLE.md G4). Legend: N batch, IC/OC channels,
// KH/KW kernel, S stride, P pad, D dilation; input row of output row oh and tap kh: ih = oh*S - P + kh*D.
// accumulate = true adds the result onto the output (G3 gradient contract), false overwrites it.
// Tested by ConvReferenceTests (a hand-computed case) and used as the oracle in Conv2dTests.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ConvReference
{
    /// <summary><c>y[n,oc,oh,ow] = bias[oc] + sum_{ic,kh,kw} x[n,ic,oh*S-P+kh*D,ow*S-P+kw*D] * w[oc,ic,kh,kw]</c>
    /// (out-of-range x reads as 0; empty bias = no bias).</summary>
    public static void Forward<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias,
        Span<T> y, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        g.Check(x.Length, w.Length, y.Length);
        CheckBias(g, bias.Length);
        int oh_ = g.OutH, ow_ = g.OutW;
        for (int n = 0; n < g.Batch; n++)
        for (int oc = 0; oc < g.OutChannels; oc++)
        for (int oh = 0; oh < oh_; oh++)
        for (int ow = 0; ow < ow_; ow++)
        {
            double sum = bias.IsEmpty ? 0 : double.CreateTruncating(bias[oc]);
            for (int ic = 0; ic < g.InChannels; ic++)
            for (int kh = 0; kh < g.KernelH; kh++)
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                sum += double.CreateTruncating(x[XIndex(g, n, ic, ih, iw)])
                     * double.CreateTruncating(w[WIndex(g, oc, ic, kh, kw)]);
            }
            int yi = ((n * g.OutChannels + oc) * oh_ + oh) * ow_ + ow;
            y[yi] = (accumulate ? y[yi] : T.Zero) + T.CreateTruncating(sum);
        }
    }

    /// <summary><c>dx[n,ic,ih,iw] = sum over (oc,kh,kw,oh,ow) with ih = oh*S-P+kh*D, iw = ow*S-P+kw*D of
    /// dy[n,oc,oh,ow] * w[oc,ic,kh,kw]</c>.</summary>
    public static void BackwardInput<T>(in ConvGeometry g, ReadOnlySpan<T> w, ReadOnlySpan<T> dy, Span<T> dx,
        bool accumulate) where T : IFloatingPointIeee754<T>
    {
        g.Check(dx.Length, w.Length, dy.Length);
        var sum = new double[dx.Length];
        int oh_ = g.OutH, ow_ = g.OutW;
        for (int n = 0; n < g.Batch; n++)
        for (int oc = 0; oc < g.OutChannels; oc++)
        for (int oh = 0; oh < oh_; oh++)
        for (int ow = 0; ow < ow_; ow++)
        {
            double d = double.CreateTruncating(dy[((n * g.OutChannels + oc) * oh_ + oh) * ow_ + ow]);
            for (int ic = 0; ic < g.InChannels; ic++)
            for (int kh = 0; kh < g.KernelH; kh++)
            for (int kw = 0; kw < g.KernelW; kw++)
            {
                int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                sum[XIndex(g, n, ic, ih, iw)] += d * double.CreateTruncating(w[WIndex(g, oc, ic, kh, kw)]);
            }
        }
        for (int i = 0; i < dx.Length; i++) dx[i] = (accumulate ? dx[i] : T.Zero) + T.CreateTruncating(sum[i]);
    }

    /// <summary><c>dw[oc,ic,kh,kw] = sum_{n,oh,ow} dy[n,oc,oh,ow] * x[n,ic,oh*S-P+kh*D,ow*S-P+kw*D]</c>.</summary>
    public static void BackwardWeight<T>(in ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw,
        bool accumulate) where T : IFloatingPointIeee754<T>
    {
        g.Check(x.Length, dw.Length, dy.Length);
        int oh_ = g.OutH, ow_ = g.OutW;
        for (int oc = 0; oc < g.OutChannels; oc++)
        for (int ic = 0; ic < g.InChannels; ic++)
        for (int kh = 0; kh < g.KernelH; kh++)
        for (int kw = 0; kw < g.KernelW; kw++)
        {
            double sum = 0;
            for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < oh_; oh++)
            for (int ow = 0; ow < ow_; ow++)
            {
                int ih = oh * g.StrideH - g.PadH + kh * g.DilationH;
                int iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                sum += double.CreateTruncating(dy[((n * g.OutChannels + oc) * oh_ + oh) * ow_ + ow])
                     * double.CreateTruncating(x[XIndex(g, n, ic, ih, iw)]);
            }
            int wi = WIndex(g, oc, ic, kh, kw);
            dw[wi] = (accumulate ? dw[wi] : T.Zero) + T.CreateTruncating(sum);
        }
    }

    /// <summary><c>db[oc] = sum_{n,oh,ow} dy[n,oc,oh,ow]</c>.</summary>
    public static void BackwardBias<T>(in ConvGeometry g, ReadOnlySpan<T> dy, Span<T> db, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        if (dy.Length != g.YLength) throw new ArgumentException($"dy has {dy.Length} elements, the geometry {g} needs {g.YLength}.");
        CheckBias(g, db.Length, allowEmpty: false);
        int plane = g.OutH * g.OutW;
        for (int oc = 0; oc < g.OutChannels; oc++)
        {
            double sum = 0;
            for (int n = 0; n < g.Batch; n++)
                for (int i = 0; i < plane; i++) sum += double.CreateTruncating(dy[(n * g.OutChannels + oc) * plane + i]);
            db[oc] = (accumulate ? db[oc] : T.Zero) + T.CreateTruncating(sum);
        }
    }

    internal static void CheckBias(in ConvGeometry g, int length, bool allowEmpty = true)
    {
        if ((allowEmpty && length == 0) || length == g.OutChannels) return;
        throw new ArgumentException($"Bias has {length} elements, the conv has {g.OutChannels} output channels.");
    }

    private static int XIndex(in ConvGeometry g, int n, int ic, int ih, int iw)
        => ((n * g.InChannels + ic) * g.InH + ih) * g.InW + iw;

    private static int WIndex(in ConvGeometry g, int oc, int ic, int kh, int kw)
        => ((oc * g.InChannels + ic) * g.KernelH + kh) * g.KernelW + kw;
}
