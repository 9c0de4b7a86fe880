// The detector and display chain shared by an opacity image and its paired clear truth (PHANTOM.md section 2):
//   primary intensity exp(-mu t) (computed by AnatomyRenderer), area-downsampled to the output grid
//   + scatter: the CLEAR image's primary convolved with a wide Gaussian (~4-7 cm), scaled; shared by the pair
//   -> detector blur (Gaussian, sigma 0.2-0.5 px, radius 2 px)
//   -> quantum + electronic noise: one standard-normal field per patient, scaled by each image's own
//      sqrt(signal), so the pair differs only where the signal differs
//   -> log -> window from the clear image's percentiles -> range compression with the clear image's
//      low-pass (multi-scale-processing stand-in) -> S-curve and gamma (one 8193-entry table) -> [0, 1].
// Everything global is taken from the clear image, so the opacity and clear images are identical outside the
// opacity mask dilated by the blur radius (2 px). Tested by PhantomPairTests (exact zero difference there).
using System.Runtime.CompilerServices;

namespace Opacity.Gan.Data.Phantoms;

internal sealed class Imaging
{
    public const int BlurRadius = 2;
    private readonly int _n;
    private readonly double _scatter, _scatterSigmaPx, _blurSigmaPx, _quantum, _electronic;
    private readonly double _compress, _detail, _contrast, _gamma, _lowSigmaPx;

    public Imaging(DetRandom r, int n, PhantomOptions o)
    {
        _n = n;
        double pxPerCm = n / PixelFrame.FieldCm;
        _scatter = r.Uniform(0.7, 1.3);
        _scatterSigmaPx = r.Uniform(4, 7) * pxPerCm;
        _blurSigmaPx = r.Uniform(0.2, 0.5) * o.BlurScale;   // flat panel ~0.14 mm plus resampling
        // quantum scale per output pixel: relative noise ~1-2 % in the lungs at 256 px, grows mildly with size
        _quantum = r.Uniform(1.2e-5, 3.5e-5) * (n / 256.0) * o.NoiseScale * o.NoiseScale;
        _electronic = r.Uniform(2e-4, 6e-4) * o.NoiseScale;
        _compress = r.Uniform(0.35, 0.55);
        _detail = r.Uniform(0.3, 0.8);
        _contrast = r.Uniform(3.0, 5.0);
        _gamma = r.Uniform(0.85, 1.2);
        _lowSigmaPx = r.Uniform(2.0, 3.5) * pxPerCm;
    }

    /// <summary>Runs the chain; <paramref name="primaryOpacity"/> may be null (clear domain).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Develop(double[] primaryClear, double[]? primaryOpacity, double[] noise, float[] outClear, float[]? outOpacity)
    {
        int n = _n, len = n * n;
        var tmp = new double[len];
        var scatter = new double[len];
        GaussianBoxes(primaryClear, scatter, tmp, _scatterSigmaPx);
        var dClear = Detect(primaryClear, scatter, noise, tmp);
        double[]? dOpacity = primaryOpacity == null ? null : Detect(primaryOpacity, scatter, noise, tmp);

        // window from the clear image, as vendors do after locating direct exposure: from the 1st percentile
        // of the log signal inside the body (primary < 0.3) to the 99.9th percentile overall
        double lo = Percentile(dClear, 0.01, primaryClear, 0.3), hi = Percentile(dClear, 0.999, primaryClear, 2);
        double scale = hi > lo ? 1 / (hi - lo) : 1;
        for (int i = 0; i < len; i++) dClear[i] = (dClear[i] - lo) * scale;
        if (dOpacity != null) for (int i = 0; i < len; i++) dOpacity[i] = (dOpacity[i] - lo) * scale;

        var low = new double[len];
        GaussianBoxes(dClear, low, tmp, _lowSigmaPx);
        double mean = 0;
        for (int i = 0; i < len; i++) mean += low[i];
        mean /= len;
        Display(dClear, low, mean, outClear);
        if (dOpacity != null) Display(dOpacity, low, mean, outOpacity!);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] Detect(double[] primary, double[] scatter, double[] noise, double[] tmp)
    {
        int len = _n * _n;
        var e = new double[len];
        for (int i = 0; i < len; i++) e[i] = primary[i] + _scatter * scatter[i];
        if (_blurSigmaPx > 0) SmallBlur(e, tmp, _blurSigmaPx);
        for (int i = 0; i < len; i++)
        {
            double s = e[i] + Math.Sqrt(_quantum * e[i] + _electronic * _electronic) * noise[i];
            e[i] = -DetMath.Log(s < 1e-5 ? 1e-5 : s);
        }
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Display(double[] d, double[] low, double mean, float[] output)
    {
        double[] lut = _lut ??= BuildLut();
        for (int i = 0; i < d.Length; i++)
        {
            // compress the low-pass range, boost detail, then the tone curve (table, linear interpolation)
            double v = (1 - _compress) * low[i] + _compress * mean + (1 + _detail) * (d[i] - low[i]);
            double pos = (v - LutLo) * (LutSize / (LutHi - LutLo));
            if (pos <= 0) { output[i] = (float)lut[0]; continue; }
            if (pos >= LutSize) { output[i] = (float)lut[LutSize]; continue; }
            int j = (int)pos;
            double frac = pos - j;
            output[i] = (float)(lut[j] + frac * (lut[j + 1] - lut[j]));
        }
    }

    private const int LutSize = 8192;
    private const double LutLo = -0.5, LutHi = 1.5;
    private double[]? _lut;

    /// <summary>Tone curve on [LutLo, LutHi]: S-curve normalised to 0..1 on [0, 1], clamped, then gamma.</summary>
    private double[] BuildLut()
    {
        var lut = new double[LutSize + 1];
        double k = _contrast, s0 = Sigmoid(-0.5 * k), s1 = Sigmoid(0.5 * k);
        for (int j = 0; j <= LutSize; j++)
        {
            double v = LutLo + (LutHi - LutLo) * j / LutSize;
            v = (Sigmoid(k * (v - 0.5)) - s0) / (s1 - s0);
            lut[j] = DetMath.Pow(DetMath.Clamp01(v), _gamma);
        }
        return lut;
    }

    private static double Sigmoid(double x) => 1 / (1 + DetMath.Exp(-x));

    /// <summary>p-quantile of v over pixels whose primary is below <paramref name="below"/> (subsampled).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Percentile(double[] v, double p, double[] primary, double below)
    {
        int stride = Math.Max(1, v.Length / 16384);
        var sample = new List<double>(v.Length / stride + 1);
        for (int i = 0; i < v.Length; i += stride)
            if (primary[i] < below) sample.Add(v[i]);
        if (sample.Count == 0) return 0;
        sample.Sort();
        return sample[(int)(p * (sample.Count - 1))];
    }

    /// <summary>In-place separable Gaussian with radius <see cref="BlurRadius"/>, edges clamped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SmallBlur(double[] a, double[] tmp, double sigma)
    {
        int n = _n;
        Span<double> w = stackalloc double[2 * BlurRadius + 1];
        double sum = 0;
        for (int k = -BlurRadius; k <= BlurRadius; k++) sum += w[k + BlurRadius] = DetMath.Exp(-k * k / (2 * sigma * sigma));
        for (int k = 0; k < w.Length; k++) w[k] /= sum;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double acc = 0;
                for (int k = -BlurRadius; k <= BlurRadius; k++) acc += w[k + BlurRadius] * a[y * n + Math.Clamp(x + k, 0, n - 1)];
                tmp[y * n + x] = acc;
            }
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double acc = 0;
                for (int k = -BlurRadius; k <= BlurRadius; k++) acc += w[k + BlurRadius] * tmp[Math.Clamp(y + k, 0, n - 1) * n + x];
                a[y * n + x] = acc;
            }
    }

    /// <summary>Gaussian approximated by three box passes per axis (O(1) per pixel for any sigma), edges clamped.</summary>
    internal void GaussianBoxes(double[] src, double[] dst, double[] tmp, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Round((Math.Sqrt(4 * sigma * sigma + 1) - 1) / 2));
        Array.Copy(src, dst, src.Length);
        for (int pass = 0; pass < 3; pass++)
        {
            BoxAxis(dst, tmp, radius, horizontal: true);
            BoxAxis(tmp, dst, radius, horizontal: false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BoxAxis(double[] src, double[] dst, int r, bool horizontal)
    {
        int n = _n;
        double inv = 1.0 / (2 * r + 1);
        for (int line = 0; line < n; line++)
        {
            int step = horizontal ? 1 : n, start = horizontal ? line * n : line;
            double acc = 0;
            for (int k = -r; k <= r; k++) acc += src[start + Math.Clamp(k, 0, n - 1) * step];
            for (int i = 0; i < n; i++)
            {
                dst[start + i * step] = acc * inv;
                acc += src[start + Math.Min(i + r + 1, n - 1) * step] - src[start + Math.Max(i - r, 0) * step];
            }
        }
    }
}
