// Average and max pooling over NCHW planes (no padding; floor output size), forward and backward
// (accumulating, G3). Max pooling records the argmax index per output so the backward is a scatter;
// ties take the first maximum in row-major window order, as PyTorch does. Small kernels, one generic
// version serves both dtypes; the loops are the reference (there is no faster twin yet).
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class Pooling
{
    public static int OutSize(int size, int kernel, int stride) => (size - kernel) / stride + 1;

    public static void AvgForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        int oh = OutSize(h, k, s), ow = OutSize(w, k, s);
        T inv = T.One / T.CreateTruncating(k * k);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    T sum = T.Zero;
                    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) sum += x[(p * h + r * s + i) * w + q * s + j];
                    y[(p * oh + r) * ow + q] = sum * inv;
                }
    }

    public static void AvgBackward<T>(ReadOnlySpan<T> dy, int planes, int h, int w, int k, int s, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        int oh = OutSize(h, k, s), ow = OutSize(w, k, s);
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        T inv = T.One / T.CreateTruncating(k * k);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    T g = dy[(p * oh + r) * ow + q] * inv;
                    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) dx[(p * h + r * s + i) * w + q * s + j] += g;
                }
    }

    /// <summary>y = window max; <paramref name="argmax"/> gets the flat input index of each max.</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, Span<T> y, Span<int> argmax) where T : IFloatingPointIeee754<T>
    {
        int oh = OutSize(h, k, s), ow = OutSize(w, k, s);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    int best = (p * h + r * s) * w + q * s;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                        {
                            int idx = (p * h + r * s + i) * w + q * s + j;
                            if (x[idx] > x[best] || T.IsNaN(x[idx])) best = idx;
                        }
                    int o = (p * oh + r) * ow + q;
                    y[o] = x[best]; argmax[o] = best;
                }
    }

    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int inputLength, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        if (!accumulate) dx.Slice(0, inputLength).Clear();
        for (int o = 0; o < dy.Length; o++) dx[argmax[o]] += dy[o];
    }
}
