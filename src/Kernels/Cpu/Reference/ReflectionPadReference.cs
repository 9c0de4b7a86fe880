// Scalar oracle for 2-D reflection padding (PyTorch ReflectionPad2d; kernels/cu/reflection_pad.cu).
// Input: `planes` = N*C planes of h x w; output planes of (h+top+bottom) x (w+left+right). Pads must be
// smaller than the side they pad (as in PyTorch). The backward scatters each output gradient onto the
// input position it was read from (the CUDA kernel gathers instead: two independent formulations).
// Tested by tests/Opacity.Kernels.Tests/Cuda/EmulatorReflectionPadTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ReflectionPadReference
{
    /// <summary><c>y[p, oh, ow] = x[p, reflect(oh - top, h), reflect(ow - left, w)]</c>,
    /// reflect(-1) = 1, reflect(h) = h - 2.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int planes, int h, int w, int top, int bottom, int left, int right)
        where T : IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, planes, h, w, top, bottom, left, right, "y");
        int ho = h + top + bottom, wo = w + left + right;
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                    y[(p * ho + oh) * wo + ow] = x[(p * h + Reflect(oh - top, h)) * w + Reflect(ow - left, w)];
    }

    /// <summary><c>dx[p, i, j] = (accumulate ? dx : 0) + Σ dy over the output positions that read (i, j)</c>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, Span<T> dx, int planes, int h, int w, int top, int bottom, int left, int right,
        bool accumulate) where T : IFloatingPointIeee754<T>
    {
        Check(dx.Length, dy.Length, planes, h, w, top, bottom, left, right, "dy");
        int ho = h + top + bottom, wo = w + left + right;
        var sum = new double[dx.Length];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                    sum[(p * h + Reflect(oh - top, h)) * w + Reflect(ow - left, w)] += double.CreateTruncating(dy[(p * ho + oh) * wo + ow]);
        for (int i = 0; i < dx.Length; i++)
            dx[i] = T.CreateTruncating((accumulate ? double.CreateTruncating(dx[i]) : 0) + sum[i]);
    }

    private static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;

    private static void Check(int inLength, int outLength, int planes, int h, int w, int top, int bottom, int left, int right, string outName)
    {
        ReferenceChecks.Positive(planes, nameof(planes));
        ReferenceChecks.Positive(h, nameof(h));
        ReferenceChecks.Positive(w, nameof(w));
        if (top < 0 || bottom < 0 || top >= h || bottom >= h)
            throw new ArgumentException($"vertical pads ({top}, {bottom}) must be in [0, h) with h = {h} for a reflection.");
        if (left < 0 || right < 0 || left >= w || right >= w)
            throw new ArgumentException($"horizontal pads ({left}, {right}) must be in [0, w) with w = {w} for a reflection.");
        ReferenceChecks.Length(inLength, (long)planes * h * w, outName == "y" ? "x" : "dx");
        ReferenceChecks.Length(outLength, (long)planes * (h + top + bottom) * (w + left + right), outName);
    }
}
