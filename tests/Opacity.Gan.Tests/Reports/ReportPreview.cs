// Explicit (not run by default) writer of sample report images for visual inspection: a phantom grid
// (opacity | truth | |x - truth| | opacity mask overlaid | lung mask) and a loss-curve plot.
// Run: REPORT_PREVIEW=/tmp/rp dotnet test tests/Opacity.Gan.Tests -c Release --filter Name~Write_report_previews
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Reports;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Tests.Reports;

[Explicit("writes preview images for visual inspection")]
public sealed class ReportPreview
{
    [Test]
    public void Write_report_previews()
    {
        string dir = Environment.GetEnvironmentVariable("REPORT_PREVIEW") ?? Path.Combine(Path.GetTempPath(), "report_preview");
        Directory.CreateDirectory(dir);
        const int n = 128;
        var g = new PhantomGenerator(new PhantomOptions { Size = n, Seed = 5, Mix = OpacityMix.Parse("consolidation=1,ggo=1"), MaxOpacities = 1 });
        var grid = new ImageGrid().WithColumnTitles("opacity x", "truth t", "|x - t| x4", "mask overlay", "lung mask");
        for (int i = 0; i < 2; i++)
        {
            var (c, _) = g.Generate(i, Domain.Opacity, keepMaps: false);
            var diff = c.Image.Zip(c.PairedClear!, (a, b) => Math.Abs(a - b) * 4).ToArray();
            grid.AddRow(GridCell.Image(c.Image, n, n), GridCell.Image(c.PairedClear!, n, n), GridCell.Image(diff, n, n),
                GridCell.Overlaid(c.Image, c.OpacityMask, n, n, new Rgb24(255, 60, 40)), GridCell.Mask(c.LungMask, n, n));
        }
        grid.Save(Path.Combine(dir, "grid.png"));
        var steps = Enumerable.Range(0, 200).ToArray();
        new LinePlot { Width = 640, Height = 360, Title = "Training losses (synthetic curves)", XLabel = "step", YLabel = "loss" }
            .Add("G total", steps.Select(s => 3.0 * Math.Exp(-s / 40.0) + 0.8 + 0.05 * Math.Sin(s / 3.0)).ToArray())
            .Add("D_N", steps.Select(s => 0.25 + 0.03 * Math.Cos(s / 5.0)).ToArray())
            .Add("cycle x10", steps.Select(s => 1.5 * Math.Exp(-s / 60.0) + 0.2).ToArray())
            .Save(Path.Combine(dir, "plot.png"));
        new MarkdownReport().Heading("Preview").PaperVsOurs(new OurHeadlineNumbers()).Image("grid", "grid.png").Save(Path.Combine(dir, "report.md"));
    }
}
