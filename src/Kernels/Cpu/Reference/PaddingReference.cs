// Scalar oracle for 2-D padding: every output pixel computed from its own index, no row copies.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class PaddingReference
{
    public static void Forward<T>(PadMode mode, ReadOnlySpan<T> x, int planes, int h, int w, int top, int bottom, int left, int right, Span<T> y)
        where T : INumber<T>
    {
        int oh = h + top + bottom, ow = w + left + right;
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    int sr = Padding2d.SourceIndex(mode, r, top, h), sc = Padding2d.SourceIndex(mode, c, left, w);
                    y[(p * oh + r) * ow + c] = sr < 0 || sc < 0 ? T.Zero : x[(p * h + sr) * w + sc];
                }
    }

    public static void Backward<T>(PadMode mode, ReadOnlySpan<T> dy, int planes, int h, int w, int top, int bottom, int left, int right, Span<T> dx, bool accumulate)
        where T : INumber<T>
    {
        int oh = h + top + bottom, ow = w + left + right;
        if (!accumulate) for (int i = 0; i < planes * h * w; i++) dx[i] = T.Zero;
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++)
                {
                    int sr = Padding2d.SourceIndex(mode, r, top, h), sc = Padding2d.SourceIndex(mode, c, left, w);
                    if (sr >= 0 && sc >= 0) dx[(p * h + sr) * w + sc] += dy[(p * oh + r) * ow + c];
                }
    }
}
