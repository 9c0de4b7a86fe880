// Composes rows of single-channel [0, 1] images and masks into one RGB PNG for reports (e.g. per patient:
// input | translation | truth | |x - G(x)| | predicted mask over the input). Cells are placed left to
// right, rows top to bottom, separated by thin lines (2 px by default); a column is as wide as its widest
// cell, a row as tall as its tallest, and smaller cells sit in the top-left corner on the background.
// Optional column titles use the 5x7 BitmapFont. Values map to bytes by round(clamp(v, 0, 1) * 255).
// Tested by ImageGridTests (size and pixel placement).
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Reports;

/// <summary>One grid cell: a grayscale image, optionally with a mask blended over it in <see cref="Color"/>.</summary>
public sealed record GridCell(int Width, int Height, float[] Gray, float[]? Overlay, Rgb24 Color, float Alpha)
{
    /// <summary>A [0, 1] image shown in grayscale.</summary>
    public static GridCell Image(float[] image, int width, int height) => new(width, height, Check(image, width, height), null, default, 0);

    /// <summary>A mask shown in grayscale (true = white).</summary>
    public static GridCell Mask(bool[] mask, int width, int height) => Image(mask.Select(b => b ? 1f : 0f).ToArray(), width, height);

    /// <summary>An image with a mask blended over it: <c>out = (1 - a m) gray + a m color</c>, m in [0, 1] (soft masks allowed).</summary>
    public static GridCell Overlaid(float[] image, float[] mask, int width, int height, Rgb24 color, float alpha = 0.45f)
        => new(width, height, Check(image, width, height), Check(mask, width, height), color, alpha);

    public static GridCell Overlaid(float[] image, bool[] mask, int width, int height, Rgb24 color, float alpha = 0.45f)
        => Overlaid(image, mask.Select(b => b ? 1f : 0f).ToArray(), width, height, color, alpha);

    private static float[] Check(float[] a, int w, int h)
    {
        if (w <= 0 || h <= 0 || a.Length != (long)w * h)
            throw new ReportException($"Grid cell: {a.Length} values do not form a {w}x{h} image.");
        return a;
    }
}

public sealed class ImageGrid
{
    private readonly List<GridCell[]> _rows = [];
    private string[]? _titles;

    /// <summary>Separator width in pixels (between cells and around the grid).</summary>
    public int Separator { get; init; } = 2;
    public Rgb24 SeparatorColor { get; init; } = new(255, 255, 255);
    public Rgb24 Background { get; init; } = new(0, 0, 0);

    public ImageGrid AddRow(params GridCell[] cells)
    {
        if (cells.Length == 0) throw new ReportException("Image grid: a row needs at least one cell.");
        _rows.Add(cells);
        return this;
    }

    /// <summary>Titles drawn above the columns (a strip of one text line).</summary>
    public ImageGrid WithColumnTitles(params string[] titles) { _titles = titles; return this; }

    public Image<Rgb24> Render()
    {
        if (_rows.Count == 0) throw new ReportException("Image grid: no rows were added.");
        int cols = _rows.Max(r => r.Length);
        var colW = new int[cols];
        foreach (var r in _rows) for (int c = 0; c < r.Length; c++) colW[c] = Math.Max(colW[c], r[c].Width);
        var rowH = _rows.Select(r => r.Max(c => c.Height)).ToArray();
        int s = Separator, titleH = _titles == null ? 0 : BitmapFont.LineHeight + 2;
        int width = colW.Sum() + s * (cols + 1), height = titleH + rowH.Sum() + s * (_rows.Count + 1);
        var img = new Image<Rgb24>(width, height, SeparatorColor);
        int x0s = s;
        var colX = new int[cols];
        for (int c = 0; c < cols; c++) { colX[c] = x0s; x0s += colW[c] + s; }
        if (_titles != null)
        {
            for (int y = 0; y < titleH; y++) for (int x = 0; x < width; x++) img[x, y] = Background;
            for (int c = 0; c < Math.Min(cols, _titles.Length); c++)
                BitmapFont.Draw(img, _titles[c], colX[c] + Math.Max(0, (colW[c] - BitmapFont.Measure(_titles[c])) / 2), 1, new Rgb24(255, 255, 255));
        }
        int y0 = titleH + s;
        for (int r = 0; r < _rows.Count; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                for (int y = 0; y < rowH[r]; y++) for (int x = 0; x < colW[c]; x++) img[colX[c] + x, y0 + y] = Background;
                if (c < _rows[r].Length) Paint(img, _rows[r][c], colX[c], y0);
            }
            y0 += rowH[r] + s;
        }
        return img;
    }

    public void Save(string path)
    {
        using var img = Render();
        try { img.SaveAsPng(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        { throw new ReportException($"Image grid: cannot write '{path}' ({e.Message.TrimEnd('.')}).", e); }
    }

    internal static byte ToByte(double v) => (byte)Math.Round(Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1) * 255);

    private static void Paint(Image<Rgb24> img, GridCell cell, int x0, int y0)
    {
        for (int y = 0; y < cell.Height; y++)
            for (int x = 0; x < cell.Width; x++)
            {
                int i = y * cell.Width + x;
                double g = Math.Clamp(double.IsNaN(cell.Gray[i]) ? 0 : cell.Gray[i], 0, 1);
                if (cell.Overlay == null) { byte b = ToByte(g); img[x0 + x, y0 + y] = new Rgb24(b, b, b); continue; }
                double a = cell.Alpha * Math.Clamp(double.IsNaN(cell.Overlay[i]) ? 0 : cell.Overlay[i], 0, 1);
                img[x0 + x, y0 + y] = new Rgb24(
                    ToByte((1 - a) * g + a * cell.Color.R / 255.0), ToByte((1 - a) * g + a * cell.Color.G / 255.0), ToByte((1 - a) * g + a * cell.Color.B / 255.0));
            }
    }
}
