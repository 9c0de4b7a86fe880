// Preprocessor: sizes, [-1, 1] range, square modes, and the resize filter's properties.
using Opacity.Gan.Data.Readers;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class PreprocessorTests
{
    private static XrayImage Image(float[] pixels, int w, int h) => new(pixels, w, h, 8, "MONOCHROME2", "test");

    [Test]
    public void Constant_image_stays_constant_at_any_size()
    {
        foreach ((int w, int h, int t) in new[] { (48, 40, 16), (7, 5, 64), (300, 200, 256) })
        {
            (float[] p, int ow, int oh) = Preprocessor.Apply(Image(Enumerable.Repeat(0.25f, w * h).ToArray(), w, h), new ReaderOptions { TargetSize = t });
            Assert.That((ow, oh), Is.EqualTo((t, t)));
            Assert.That(p.All(v => Math.Abs(v - -0.5f) < 1e-6f), Is.True, $"{w}x{h} -> {t}");
        }
    }

    [Test]
    public void Downscaling_by_two_averages_a_checkerboard()
    {
        var board = new float[16 * 16];
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                board[y * 16 + x] = (x + y) % 2;
        float[] small = Preprocessor.Resize(board, 16, 16, 8, 8);
        for (int y = 1; y < 7; y++)
            for (int x = 1; x < 7; x++)
                Assert.That(small[y * 8 + x], Is.EqualTo(0.5f).Within(1e-6), $"({x},{y}): no aliasing");
    }

    [Test]
    public void Upscaling_keeps_a_linear_ramp_linear_inside()
    {
        float[] ramp = Enumerable.Range(0, 8).Select(i => i / 7f).ToArray();
        float[] big = Preprocessor.Resize(ramp, 8, 1, 32, 1);
        for (int x = 3; x < 28; x++)
            Assert.That(big[x + 1] - big[x], Is.EqualTo(big[x] - big[x - 1]).Within(1e-5), $"x={x}");
    }

    [Test]
    public void Square_modes_crop_pad_or_stretch()
    {
        var img = Image(Enumerable.Range(0, 6 * 4).Select(i => (i % 6) / 5f).ToArray(), 6, 4);
        (float[] crop, _, _) = Preprocessor.Apply(img, new ReaderOptions { TargetSize = 4, Square = SquareMode.CenterCrop });
        Assert.That(crop[..4], Is.EqualTo(new[] { -0.6f, -0.2f, 0.2f, 0.6f }).Within(1e-6), "columns 1..4 of 0..5, as 2p - 1");
        (float[] pad, _, _) = Preprocessor.Apply(img, new ReaderOptions { TargetSize = 6, Square = SquareMode.Pad });
        Assert.That(pad[..6].All(v => v == -1f), Is.True, "a black row above");
        Assert.That(pad[6..12], Is.EqualTo(new[] { -1f, -0.6f, -0.2f, 0.2f, 0.6f, 1f }).Within(1e-6), "the first image row");
        (float[] stretch, int sw, int sh) = Preprocessor.Apply(img, new ReaderOptions { TargetSize = 3, Square = SquareMode.Stretch });
        Assert.That((sw, sh, stretch.Length), Is.EqualTo((3, 3, 9)));
    }

    [Test]
    public void Target_size_zero_keeps_the_file_size()
    {
        var img = Image(new float[] { 0, 1, 0.5f, 0.25f, 0.75f, 1 }, 3, 2);
        (float[] p, int w, int h) = Preprocessor.Apply(img, new ReaderOptions { TargetSize = 0 });
        Assert.That((w, h), Is.EqualTo((3, 2)));
        Assert.That(p, Is.EqualTo(new[] { -1f, 1f, 0f, -0.5f, 0.5f, 1f }));
    }
}

public sealed class DisplayWindowTests
{
    [TestCase(1e-320, 0.0)]
    [TestCase(-3.0, 7.0)]
    [TestCase(1e15, -1e15)]
    public void Extreme_rescale_values_give_finite_pixels_in_range(double slope, double intercept)
    {
        foreach (WindowFallback fallback in new[] { WindowFallback.ImageMinMax, WindowFallback.StoredRange })
        {
            float[] p = new DisplayWindow(slope, intercept, null, null, "LINEAR").Apply([0, 1, 65535], invert: false, fallback, 0, 65535);
            Assert.That(p.All(v => v is >= 0f and <= 1f), Is.True, $"{slope} {intercept} {fallback}: {string.Join(", ", p)}");
        }
    }

    [TestCase("LINEAR", 100.5, 0.0, 0.5, 1.0)]
    [TestCase("LINEAR_EXACT", 100.0, 0.0, 0.5, 1.0)]
    [TestCase("SIGMOID", 100.0, 0.0179862, 0.5, 0.9820138)]
    public void Voi_functions_follow_ps3_3(string function, double c, double below, double centre, double above)
    {
        // Width 101. LINEAR centres on c - 0.5 with slope 1/(w - 1); LINEAR_EXACT on c with 1/w;
        // SIGMOID one width away from c is 1/(1 + e^4) and 1/(1 + e^-4).
        float[] p = new DisplayWindow(1, 0, c, 101, function).Apply([-1, 100, 201], invert: false, WindowFallback.ImageMinMax, 0, 255);
        Assert.That(p, Is.EqualTo(new[] { below, centre, above }.Select(v => (float)v).ToArray()).Within(1e-4));
    }
}
