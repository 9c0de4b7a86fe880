// Scalar oracle for nearest-neighbour upsampling by an integer factor (kernels/cu/upsample.cu):
// `planes` = N*C planes of h x w -> (h*s) x (w*s). The backward scatters each output gradient to its
// source pixel (the kernel gathers). Tested by tests/Opacity.Kernels.Tests/Cuda/EmulatorUpsampleConcatTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class UpsampleReference
{
    /// <summary><c>y[p, oh, ow] = x[p, oh / s, ow / s]</c></summary>
    public static void NearestForward<T>(ReadOnlySpan<T> x, Span<T> y, int planes, int h, int w, int s) where T : IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, planes, h, w, s, "x", "y");
        int ho = h * s, wo = w * s;
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                    y[(p * ho + oh) * wo + ow] = x[(p * h + oh / s) * w + ow / s];
    }

    /// <summary><c>dx[p, i, j] = (accumulate ? dx : 0) + Σ_{a,b &lt; s} dy[p, i*s + a, j*s + b]</c></summary>
    public static void NearestBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int planes, int h, int w, int s, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        Check(dx.Length, dy.Length, planes, h, w, s, "dx", "dy");
        int ho = h * s, wo = w * s;
        var sum = new double[dx.Length];
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < ho; oh++)
                for (int ow = 0; ow < wo; ow++)
                    sum[(p * h + oh / s) * w + ow / s] += double.CreateTruncating(dy[(p * ho + oh) * wo + ow]);
        for (int i = 0; i < dx.Length; i++)
            dx[i] = T.CreateTruncating((accumulate ? double.CreateTruncating(dx[i]) : 0) + sum[i]);
    }

    private static void Check(int inLength, int outLength, int planes, int h, int w, int s, string inName, string outName)
    {
        ReferenceChecks.Positive(planes, nameof(planes));
        ReferenceChecks.Positive(h, nameof(h));
        ReferenceChecks.Positive(w, nameof(w));
        ReferenceChecks.Positive(s, nameof(s));
        ReferenceChecks.Length(inLength, (long)planes * h * w, inName);
        ReferenceChecks.Length(outLength, (long)planes * h * s * w * s, outName);
    }
}
