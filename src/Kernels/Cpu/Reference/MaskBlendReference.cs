// Scalar oracle for the activation-mask blend y = m*g + (1-m)*x (STYLE.md G4: plain loops, double
// accumulation, never optimised). NCHW: g, x, y are N x C x HW; the mask m is N x Cm x HW with
// Cm = 1 (broadcast over channels) or Cm = C. Checked against kernels/cu/mask_blend.cu by the
// emulator and GPU tests in tests/Opacity.Kernels.Tests/Cuda.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class MaskBlendReference
{
    /// <summary><c>y[n,c,p] = m[n,c',p]*g[n,c,p] + (1 - m[n,c',p])*x[n,c,p]</c>, with <c>c' = c / (C/Cm)</c>.</summary>
    public static void Forward<T>(ReadOnlySpan<T> m, ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> y,
        int n, int c, int maskChannels, int hw) where T : IFloatingPointIeee754<T>
    {
        Check(m.Length, g.Length, x.Length, n, c, maskChannels, hw);
        ReferenceChecks.Length(y.Length, (long)n * c * hw, nameof(y));
        int group = c / maskChannels;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++)
                {
                    int i = (b * c + ch) * hw + p;
                    double mv = double.CreateTruncating(m[(b * maskChannels + ch / group) * hw + p]);
                    y[i] = T.CreateTruncating(mv * double.CreateTruncating(g[i]) + (1 - mv) * double.CreateTruncating(x[i]));
                }
    }

    /// <summary>Backward of <see cref="Forward{T}"/>: <c>dm = Σ_group dy*(g - x)</c>, <c>dg = dy*m</c>,
    /// <c>dx = dy*(1 - m)</c>. Each gradient is written as <c>d = (accumulate ? d : 0) + local</c>;
    /// an empty span skips that gradient.</summary>
    public static void Backward<T>(ReadOnlySpan<T> m, ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy,
        Span<T> dm, Span<T> dg, Span<T> dx, int n, int c, int maskChannels, int hw,
        bool accumulateDm, bool accumulateDg, bool accumulateDx) where T : IFloatingPointIeee754<T>
    {
        Check(m.Length, g.Length, x.Length, n, c, maskChannels, hw);
        long total = (long)n * c * hw;
        ReferenceChecks.Length(dy.Length, total, nameof(dy));
        ReferenceChecks.OptionalLength(dm.Length, (long)n * maskChannels * hw, nameof(dm));
        ReferenceChecks.OptionalLength(dg.Length, total, nameof(dg));
        ReferenceChecks.OptionalLength(dx.Length, total, nameof(dx));
        int group = c / maskChannels;
        var dmSum = new double[n * maskChannels * hw];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++)
                {
                    int i = (b * c + ch) * hw + p;
                    int j = (b * maskChannels + ch / group) * hw + p;
                    double mv = double.CreateTruncating(m[j]), d = double.CreateTruncating(dy[i]);
                    dmSum[j] += d * (double.CreateTruncating(g[i]) - double.CreateTruncating(x[i]));
                    if (!dg.IsEmpty) dg[i] = Store(dg[i], d * mv, accumulateDg);
                    if (!dx.IsEmpty) dx[i] = Store(dx[i], d * (1 - mv), accumulateDx);
                }
        if (!dm.IsEmpty)
            for (int j = 0; j < dmSum.Length; j++) dm[j] = Store(dm[j], dmSum[j], accumulateDm);
    }

    private static T Store<T>(T old, double local, bool accumulate) where T : IFloatingPointIeee754<T>
        => T.CreateTruncating((accumulate ? double.CreateTruncating(old) : 0) + local);

    private static void Check(int mLength, int gLength, int xLength, int n, int c, int maskChannels, int hw)
    {
        ReferenceChecks.Positive(n, nameof(n));
        ReferenceChecks.Positive(c, nameof(c));
        ReferenceChecks.Positive(hw, nameof(hw));
        if (maskChannels != 1 && maskChannels != c)
            throw new ArgumentException($"maskChannels is {maskChannels}; it must be 1 or the image channel count {c}.", nameof(maskChannels));
        ReferenceChecks.Length(mLength, (long)n * maskChannels * hw, "m");
        ReferenceChecks.Length(gLength, (long)n * c * hw, "g");
        ReferenceChecks.Length(xLength, (long)n * c * hw, "x");
    }
}
