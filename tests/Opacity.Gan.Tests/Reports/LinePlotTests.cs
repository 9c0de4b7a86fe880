// LinePlot: PNG of the requested size, series colours present, ticks, and the font draws where asked.
using Opacity.Gan.Reports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Tests.Reports;

public sealed class LinePlotTests
{
    private static int CountColour(Image<Rgb24> img, Rgb24 c)
    {
        int n = 0;
        for (int y = 0; y < img.Height; y++) for (int x = 0; x < img.Width; x++) if (img[x, y] == c) n++;
        return n;
    }

    [Test]
    public void Png_has_the_requested_size_and_each_series_colour()
    {
        var red = new Rgb24(200, 0, 0);
        var plot = new LinePlot { Width = 320, Height = 200, Title = "Loss", XLabel = "step" }
            .Add("G", Enumerable.Range(0, 50).Select(i => 2.0 * Math.Exp(-i / 10.0)).ToArray(), red)
            .Add("D", Enumerable.Range(0, 50).Select(i => 0.25 + 0.01 * Math.Sin(i)).ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"lineplot_{Guid.NewGuid():N}.png");
        try
        {
            plot.Save(path);
            using var img = Image.Load<Rgb24>(path);
            Assert.That((img.Width, img.Height), Is.EqualTo((320, 200)));
            Assert.That(CountColour(img, red), Is.GreaterThan(100), "series G");
            Assert.That(CountColour(img, LinePlot.Palette[1]), Is.GreaterThan(100), "series D takes the second palette colour");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Nan_points_break_the_line_and_a_lone_point_is_still_drawn()
    {
        var c = new Rgb24(0, 0, 250);
        using var img = new LinePlot { Width = 200, Height = 150 }.Add("x", [double.NaN, 1.0, double.NaN, 3.0], c).Render();
        Assert.That(CountColour(img, c), Is.GreaterThanOrEqualTo(2 * 9 + 12), "two 3x3 dots plus the legend swatch");
    }

    [TestCase(0.0, 1.0, 0.0, 1.0, 0.2)]
    // step = the smallest 1-2-5 x 10^k at least (hi - lo) / 5; range widened to whole steps
    [TestCase(0.13, 0.87, 0.0, 1.0, 0.2)]       // 0.148 -> 0.2
    [TestCase(0.0, 12345.0, 0.0, 15000.0, 5000.0)] // 2469 -> 5000
    [TestCase(0.31, 0.44, 0.30, 0.45, 0.05)]    // 0.026 -> 0.05
    [TestCase(3.0, 3.0, 2.6, 3.4, 0.2)]         // constant series padded by 10% to [2.7, 3.3]
    public void Nice_ranges(double lo, double hi, double elo, double ehi, double step)
    {
        var (a, b, s) = LinePlot.NiceRange(lo, hi);
        Assert.That((a, b, s), Is.EqualTo((elo, ehi, step)).Using<(double, double, double)>((p, q) =>
            Math.Abs(p.Item1 - q.Item1) < 1e-12 && Math.Abs(p.Item2 - q.Item2) < 1e-12 && Math.Abs(p.Item3 - q.Item3) < 1e-12));
    }

    [TestCase(0.30000000000000004, 0.1, "0.3")]
    [TestCase(250.0, 50.0, "250")]
    [TestCase(2e-5, 1e-5, "2E-5")]
    public void Tick_labels(double v, double step, string text) => Assert.That(LinePlot.Format(v, step), Is.EqualTo(text));

    [Test]
    public void Font_draws_glyph_pixels_at_the_requested_place()
    {
        using var img = new Image<Rgb24>(20, 10, new Rgb24(255, 255, 255));
        BitmapFont.Draw(img, "1", 2, 1, new Rgb24(0, 0, 0));
        // '1' has its vertical stroke in glyph column 2, rows 0..6.
        for (int row = 0; row < 7; row++) Assert.That(img[2 + 2, 1 + row], Is.EqualTo(new Rgb24(0, 0, 0)), $"row {row}");
        Assert.That(img[2 + 4, 1 + 3], Is.EqualTo(new Rgb24(255, 255, 255)));
        Assert.That(BitmapFont.Measure("abc", 2), Is.EqualTo(34));
    }

    [Test]
    public void Empty_plot_is_rejected() =>
        Assert.That(() => new LinePlot().Render(), Throws.TypeOf<ReportException>().With.Message.Contains("no finite points"));
}
