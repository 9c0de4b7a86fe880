// PSNR and SSIM against skimage 0.19 (fixture vectors), plus properties the vectors do not cover.
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Tests.Metrics;

public sealed class ImageQualityTests
{
    private static IEnumerable<string> Cases() => MetricVectors.Names("ssim");

    [TestCaseSource(nameof(Cases))]
    public void Ssim_matches_skimage(string name)
    {
        var c = MetricVectors.Case("ssim", name);
        int w = c.GetProperty("width").GetInt32(), h = c.GetProperty("height").GetInt32();
        double got = ImageQuality.Ssim(MetricVectors.Floats(c, "x"), MetricVectors.Floats(c, "y"), w, h);
        double expected = c.GetProperty("ssim").GetDouble();
        TestContext.Out.WriteLine($"{name}: SSIM {got:R} vs skimage {expected:R}, |diff| {Math.Abs(got - expected):E2}");
        Assert.That(got, Is.EqualTo(expected).Within(1e-6), name);
    }

    [TestCaseSource(nameof(Cases))]
    public void Psnr_matches_skimage(string name)
    {
        var c = MetricVectors.Case("ssim", name);
        double got = ImageQuality.Psnr(MetricVectors.Floats(c, "x"), MetricVectors.Floats(c, "y"));
        Assert.That(got, Is.EqualTo(c.GetProperty("psnr").GetDouble()).Within(1e-6), name);
    }

    [Test]
    public void Transposing_both_images_keeps_ssim_but_swapping_width_and_height_does_not()
    {
        var c = MetricVectors.Case("ssim", "smooth_vs_noisy_24x32");
        float[] x = MetricVectors.Floats(c, "x"), y = MetricVectors.Floats(c, "y");
        double ssim = ImageQuality.Ssim(x, y, 32, 24);
        Assert.That(ImageQuality.Ssim(Transpose(x, 32, 24), Transpose(y, 32, 24), 24, 32), Is.EqualTo(ssim).Within(1e-12));
        Assert.That(ImageQuality.Ssim(x, y, 24, 32), Is.Not.EqualTo(ssim).Within(1e-4));
    }

    [Test]
    public void Identical_images_give_ssim_one_and_infinite_psnr()
    {
        var x = MetricVectors.Floats(MetricVectors.Case("ssim", "random_17x20"), "x");
        Assert.That(ImageQuality.Ssim(x, x, 20, 17), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(ImageQuality.Psnr(x, x), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void Psnr_of_a_constant_offset_is_exact()
    {
        var x = new float[64];
        var y = Enumerable.Repeat(0.125f, 64).ToArray(); // MSE = 1/64 -> PSNR = 10 log10(64)
        Assert.That(ImageQuality.Psnr(x, y), Is.EqualTo(10 * Math.Log10(64)).Within(1e-12));
    }

    [Test]
    public void Bad_sizes_are_rejected_with_the_reason()
    {
        var a = new float[100];
        Assert.That(() => ImageQuality.Ssim(a, a, 10, 10), Throws.TypeOf<MetricsException>().With.Message.Contains("smaller than the 11x11 window"));
        Assert.That(() => ImageQuality.Ssim(a, a, 12, 12), Throws.TypeOf<MetricsException>().With.Message.Contains("12x12"));
        Assert.That(() => ImageQuality.Psnr(a, new float[99]), Throws.TypeOf<MetricsException>().With.Message.Contains("100 vs 99"));
    }

    [Test]
    public void Evaluate_averages_per_image_values()
    {
        var c1 = MetricVectors.Case("ssim", "smooth_vs_noisy_24x32");
        var c2 = MetricVectors.Case("ssim", "blob_removed_24x32");
        var r = ImageQuality.Evaluate([MetricVectors.Floats(c1, "x"), MetricVectors.Floats(c2, "x")], [MetricVectors.Floats(c1, "y"), MetricVectors.Floats(c2, "y")], 32, 24);
        double s1 = c1.GetProperty("ssim").GetDouble(), s2 = c2.GetProperty("ssim").GetDouble();
        Assert.That(r.Ssim, Is.EqualTo(new[] { s1, s2 }).Within(1e-6));
        Assert.That(r.MeanSsim, Is.EqualTo((s1 + s2) / 2).Within(1e-6));
        Assert.That(r.MeanPsnr, Is.EqualTo((c1.GetProperty("psnr").GetDouble() + c2.GetProperty("psnr").GetDouble()) / 2).Within(1e-6));
    }

    private static float[] Transpose(float[] a, int w, int h)
    {
        var t = new float[a.Length];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) t[c * h + r] = a[r * w + c];
        return t;
    }
}
