// DisplayWindow: stored values -> display intensities in [0, 1]. One version, shared by the DICOM
// and JSRT readers. Order (PS3.3 C.11): modality rescale (slope, intercept), then the VOI window
// when present (LINEAR by default, LINEAR_EXACT, SIGMOID as C.11.2.1.2-3), else the fallback range
// (image min..max, or the BitsStored range); MONOCHROME1 is inverted last, as viewers show it.
// Tested by DicomReaderTests (VOI, rescale, MONOCHROME1) and JsrtReaderTests.
namespace Opacity.Gan.Data.Readers;

internal sealed record DisplayWindow(double Slope, double Intercept, double? Center, double? Width, string VoiFunction)
{
    public static DisplayWindow Identity { get; } = new(1, 0, null, null, "LINEAR");

    public bool HasVoi => Center is not null && Width is not null && Width.Value > 0;

    /// <summary>Maps stored values to [0, 1]; <paramref name="storedMin"/>..<paramref name="storedMax"/>
    /// is the range BitsStored allows (used by <see cref="WindowFallback.StoredRange"/>).</summary>
    public float[] Apply(ReadOnlySpan<int> stored, bool invert, WindowFallback fallback, int storedMin, int storedMax)
    {
        var display = new float[stored.Length];
        if (HasVoi)
        {
            double c = Center!.Value, w = Width!.Value;
            for (int i = 0; i < stored.Length; i++)
                display[i] = (float)Voi(stored[i] * Slope + Intercept, c, w);
        }
        else
        {
            double lo, hi;
            if (fallback == WindowFallback.StoredRange)
            {
                lo = storedMin * Slope + Intercept;
                hi = storedMax * Slope + Intercept;
            }
            else
            {
                int min = int.MaxValue, max = int.MinValue;
                foreach (int v in stored)
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
                lo = min * Slope + Intercept;
                hi = max * Slope + Intercept;
            }
            if (lo > hi)
                (lo, hi) = (hi, lo);          // a negative slope reverses the range
            double scale = hi > lo ? 1.0 / (hi - lo) : 0.0;
            if (!double.IsFinite(scale))
                scale = 0.0;                  // a denormal slope: the range is too small to resolve
            for (int i = 0; i < stored.Length; i++)
                display[i] = (float)Math.Clamp((stored[i] * Slope + Intercept - lo) * scale, 0.0, 1.0);
        }
        if (invert)
        {
            for (int i = 0; i < display.Length; i++)
                display[i] = 1f - display[i];
        }
        return display;
    }

    private double Voi(double x, double c, double w)
    {
        switch (VoiFunction)
        {
            case "LINEAR_EXACT":
                return Math.Clamp((x - c) / w + 0.5, 0.0, 1.0);
            case "SIGMOID":
                return 1.0 / (1.0 + Math.Exp(-4.0 * (x - c) / w));
            default:
                // C.11.2.1.2.1: below c - 0.5 - (w-1)/2 -> 0, above c - 0.5 + (w-1)/2 -> 1, linear between.
                double c1 = c - 0.5, w1 = w - 1.0;
                if (x <= c1 - w1 / 2)
                    return 0.0;
                if (x > c1 + w1 / 2)
                    return 1.0;
                return w1 > 0 ? (x - c1) / w1 + 0.5 : 1.0;
        }
    }
}
