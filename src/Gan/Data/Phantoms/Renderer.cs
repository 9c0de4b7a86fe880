// Renders one patient's attenuation at the internal grid (output size x k, k = ceil(256/size), so small
// outputs are anti-aliased) and area-downsamples the primary intensity exp(-mu t) to the output grid.
//   mu t = e (0.20 T + 0.30 bone - 0.20 airway air - 0.15 lung air)        [cm^-1 x cm]
// T: soft-tissue AP thickness (body + arms); bone: cortical-bone-equivalent cm; airway air: trachea, bronchi,
// gastric bubble; lung air A = cavity depth x (1 - mediastinum) x (1 - heart) - vessels - clutter. Lung
// parenchyma (density ~0.25) in place of water lowers mu by 0.15/cm. e: per-patient beam-energy factor.
// The opacity image replaces A with A (1 - fill) + fill x bronchial air - nodule thickness.
// Lung mask: majority of subpixels; opacity mask: any subpixel whose air changed. Tested by PhantomPairTests
// and PhantomRealismTests.
using System.Runtime.CompilerServices;

namespace Opacity.Gan.Data.Phantoms;

internal sealed class RenderResult
{
    public required double[] PrimaryClear;
    public double[]? PrimaryOpacity;
    public required bool[] LungMask;
    public required bool[] OpacityMask;
    /// <summary>Internal-grid maps kept for the realism tests (null unless requested).</summary>
    public InternalMaps? Maps;
}

internal sealed class InternalMaps
{
    public required int N;
    public required double[] Bone, Heart, Mediastinum, Cavity, LungAir, Soft;
    public required bool[] Lung;
}

internal static class Renderer
{
    public static int Supersample(int size) => Math.Max(1, (256 + size - 1) / size);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RenderResult Render(Anatomy a, Pathology? p, int size, ulong seed, int patient, bool keepMaps)
    {
        int k = Supersample(size), n = size * k, len = n * n;
        DetMath.SinCos(a.Rotation, out double sin, out double cos);
        var f = new PixelFrame(n, cos, sin);
        var st = new TubeStamper(f);
        var bone = new double[len];
        var soft = new double[len];
        var vessel = new double[len];
        var bronchus = new double[len];
        var airway = new double[len];
        Skeleton.Stamp(a, new DetRandom(seed, patient, RandomStream.Skeleton), st, bone, soft);
        Vessels.Stamp(a, new DetRandom(seed, patient, RandomStream.Vessels), st, vessel, bronchus, airway);
        var texture = new DetRandom(seed, patient, RandomStream.Texture);
        // lung clutter: power-law noise down to one render pixel (finer octaves would only alias)
        int octaves = 1;
        while (octaves < 8 && 3.0 / (1 << octaves) >= f.CmPerPx) octaves++;
        var clutter = new FractalNoise(texture, 3.0, octaves, 2.2);
        double clutterAmp = texture.Uniform(1.0, 2.0);
        double energy = new DetRandom(seed, patient, RandomStream.Exposure).Uniform(0.9, 1.1);

        var muClear = new double[len];
        var muOpacity = p == null ? null : new double[len];
        var lungFine = new bool[len];
        var changed = new bool[len];
        double[]? heartMap = keepMaps ? new double[len] : null, medMap = keepMaps ? new double[len] : null;
        double[]? cavMap = keepMaps ? new double[len] : null, airMap = keepMaps ? new double[len] : null;
        double bubbleX = a.Xm + 0.5 * a.HalfW, bubbleY = a.DomeAt(1, a.Xm + 0.5 * a.HalfW) + 2.2;

        for (int py = 0; py < n; py++)
        {
            for (int px = 0; px < n; px++)
            {
                int i = py * n + px;
                f.ToAnatomy(px, py, out double x, out double y);
                double t = a.BodyThickness(x, y) + soft[i];
                double b = bone[i] + Skeleton.Spine(a, x, y);
                if (t <= 0) b = 0;
                double air = airway[i];
                if (a.GastricBubble)
                {
                    double gx = (x - bubbleX) / 2.6, gy = (y - bubbleY) / 1.6;
                    double g2 = gx * gx + gy * gy;
                    if (g2 < 1) air += 3.0 * Math.Sqrt(1 - g2) * DetMath.SmoothStep(0, 0.6, gy + 0.9);
                }
                double cav = a.Cavity(x, y), lungAir = 0, oM = 0, oH = 0;
                if (cav > 0)
                {
                    oM = a.MediastinumOcc(x, y);
                    oH = a.HeartOcc(x, y);
                    lungAir = cav * (1 - oM) * (1 - oH) - vessel[i];
                    lungAir -= clutterAmp * Math.Max(0, clutter.Sample(x, y)) * Math.Min(1, cav / 4);
                    if (lungAir < 0) lungAir = 0;
                }
                double mu = energy * (0.20 * t + 0.30 * b - 0.20 * air);
                muClear[i] = mu - energy * 0.15 * lungAir;
                lungFine[i] = cav > 0 && a.InLungMask(x, y);
                if (p != null)
                {
                    double opAir = lungAir;
                    if (lungAir > 0)
                    {
                        p.At(x, y, out double fill, out double nod);
                        if (fill > 0) opAir = lungAir * (1 - fill) + fill * Math.Min(bronchus[i], lungAir);
                        if (nod > 0) opAir = Math.Max(0, opAir - nod);
                    }
                    muOpacity![i] = mu - energy * 0.15 * opAir;
                    changed[i] = opAir != lungAir;
                }
                if (keepMaps)
                {
                    heartMap![i] = oH;
                    medMap![i] = oM;
                    cavMap![i] = cav;
                    airMap![i] = lungAir;
                }
            }
        }

        var result = new RenderResult
        {
            PrimaryClear = DownsamplePrimary(muClear, n, k),
            PrimaryOpacity = muOpacity == null ? null : DownsamplePrimary(muOpacity, n, k),
            LungMask = DownsampleMask(lungFine, n, k, any: false),
            OpacityMask = DownsampleMask(changed, n, k, any: true),
        };
        if (keepMaps)
            result.Maps = new InternalMaps { N = n, Bone = bone, Heart = heartMap!, Mediastinum = medMap!, Cavity = cavMap!, LungAir = airMap!, Soft = soft, Lung = lungFine };
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] DownsamplePrimary(double[] mu, int n, int k)
    {
        int m = n / k;
        var o = new double[m * m];
        double inv = 1.0 / (k * k);
        for (int y = 0; y < m; y++)
            for (int x = 0; x < m; x++)
            {
                double s = 0;
                for (int dy = 0; dy < k; dy++)
                    for (int dx = 0; dx < k; dx++)
                        s += DetMath.Exp(-mu[(y * k + dy) * n + x * k + dx]);
                o[y * m + x] = s * inv;
            }
        return o;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool[] DownsampleMask(bool[] fine, int n, int k, bool any)
    {
        int m = n / k;
        var o = new bool[m * m];
        for (int y = 0; y < m; y++)
            for (int x = 0; x < m; x++)
            {
                int c = 0;
                for (int dy = 0; dy < k; dy++)
                    for (int dx = 0; dx < k; dx++)
                        if (fine[(y * k + dy) * n + x * k + dx]) c++;
                o[y * m + x] = any ? c > 0 : 2 * c >= k * k;
            }
        return o;
    }
}
