// 2-D convolution, float32, NCHW, weight (OC, IC, KH, KW), zero padding, any stride/dilation: the fast path.
// Versions: v1 Conv2dV1 (explicit im2col/col2im buffers + Gemm.Sgemm); v2 Conv2dV2 (implicit im2col packed
// straight into the SGEMM panels, stride-1 BackwardInput as a forward conv with flipped weights);
// v3 = v2 plus direct stride-1 kernels: Conv2dV3 forward (also serves stride-1 BackwardInput) and
// Conv2dV3Weight for small OC, picked per shape by the first rule in Conv2dRule.cs; v4 = the same
// kernels picked by the revised rule there (in short: direct forward only with >= 128 taps; dx flipped onto
// the GEMM when OC < 8; direct dw for OC <= 16, or OC <= 32 with < 128 taps); v5 = v4 plus Winograd
// F(4x4, 3x3) (Conv2dWinograd) for the forward and the flipped dx of 3x3 stride-1 convs with >= 16 channels
// on both sides and rows of >= 7 tiles (4x fewer multiply-adds; rounding ~1e-5 relative instead of ~1e-7);
// v6 (default) = v5 plus Winograd's adjoint for dw on the same convs (Conv2dWinogradWeight); v7 = v6 with
// Winograd also on rows that only 4-tile runs fill (the 16-px maps of the demo's U-Nets; TileLayout's quads).
// v3 to v6 stay for the same-run comparison.
// accumulate = true adds onto the output (the G3 gradient contract), false overwrites.
// Tested by tests/Opacity.Kernels.Tests/Cpu/Conv2dTests.cs against Reference/ConvReference.cs; timed by
// bench/Opacity.Bench/Cpu/ConvBench.cs.
using System.Numerics.Tensors;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Cpu;

public static class Conv2d
{
    /// <summary>The version the public entry points run; every version stays compiled, tested and benchmarked.</summary>
    internal const int DefaultVersion = 6;

    /// <summary><c>y (+)= bias[oc] + sum_{ic,kh,kw} x[n,ic,oh*S-P+kh*D,ow*S-P+kw*D] * w[oc,ic,kh,kw]</c>;
    /// empty <paramref name="bias"/> means no bias.</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, bool accumulate) => Forward(DefaultVersion, g, x, w, bias, y, accumulate);

    /// <summary><c>dx (+)= conv_transpose(dy, w)</c>: the gradient of Forward with respect to x.</summary>
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> w, ReadOnlySpan<float> dy, Span<float> dx,
        bool accumulate) => BackwardInput(DefaultVersion, g, w, dy, dx, accumulate);

    /// <summary><c>dw[oc,ic,kh,kw] (+)= sum_{n,oh,ow} dy[n,oc,oh,ow] * x[n,ic,oh*S-P+kh*D,ow*S-P+kw*D]</c>.</summary>
    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw,
        bool accumulate) => BackwardWeight(DefaultVersion, g, x, dy, dw, accumulate);

    /// <summary><c>db[oc] (+)= sum_{n,oh,ow} dy[n,oc,oh,ow]</c>.</summary>
    public static void BackwardBias(in ConvGeometry g, ReadOnlySpan<float> dy, Span<float> db, bool accumulate)
    {
        g.Validate();
        if (dy.Length != g.YLength) throw new ArgumentException($"dy has {dy.Length} elements, the geometry {g} needs {g.YLength}.");
        ConvReference.CheckBias(g, db.Length, allowEmpty: false);
        int plane = g.OutH * g.OutW;
        for (int oc = 0; oc < g.OutChannels; oc++)
        {
            double sum = 0;  // per-plane float sums (vectorised), summed over the batch in double
            for (int n = 0; n < g.Batch; n++) sum += TensorPrimitives.Sum(dy.Slice((n * g.OutChannels + oc) * plane, plane));
            db[oc] = (accumulate ? db[oc] : 0f) + (float)sum;
        }
    }

    internal static unsafe void Forward(int version, in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, bool accumulate)
    {
        g.Check(x.Length, w.Length, y.Length);
        ConvReference.CheckBias(g, bias.Length);
        fixed (float* px = x) fixed (float* pw = w) fixed (float* pb = bias) fixed (float* py = y)
        {
            if (version == 1) Conv2dV1.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else if (version == 2) Conv2dV2.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else if (version is 3 or 4 && Conv2dRule.DirectForward(g, version))
                Conv2dV3.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else if (version is >= 5 and <= 7 && Conv2dWinograd.Applies(g, quads: version == 7))
                Conv2dWinograd.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else if (version is >= 5 and <= 7 && Conv2dRule.DirectForward(g, 4))
                Conv2dV3.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else if (version is >= 3 and <= 7) Conv2dV2.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
            else throw BadVersion(version);
        }
    }

    internal static unsafe void BackwardInput(int version, in ConvGeometry g, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, bool accumulate)
    {
        g.Check(dx.Length, w.Length, dy.Length);
        fixed (float* pw = w) fixed (float* pdy = dy) fixed (float* pdx = dx)
        {
            if (version == 1) Conv2dV1.BackwardInput(g, pw, pdy, pdx, accumulate);
            else if (version is >= 2 and <= 7)
                Conv2dV2.BackwardInput(g, pw, pdy, pdx, accumulate, Conv2dRule.BackwardInput(g, version));
            else throw BadVersion(version);
        }
    }

    internal static unsafe void BackwardWeight(int version, in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, bool accumulate)
    {
        g.Check(x.Length, dw.Length, dy.Length);
        fixed (float* px = x) fixed (float* pdy = dy) fixed (float* pdw = dw)
        {
            if (version == 1) Conv2dV1.BackwardWeight(g, px, pdy, pdw, accumulate);
            else if (version == 2) Conv2dV2.BackwardWeight(g, px, pdy, pdw, accumulate);
            else if (version is 6 or 7 && Conv2dWinograd.Applies(g, quads: version == 7))
                Conv2dWinogradWeight.BackwardWeight(g, px, pdy, pdw, accumulate);
            else if (version is >= 3 and <= 7 && Conv2dRule.DirectWeight(g, Math.Min(version, 4)))
                Conv2dV3Weight.BackwardWeight(g, px, pdy, pdw, accumulate);
            else if (version is >= 3 and <= 7) Conv2dV2.BackwardWeight(g, px, pdy, pdw, accumulate);
            else throw BadVersion(version);
        }
    }

    /// <summary>Prepares one image's output for a GEMM that adds onto it: y = (accumulate ? y : 0) + bias[oc].
    /// Returns the GEMM beta (0 when y can simply be overwritten).</summary>
    internal static unsafe float PrepareOutput(float* y, float* bias, int outChannels, int plane, bool accumulate)
    {
        if (bias == null) return accumulate ? 1f : 0f;
        for (int oc = 0; oc < outChannels; oc++)
        {
            var row = new Span<float>(y + (long)oc * plane, plane);
            if (accumulate) TensorPrimitives.Add(row, bias[oc], row);
            else row.Fill(bias[oc]);
        }
        return 1f;
    }

    private static ArgumentOutOfRangeException BadVersion(int version)
        => new(nameof(version), version, "Conv2d versions are 1 to 7.");
}
