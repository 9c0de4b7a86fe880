// Reflection and zero padding of NCHW planes, forward and backward (accumulating, G3).
// Reflection follows PyTorch's ReflectionPad2d: the edge pixel is not repeated, so pad < size.
// Memory-bound; one generic version (row copies) serves float and double; PaddingReference is the oracle.
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public enum PadMode
{
    Zero,
    Reflect,
}

public static class Padding2d
{
    /// <summary>Source coordinate read by output coordinate <paramref name="o"/> (or -1 for a zero pad).</summary>
    public static int SourceIndex(PadMode mode, int o, int pad, int size)
    {
        int i = o - pad;
        if (i >= 0 && i < size) return i;
        if (mode == PadMode.Zero) return -1;
        if (i < 0) i = -i;
        if (i >= size) i = 2 * (size - 1) - i;
        return i;
    }

    /// <summary>y (planes x (H+top+bottom) x (W+left+right)) from x (planes x H x W).</summary>
    public static void Forward<T>(PadMode mode, ReadOnlySpan<T> x, int planes, int h, int w, int top, int bottom, int left, int right, Span<T> y)
        where T : unmanaged, INumber<T>
    {
        int oh = h + top + bottom, ow = w + left + right;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<T> src = x.Slice(p * h * w, h * w);
            Span<T> dst = y.Slice(p * oh * ow, oh * ow);
            for (int r = 0; r < oh; r++)
            {
                Span<T> row = dst.Slice(r * ow, ow);
                int sr = SourceIndex(mode, r, top, h);
                if (sr < 0) { row.Clear(); continue; }
                ReadOnlySpan<T> srow = src.Slice(sr * w, w);
                srow.CopyTo(row.Slice(left, w));
                for (int c = 0; c < left; c++) { int sc = SourceIndex(mode, c, left, w); row[c] = sc < 0 ? T.Zero : srow[sc]; }
                for (int c = left + w; c < ow; c++) { int sc = SourceIndex(mode, c, left, w); row[c] = sc < 0 ? T.Zero : srow[sc]; }
            }
        }
    }

    /// <summary>dx (+)= the sum of dy over every output position that read each input position.</summary>
    public static void Backward<T>(PadMode mode, ReadOnlySpan<T> dy, int planes, int h, int w, int top, int bottom, int left, int right, Span<T> dx, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        int oh = h + top + bottom, ow = w + left + right;
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<T> src = dy.Slice(p * oh * ow, oh * ow);
            Span<T> dst = dx.Slice(p * h * w, h * w);
            for (int r = 0; r < oh; r++)
            {
                int sr = SourceIndex(mode, r, top, h);
                if (sr < 0) continue;
                ReadOnlySpan<T> row = src.Slice(r * ow, ow);
                Span<T> drow = dst.Slice(sr * w, w);
                for (int c = 0; c < w; c++) drow[c] += row[left + c];
                for (int c = 0; c < left; c++) { int sc = SourceIndex(mode, c, left, w); if (sc >= 0) drow[sc] += row[c]; }
                for (int c = left + w; c < ow; c++) { int sc = SourceIndex(mode, c, left, w); if (sc >= 0) drow[sc] += row[c]; }
            }
        }
    }
}
