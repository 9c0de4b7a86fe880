// Nearest and bilinear upsampling of NCHW planes to (oh, ow), forward and backward (accumulating).
// Source coordinates follow PyTorch with align_corners=False: src = (dst + 0.5) * (in/out) - 0.5,
// clamped at 0; nearest uses floor(dst * in/out). v1: per-pixel source arithmetic, one thread; the oracle of
// UpsampleV2 (which the CPU backend runs for float32; float64, the gradient checks' type, runs this one).
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class Upsample
{
    public static int NearestIndex(int o, int inSize, int outSize) => Math.Min((int)Math.Floor(o * ((double)inSize / outSize)), inSize - 1);

    /// <summary>Left source index, right source index and the right weight for output coordinate <paramref name="o"/>.</summary>
    public static (int I0, int I1, double W1) LinearSource(int o, int inSize, int outSize)
    {
        double src = (o + 0.5) * ((double)inSize / outSize) - 0.5;
        if (src < 0) src = 0;
        int i0 = Math.Min((int)src, inSize - 1);
        int i1 = Math.Min(i0 + 1, inSize - 1);
        return (i0, i1, src - i0);
    }

    public static void Forward<T>(bool bilinear, ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    int o = (p * oh + r) * ow + c;
                    if (!bilinear) { y[o] = x[(p * h + NearestIndex(r, h, oh)) * w + NearestIndex(c, w, ow)]; continue; }
                    var (r0, r1, wr) = LinearSource(r, h, oh);
                    var (c0, c1, wc) = LinearSource(c, w, ow);
                    int b = p * h * w;
                    double v = (1 - wr) * ((1 - wc) * double.CreateTruncating(x[b + r0 * w + c0]) + wc * double.CreateTruncating(x[b + r0 * w + c1]))
                             + wr * ((1 - wc) * double.CreateTruncating(x[b + r1 * w + c0]) + wc * double.CreateTruncating(x[b + r1 * w + c1]));
                    y[o] = T.CreateTruncating(v);
                }
    }

    public static void Backward<T>(bool bilinear, ReadOnlySpan<T> dy, int planes, int h, int w, int oh, int ow, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    T g = dy[(p * oh + r) * ow + c];
                    int b = p * h * w;
                    if (!bilinear) { dx[b + NearestIndex(r, h, oh) * w + NearestIndex(c, w, ow)] += g; continue; }
                    var (r0, r1, wr) = LinearSource(r, h, oh);
                    var (c0, c1, wc) = LinearSource(c, w, ow);
                    dx[b + r0 * w + c0] += g * T.CreateTruncating((1 - wr) * (1 - wc));
                    dx[b + r0 * w + c1] += g * T.CreateTruncating((1 - wr) * wc);
                    dx[b + r1 * w + c0] += g * T.CreateTruncating(wr * (1 - wc));
                    dx[b + r1 * w + c1] += g * T.CreateTruncating(wr * wc);
                }
    }
}
