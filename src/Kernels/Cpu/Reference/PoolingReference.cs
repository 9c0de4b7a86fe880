// Scalar oracle for 2-D average and max pooling over NCHW planes with square window k, stride s and
// zero padding p on every side (floor output size, PyTorch's ceil_mode=False). Average pooling divides
// by k*k (countIncludePad, PyTorch's default) or by the number of real pixels in the window
// (count_include_pad=False, what pytorch-fid's Inception blocks use); max pooling treats the padding as
// -inf, so it never wins. Every output computed from its own index, sums in double, no tiling.
// Oracle of Pooling.cs (the fast float path) in PoolingTests and of the float64 path in the op catalog.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class PoolingReference
{
    /// <summary>First input row/column of window <paramref name="o"/>, clipped to [0, size), the end (exclusive), and the
    /// PyTorch divisor extent when padding counts (the window clipped to [-pad, size + pad)).</summary>
    public static (int Start, int End, int PaddedExtent) Window(int o, int size, int k, int s, int pad)
    {
        int start = o * s - pad;
        int paddedEnd = Math.Min(start + k, size + pad);
        int paddedExtent = paddedEnd - start;
        return (Math.Max(start, 0), Math.Min(start + k, size), paddedExtent);
    }

    public static void AvgForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        int oh = Pooling.OutSize(h, k, s, pad), ow = Pooling.OutSize(w, k, s, pad);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    var (r0, r1, rp) = Window(r, h, k, s, pad);
                    var (c0, c1, cp) = Window(q, w, k, s, pad);
                    double sum = 0;
                    for (int i = r0; i < r1; i++)
                        for (int j = c0; j < c1; j++) sum += double.CreateTruncating(x[(p * h + i) * w + j]);
                    int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
                    y[(p * oh + r) * ow + q] = T.CreateTruncating(sum / count);
                }
    }

    public static void AvgBackward<T>(ReadOnlySpan<T> dy, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, Span<T> dx, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        int oh = Pooling.OutSize(h, k, s, pad), ow = Pooling.OutSize(w, k, s, pad);
        var acc = new double[h * w];
        for (int p = 0; p < planes; p++)
        {
            Array.Clear(acc);
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    var (r0, r1, rp) = Window(r, h, k, s, pad);
                    var (c0, c1, cp) = Window(q, w, k, s, pad);
                    int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
                    double g = double.CreateTruncating(dy[(p * oh + r) * ow + q]) / count;
                    for (int i = r0; i < r1; i++)
                        for (int j = c0; j < c1; j++) acc[i * w + j] += g;
                }
            for (int e = 0; e < h * w; e++)
            {
                int d = p * h * w + e;
                dx[d] = T.CreateTruncating((accumulate ? double.CreateTruncating(dx[d]) : 0) + acc[e]);
            }
        }
    }

    /// <summary>y = window max over the real pixels; <paramref name="argmax"/> gets the flat input index of each max
    /// (first maximum in row-major window order; a NaN wins, the last one if several, as in PyTorch); an empty
    /// <paramref name="argmax"/> means values only.</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, int pad, Span<T> y, Span<int> argmax)
        where T : IFloatingPointIeee754<T>
    {
        int oh = Pooling.OutSize(h, k, s, pad), ow = Pooling.OutSize(w, k, s, pad);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    var (r0, r1, _) = Window(r, h, k, s, pad);
                    var (c0, c1, _) = Window(q, w, k, s, pad);
                    int best = (p * h + r0) * w + c0;
                    for (int i = r0; i < r1; i++)
                        for (int j = c0; j < c1; j++)
                        {
                            int idx = (p * h + i) * w + j;
                            if (x[idx] > x[best] || T.IsNaN(x[idx])) best = idx;
                        }
                    int o = (p * oh + r) * ow + q;
                    y[o] = x[best];
                    if (!argmax.IsEmpty) argmax[o] = best;
                }
    }

    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int inputLength, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        if (!accumulate) dx.Slice(0, inputLength).Clear();
        for (int o = 0; o < dy.Length; o++) dx[argmax[o]] += dy[o];
    }
}
