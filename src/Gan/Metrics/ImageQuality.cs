// Full-reference image quality on single-channel row-major images in [0, 1].
//   PSNR = 10 log10(R^2 / MSE) with data range R = 1 by default; +Infinity for identical images (as skimage).
//   SSIM exactly as Wang, Bovik, Sheikh, Simoncelli 2004 with skimage's convention
//   structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1):
//   11x11 Gaussian window (sigma 1.5, truncate 3.5 -> radius 5, weights exp(-i^2/2sigma^2) normalised),
//   K1 = 0.01, K2 = 0.03, C1 = (K1 R)^2, C2 = (K2 R)^2, population (biased) local variances, and the mean of
//   the SSIM map over pixels at least 5 from every border (skimage crops by (win-1)/2, so border handling
//   never enters the mean). Images must be at least 11x11. All sums in double.
// Tested by ImageQualityTests against skimage 0.19 vectors (tests/fixtures/metrics/make_vectors.py).
namespace Opacity.Gan.Metrics;

/// <summary>Per-image PSNR/SSIM of image pairs and their means.</summary>
public sealed record ImageQualityReport(IReadOnlyList<double> Psnr, IReadOnlyList<double> Ssim, double MeanPsnr, double MeanSsim);

public static class ImageQuality
{
    public const double SsimK1 = 0.01;
    public const double SsimK2 = 0.03;
    public const double SsimSigma = 1.5;
    /// <summary>Window radius: skimage's <c>int(truncate * sigma + 0.5)</c> with truncate 3.5 gives 5 (an 11x11 window).</summary>
    public const int SsimRadius = 5;

    /// <summary>Mean squared error <c>mean((x - y)^2)</c>.</summary>
    public static double Mse(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        MetricsException.SameLength(x.Length, y.Length, "MSE");
        if (x.Length == 0) throw new MetricsException("MSE: the images are empty.");
        double s = 0;
        for (int i = 0; i < x.Length; i++) { double d = (double)x[i] - y[i]; s += d * d; }
        return s / x.Length;
    }

    /// <summary><c>10 log10(R^2 / MSE)</c>; +Infinity when the images are identical.</summary>
    public static double Psnr(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double dataRange = 1.0)
    {
        double mse = Mse(x, y);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(dataRange * dataRange / mse);
    }

    /// <summary>Mean SSIM (Wang et al. 2004, skimage Gaussian convention; see the file header).</summary>
    public static double Ssim(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int width, int height, double dataRange = 1.0)
    {
        MetricsException.SameLength(x.Length, y.Length, "SSIM");
        MetricsException.Size(x.Length, width, height, "SSIM");
        int win = 2 * SsimRadius + 1;
        if (width < win || height < win)
            throw new MetricsException($"SSIM: a {width}x{height} image is smaller than the {win}x{win} window.");
        double[] w = GaussianWeights(SsimSigma, SsimRadius);
        // Five local moments, filtered separably: rows first (only the rows we need), then columns.
        int outW = width - 2 * SsimRadius, outH = height - 2 * SsimRadius;
        var rows = new double[5][];
        for (int m = 0; m < 5; m++) rows[m] = new double[height * outW];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < outW; c++)
            {
                double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                int b = r * width + c;
                for (int k = 0; k < win; k++)
                {
                    double a = x[b + k], v = y[b + k], wk = w[k];
                    sx += wk * a; sy += wk * v; sxx += wk * a * a; syy += wk * v * v; sxy += wk * a * v;
                }
                int o = r * outW + c;
                rows[0][o] = sx; rows[1][o] = sy; rows[2][o] = sxx; rows[3][o] = syy; rows[4][o] = sxy;
            }
        double c1 = SsimK1 * dataRange * SsimK1 * dataRange, c2 = SsimK2 * dataRange * SsimK2 * dataRange;
        double total = 0;
        for (int r = 0; r < outH; r++)
            for (int c = 0; c < outW; c++)
            {
                double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
                for (int k = 0; k < win; k++)
                {
                    int o = (r + k) * outW + c;
                    double wk = w[k];
                    ux += wk * rows[0][o]; uy += wk * rows[1][o]; uxx += wk * rows[2][o]; uyy += wk * rows[3][o]; uxy += wk * rows[4][o];
                }
                double vx = uxx - ux * ux, vy = uyy - uy * uy, vxy = uxy - ux * uy;
                total += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
            }
        return total / ((double)outW * outH);
    }

    /// <summary>PSNR and SSIM of each (a[i], b[i]) pair, all <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static ImageQualityReport Evaluate(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b, int width, int height, double dataRange = 1.0)
    {
        MetricsException.SameLength(a.Count, b.Count, "Image quality evaluation: number of images");
        if (a.Count == 0) throw new MetricsException("Image quality evaluation: no images were given.");
        var psnr = new double[a.Count];
        var ssim = new double[a.Count];
        for (int i = 0; i < a.Count; i++)
        {
            psnr[i] = Psnr(a[i], b[i], dataRange);
            ssim[i] = Ssim(a[i], b[i], width, height, dataRange);
        }
        return new ImageQualityReport(psnr, ssim, psnr.Average(), ssim.Average());
    }

    /// <summary>scipy.ndimage's 1-D Gaussian: <c>exp(-i^2 / (2 sigma^2))</c> for i in [-radius, radius], summing to 1.</summary>
    internal static double[] GaussianWeights(double sigma, int radius)
    {
        var w = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) { w[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma)); sum += w[i + radius]; }
        for (int i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }
}
