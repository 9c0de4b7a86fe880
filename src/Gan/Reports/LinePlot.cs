// A minimal line plot rendered pixel by pixel into a PNG (no drawing library): one or more series (loss
// curves), axes with "nice" ticks (1, 2, 5 x 10^k), light grid lines, tick labels, title, axis labels and
// a legend in the 5x7 BitmapFont. Lines are 2 px Bresenham segments; NaN/Infinity points break a line.
// x defaults to 0..n-1. Colours default to the matplotlib tab10 cycle. Tested by LinePlotTests.
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Reports;

public sealed record PlotSeries(string Name, double[] X, double[] Y, Rgb24 Color);

public sealed class LinePlot
{
    /// <summary>matplotlib's tab10 colours, in order.</summary>
    public static readonly Rgb24[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    private static readonly Rgb24 Black = new(0, 0, 0), White = new(255, 255, 255), GridGray = new(225, 225, 225);
    private readonly List<PlotSeries> _series = [];

    public int Width { get; init; } = 640;
    public int Height { get; init; } = 400;
    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";

    public IReadOnlyList<PlotSeries> Series => _series;

    public LinePlot Add(string name, IReadOnlyList<double> y, Rgb24? color = null)
        => Add(name, Enumerable.Range(0, y.Count).Select(i => (double)i).ToArray(), y, color);

    public LinePlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, Rgb24? color = null)
    {
        if (x.Count != y.Count) throw new ReportException($"Line plot: series '{name}' has {x.Count} x values and {y.Count} y values.");
        _series.Add(new PlotSeries(name, x.ToArray(), y.ToArray(), color ?? Palette[_series.Count % Palette.Length]));
        return this;
    }

    public Image<Rgb24> Render()
    {
        if (Width < 160 || Height < 120) throw new ReportException($"Line plot: {Width}x{Height} is too small (at least 160x120).");
        var finite = _series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (finite.Length == 0) throw new ReportException("Line plot: no finite points to draw.");
        var (x0, x1, xs) = NiceRange(finite.Min(p => p.First), finite.Max(p => p.First));
        var (y0, y1, ys) = NiceRange(finite.Min(p => p.Second), finite.Max(p => p.Second));
        var yTicks = Ticks(y0, y1, ys);
        var xTicks = Ticks(x0, x1, xs);
        int yLabelW = yTicks.Max(t => BitmapFont.Measure(Format(t, ys)));
        int left = yLabelW + 10, right = Width - 12, top = 14 + (Title.Length > 0 ? 10 : 0) + (YLabel.Length > 0 ? 6 : 0), bottom = Height - 22 - (XLabel.Length > 0 ? 10 : 0);
        var img = new Image<Rgb24>(Width, Height, White);
        int Px(double v) => left + (int)Math.Round((v - x0) / (x1 - x0) * (right - left));
        int Py(double v) => bottom - (int)Math.Round((v - y0) / (y1 - y0) * (bottom - top));

        foreach (double t in yTicks)
        {
            int py = Py(t);
            Line(img, left, py, right, py, GridGray, 1);
            Line(img, left - 4, py, left, py, Black, 1);
            string s = Format(t, ys);
            BitmapFont.Draw(img, s, left - 6 - BitmapFont.Measure(s), py - 3, Black);
        }
        foreach (double t in xTicks)
        {
            int px = Px(t);
            Line(img, px, top, px, bottom, GridGray, 1);
            Line(img, px, bottom, px, bottom + 4, Black, 1);
            string s = Format(t, xs);
            BitmapFont.Draw(img, s, px - BitmapFont.Measure(s) / 2, bottom + 7, Black);
        }
        Line(img, left, top, left, bottom, Black, 1);
        Line(img, left, bottom, right, bottom, Black, 1);
        if (Title.Length > 0) BitmapFont.Draw(img, Title, (Width - BitmapFont.Measure(Title)) / 2, 3, Black);
        if (YLabel.Length > 0) BitmapFont.Draw(img, YLabel, 3, 3 + (Title.Length > 0 ? 10 : 0), Black);
        if (XLabel.Length > 0) BitmapFont.Draw(img, XLabel, left + (right - left - BitmapFont.Measure(XLabel)) / 2, Height - 10, Black);

        foreach (var s in _series)
            for (int i = 1; i < s.X.Length; i++)
            {
                if (!(double.IsFinite(s.X[i - 1]) && double.IsFinite(s.Y[i - 1]) && double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i]))) continue;
                Line(img, Px(s.X[i - 1]), Py(s.Y[i - 1]), Px(s.X[i]), Py(s.Y[i]), s.Color, 2);
            }
        // A single finite point would draw nothing above; mark lone points with a 3x3 dot.
        foreach (var s in _series)
            for (int i = 0; i < s.X.Length; i++)
            {
                bool ok(int k) => k >= 0 && k < s.X.Length && double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]);
                if (ok(i) && !ok(i - 1) && !ok(i + 1)) Rect(img, Px(s.X[i]) - 1, Py(s.Y[i]) - 1, 3, 3, s.Color);
            }
        DrawLegend(img, right, top);
        return img;
    }

    public void Save(string path)
    {
        using var img = Render();
        try { img.SaveAsPng(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        { throw new ReportException($"Line plot: cannot write '{path}' ({e.Message.TrimEnd('.')}).", e); }
    }

    private void DrawLegend(Image<Rgb24> img, int right, int top)
    {
        if (_series.Count == 0) return;
        int textW = _series.Max(s => BitmapFont.Measure(s.Name));
        int w = textW + 26, h = _series.Count * 11 + 5, x = right - w - 4, y = top + 4;
        Rect(img, x, y, w, h, White);
        Line(img, x, y, x + w, y, Black, 1); Line(img, x, y + h, x + w, y + h, Black, 1);
        Line(img, x, y, x, y + h, Black, 1); Line(img, x + w, y, x + w, y + h, Black, 1);
        for (int k = 0; k < _series.Count; k++)
        {
            int ly = y + 4 + k * 11;
            Line(img, x + 4, ly + 3, x + 16, ly + 3, _series[k].Color, 2);
            BitmapFont.Draw(img, _series[k].Name, x + 21, ly, Black);
        }
    }

    /// <summary>Axis range widened to whole ticks of a 1-2-5 step giving about 5 intervals.</summary>
    internal static (double Lo, double Hi, double Step) NiceRange(double lo, double hi)
    {
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { double pad = Math.Abs(hi) > 0 ? Math.Abs(hi) * 0.1 : 0.5; lo -= pad; hi += pad; }
        double raw = (hi - lo) / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), f = raw / mag;
        double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        return (Math.Floor(lo / step + 1e-9) * step, Math.Ceiling(hi / step - 1e-9) * step, step);
    }

    private static List<double> Ticks(double lo, double hi, double step)
    {
        var t = new List<double>();
        for (int k = 0; lo + k * step <= hi + step * 1e-9; k++) t.Add(lo + k * step);
        return t;
    }

    internal static string Format(double v, double step)
    {
        if (Math.Abs(v) < step * 1e-9) v = 0;
        double big = Math.Max(Math.Abs(v), step);
        if (big >= 1e5 || step < 1e-4) return v.ToString("0.##E+0", CultureInfo.InvariantCulture);
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        return v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    private static void Rect(Image<Rgb24> img, int x, int y, int w, int h, Rgb24 c)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(img.Height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(img.Width, x + w); xx++) img[xx, yy] = c;
    }

    // Bresenham; thickness 2 adds the pixel below (or right of, for steep segments) each one.
    private static void Line(Image<Rgb24> img, int xa, int ya, int xb, int yb, Rgb24 c, int thickness)
    {
        int dx = Math.Abs(xb - xa), dy = -Math.Abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, err = dx + dy;
        bool steep = -dy > dx;
        while (true)
        {
            for (int t = 0; t < thickness; t++)
            {
                int px = steep ? xa + t : xa, py = steep ? ya : ya + t;
                if (px >= 0 && py >= 0 && px < img.Width && py < img.Height) img[px, py] = c;
            }
            if (xa == xb && ya == yb) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; xa += sx; }
            if (e2 <= dx) { err += dx; ya += sy; }
        }
    }
}
