// ImageGrid: output size, cell placement, separators, grayscale mapping and colour overlay.
using Opacity.Gan.Reports;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Tests.Reports;

public sealed class ImageGridTests
{
    private static float[] Fill(int n, float v) => Enumerable.Repeat(v, n).ToArray();

    [Test]
    public void Size_and_pixel_placement()
    {
        // 2 rows: [4x3 image 0.2 | 5x3 mask], [4x2 image 1.0]; separator 1.
        var mask = new bool[15];
        mask[1 * 5 + 2] = true; // row 1, col 2 of the mask
        var grid = new ImageGrid { Separator = 1 }
            .AddRow(GridCell.Image(Fill(12, 0.2f), 4, 3), GridCell.Mask(mask, 5, 3))
            .AddRow(GridCell.Image(Fill(8, 1f), 4, 2));
        using var img = grid.Render();
        Assert.That((img.Width, img.Height), Is.EqualTo((1 + 4 + 1 + 5 + 1, 1 + 3 + 1 + 2 + 1)));
        Assert.That(img[0, 0], Is.EqualTo(new Rgb24(255, 255, 255)), "separator");
        Assert.That(img[1, 1], Is.EqualTo(new Rgb24(51, 51, 51)), "0.2 -> 51");
        Assert.That(img[4, 3], Is.EqualTo(new Rgb24(51, 51, 51)), "last pixel of the first cell");
        Assert.That(img[5, 1], Is.EqualTo(new Rgb24(255, 255, 255)), "separator between cells");
        Assert.That(img[6 + 2, 1 + 1], Is.EqualTo(new Rgb24(255, 255, 255)), "mask pixel");
        Assert.That(img[6 + 1, 1 + 1], Is.EqualTo(new Rgb24(0, 0, 0)), "mask background");
        Assert.That(img[1, 5], Is.EqualTo(new Rgb24(255, 255, 255)), "second row, 1.0");
        Assert.That(img[6, 5], Is.EqualTo(new Rgb24(0, 0, 0)), "missing cell is background");
    }

    [Test]
    public void Overlay_blends_the_colour_only_inside_the_mask()
    {
        var mask = new bool[4];
        mask[3] = true;
        using var img = new ImageGrid { Separator = 0 }
            .AddRow(GridCell.Overlaid(Fill(4, 0.5f), mask, 2, 2, new Rgb24(255, 0, 0), alpha: 0.5f)).Render();
        Assert.That(img[0, 0], Is.EqualTo(new Rgb24(128, 128, 128)));
        Assert.That(img[1, 1], Is.EqualTo(new Rgb24(191, 64, 64))); // 0.5*0.5 + 0.5*1 = 0.75 -> 191; 0.25 -> 64
    }

    [Test]
    public void Values_are_clamped_and_titles_add_a_strip()
    {
        using var img = new ImageGrid { Separator = 0 }.WithColumnTitles("AB")
            .AddRow(GridCell.Image([-1f, 2f, float.NaN, 0.5f], 2, 2)).Render();
        int top = img.Height - 2;
        Assert.That(img.Height, Is.EqualTo(BitmapFont.LineHeight + 2 + 2));
        Assert.That(img[0, top].R, Is.Zero);
        Assert.That(img[1, top].R, Is.EqualTo(255));
        Assert.That(img[0, top + 1].R, Is.Zero);
    }

    [Test]
    public void Wrong_cell_size_is_rejected()
        => Assert.That(() => GridCell.Image(new float[10], 4, 3), Throws.TypeOf<ReportException>().With.Message.Contains("4x3"));
}
