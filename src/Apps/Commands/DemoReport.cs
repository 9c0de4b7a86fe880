// The demo's Markdown report: what was trained, the ablation table (untranslated, CycleGAN, full),
// the phantom-truth table, the paper's numbers beside ours, an image grid and the loss curves.
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Inference;
using Opacity.Gan.Reports;
using Opacity.Gan.Training;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Cli.Commands;

internal static class DemoReport
{
    private static string F(double v, int d = 3) => double.IsNaN(v) ? "-" : v.ToString("F" + d, CultureInfo.InvariantCulture);
    private static string P(double v) => MarkdownReport.Percent(v, 1);

    public static string Write(DemoCommand.DemoOptions o, IReadOnlyList<MethodScores> rows, IReadOnlyList<PhantomCase> test,
        IReadOnlyDictionary<string, Translator> translators, ClassifierMetrics? cdam, ClassifierMetrics? evalCls, SegmenterMetrics? seg, TimeSpan elapsed)
    {
        var md = new MarkdownReport();
        md.Heading("Opacity.Native demo report");
        md.Paragraph($"Synthetic chest-radiograph phantoms, {o.Count} patients at {o.Size} px (seed {o.Seed}); translators: ResNet generator " +
            $"(ngf {o.Ngf}, {o.Blocks} blocks) with the AASPM mask head, 70x70 PatchGAN, {o.GanSteps} steps each, batch 1, CPU. " +
            $"Total time {elapsed.TotalMinutes:F1} min on {Environment.ProcessorCount} cores. All numbers below were measured in this run.");
        md.Bullets([
            $"CDAM classifier (ResNet, frozen during translation training): validation AUC {F(cdam?.Auc ?? double.NaN)}",
            $"Evaluation classifier (plain CNN, other seed, never seen by the translator): validation AUC {F(evalCls?.Auc ?? double.NaN)}; its threshold is picked on the validation split (Youden's J)",
            $"Lung U-Net (trained on clear images): validation IoU {F(seg?.MeanIoU ?? double.NaN)}",
            "FID/KID use the evaluation classifier's pooled deepest features (not Inception-v3), translated opacity images vs real clear test images",
            "Lung mIoU = foreground IoU averaged over images; lesion detection scores the mean |x - G(x)| inside the predicted lungs for a translator, and the evaluation classifier's probability for the untranslated images (thresholds from the validation split)",
        ]);

        md.Heading("Translation and downstream metrics (test split)", 2);
        md.Table(["method", "called opacity", "lung mIoU", "lesion sensitivity", "specificity", "AUC", "FID (classifier features)", "KID"],
            rows.Select(r => (IReadOnlyList<string>)[r.Method, P(r.OpacityRate), P(r.LungMiou), P(r.Sensitivity), P(r.Specificity), F(r.Auc), F(r.Fid, 2), F(r.KidMean, 4)]).ToList(),
            [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);

        md.Heading("Against the phantom's paired truth (possible only on phantoms)", 2);
        md.Table(["method", "PSNR to truth (dB)", "SSIM to truth", "change outside opacity (MAE)", "mask IoU vs true opacity"],
            rows.Where(r => r.Truth is not null).Select(r => (IReadOnlyList<string>)[r.Method, F(r.Truth!.PsnrToTruth, 2), F(r.Truth.SsimToTruth),
                P(r.Truth.ChangeOutsideMask), r.Method == "untranslated" ? "-" : F(r.Truth.MaskIou)]).ToList(),
            [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);

        // The paper's comparisons: an existing method for FID/KID (ours: the CycleGAN ablation), the untranslated images downstream.
        MethodScores full = rows[^1], cycleGan = rows[1], untranslated = rows[0];
        md.Heading("The paper's headline numbers beside ours", 2);
        md.PaperVsOurs(new OurHeadlineNumbers
        {
            Fid = full.Fid, FidComparison = cycleGan.Fid, Kid = full.KidMean, KidComparison = cycleGan.KidMean,
            LungMiou = full.LungMiou, LungMiouOriginal = untranslated.LungMiou,
            Sensitivity = full.Sensitivity, SensitivityOriginal = untranslated.Sensitivity,
        });

        // Image grid: the first six test opacity patients.
        var grid = new ImageGrid().WithColumnTitles("input", "truth", "CycleGAN", "full", "full mask", "true mask");
        foreach (PhantomCase c in test.Where(c => c.Domain == Domain.Opacity).Take(6))
        {
            var (cg, _) = DemoCommand.Translate(translators["cyclegan"], c.Image, o.Size);
            var (fm, mask) = DemoCommand.Translate(translators["full"], c.Image, o.Size);
            grid.AddRow(GridCell.Image(c.Image, o.Size, o.Size), GridCell.Image(c.PairedClear!, o.Size, o.Size), GridCell.Image(cg, o.Size, o.Size),
                GridCell.Image(fm, o.Size, o.Size), GridCell.Image(mask ?? new float[o.Size * o.Size], o.Size, o.Size), GridCell.Mask(c.OpacityMask, o.Size, o.Size));
        }
        grid.Save(Path.Combine(o.Out, "samples.png"));
        md.Heading("Samples", 2).Image("input | paired truth | CycleGAN | full method | full method's mask | true opacity mask", "samples.png");

        var plot = new LinePlot { Title = "generator loss", XLabel = "step", YLabel = "G loss" };
        foreach (string name in new[] { "cyclegan", "full" })
        {
            var g = ReadColumn(Path.Combine(o.Out, "translator-" + name, "losses.csv"), "G");
            if (g.Count > 0) plot.Add(name, Smooth(g, 20));
        }
        if (plot.Series.Count > 0)
        {
            plot.Save(Path.Combine(o.Out, "losses.png"));
            md.Heading("Training", 2).Image("generator loss (moving average of 20 steps)", "losses.png");
        }
        string path = Path.Combine(o.Out, "report.md");
        md.Save(path);
        return path;
    }

    private static List<double> ReadColumn(string csv, string column)
    {
        if (!File.Exists(csv)) return [];
        string[] lines = File.ReadAllLines(csv);
        if (lines.Length < 2) return [];
        int idx = Array.IndexOf(lines[0].Split(','), column);
        if (idx < 0) return [];
        return lines.Skip(1).Select(l => l.Split(',')).Where(p => p.Length > idx)
            .Select(p => double.TryParse(p[idx], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToList();
    }

    private static double[] Smooth(List<double> v, int window)
    {
        var r = new double[v.Count];
        for (int i = 0; i < v.Count; i++)
        {
            int a = Math.Max(0, i - window + 1);
            r[i] = v.Skip(a).Take(i - a + 1).Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NaN).Average();
        }
        return r;
    }
}
