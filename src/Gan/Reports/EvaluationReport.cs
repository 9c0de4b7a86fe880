// The evaluation report shared by `opacity eval` and `opacity demo` (one code path, so the two reports
// cannot drift): from the scored rows (TranslationEvaluation: the untranslated images plus one row per
// translator) it writes into OutDir
//   report.md      setup, translation quality (FID/KID, naming the feature extractor), downstream (lung
//                  mIoU, lesion sensitivity/specificity/AUC), the ablation table (which components each
//                  translator has), the phantom-truth table (or a sentence saying why it is left out),
//                  the paper's headline numbers beside ours, image grids and training curves;
//   report.html    with Html: the same content (HtmlReport), images referenced relatively;
//   metrics.json   every number (EvaluationMetricsJson);
//   samples.png    input | truth | each translator's output | true opacity mask, first test opacity patients;
//   samples-NAME.png  per translator: input | mask | output | residual |x - G(x)| x4 | truth;
//   losses.png, losses-discriminators.png, losses-NAME.png  total generator loss and discriminator
//                  losses of every run, and the generator's loss terms of one run, from each run's
//                  losses.csv (moving average of 20 steps), when the CSV exists.
// With an Ideal row (phantoms: the paired clear truth scored as a translation) the translation-quality,
// lesion-kind and downstream tables end with it, so every column shows what a perfect translation scores.
// The headline comparison uses the first Full-ablation row as "ours" (else the last translator), the
// first CycleGAN-ablation row as the existing-method baseline for FID/KID, and the untranslated row for
// mIoU/sensitivity. Tested by EvalCommandTests and DemoCommandTests.
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Inference;
using Opacity.Gan.Metrics;
using Opacity.Gan.Training;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Reports;

/// <summary>One translator's row: display name (also used in file names), its ablation, the loaded model
/// (for the image grids), its scores and, when known, its checkpoint and losses.csv.</summary>
public sealed record EvaluatedTranslator(string Name, Ablation Ablation, Translator Translator, MethodScores Scores, string? Checkpoint = null, string? LossesCsv = null);

public sealed record EvaluationReportInput
{
    public required string OutDir { get; init; }
    public string Title { get; init; } = "Opacity.Native evaluation report";
    /// <summary>Paragraphs under the title (what was evaluated, on what data).</summary>
    public IReadOnlyList<string> Intro { get; init; } = [];
    /// <summary>Bullets describing the models used (classifier, segmenter, translators), before the metric definitions.</summary>
    public IReadOnlyList<string> Setup { get; init; } = [];
    /// <summary>Setup facts for metrics.json ("data", "classifier", ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];
    public required MethodScores Untranslated { get; init; }
    /// <summary>The paired truth scored as if it were the translation (TranslationEvaluation.EvaluateIdeal); null on real data.</summary>
    public MethodScores? Ideal { get; init; }
    public required IReadOnlyList<EvaluatedTranslator> Models { get; init; }
    /// <summary>The test split (opacity patients feed the image grids).</summary>
    public required IReadOnlyList<PhantomCase> Test { get; init; }
    public required int Size { get; init; }
    public string FeatureExtractor { get; init; } = "the evaluation classifier's pooled deepest features (not Inception-v3)";
    /// <summary>Description of the second FID/KID extractor (Inception-v3) when one was given; null otherwise.</summary>
    public string? ExtraFeatureExtractor { get; init; }
    /// <summary>What the panel of further evaluation classifiers is (rows carry MethodScores.PanelRates); null without one.</summary>
    public string? Panel { get; init; }
    /// <summary>What the lesion-map judge is (rows carry MethodScores.LesionJudgeRate); null without one.</summary>
    public string? LesionJudge { get; init; }
    public string DataDescription { get; init; } = "synthetic chest-radiograph phantoms";
    public bool Html { get; init; }
    public int SampleRows { get; init; } = 6;
    public bool HasTruth => Untranslated.Truth is not null && Models.All(m => m.Scores.Truth is not null);
}

/// <summary>The files written, full paths; Html is null without --html.</summary>
public sealed record EvaluationReportFiles(string Markdown, string? Html, string MetricsJson, IReadOnlyList<string> Images);

public static class EvaluationReport
{
    private static string F(double v, int d = 3) => MarkdownReport.Num(v, d);
    private static string P(double v) => MarkdownReport.Percent(v, 1);
    private static readonly Rgb24 MaskColor = new(255, 60, 40);

    public static string AblationName(Ablation a) => a switch
    {
        Ablation.CycleGan => "cyclegan", Ablation.Mask => "mask", Ablation.MaskLabel => "mask+label",
        Ablation.MaskFeature => "mask+feature", _ => "full",
    };

    public static EvaluationReportFiles Write(EvaluationReportInput input)
    {
        if (input.Models.Select(m => FileName(m.Name)).Distinct().Count() != input.Models.Count)
            throw new ReportException($"Evaluation report: translator names ({string.Join(", ", input.Models.Select(m => m.Name))}) must be distinct.");
        try { Directory.CreateDirectory(input.OutDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ReportException($"Evaluation report: cannot create '{input.OutDir}' ({e.Message.TrimEnd('.')}).", e); }
        var images = new List<string>();
        var rows = new List<MethodScores> { input.Untranslated };
        rows.AddRange(input.Models.Select(m => m.Scores));
        // The tables that compare methods end with the ideal row; the phantom-truth table does not (it is trivial there).
        List<MethodScores> withIdeal = input.Ideal is { } ideal ? [.. rows, ideal] : rows;
        var md = new MarkdownReport();
        md.Heading(input.Title);
        foreach (string p in input.Intro) md.Paragraph(p);
        md.Bullets(input.Setup.Concat(Definitions(input)));

        md.Heading("Translation quality (test split)", 2);
        if (input.ExtraFeatureExtractor is null)
            md.Table(["method", $"FID ({ShortExtractor(input)})", "KID", "called opacity by the evaluation classifier", SensitivePointColumn],
                withIdeal.Select(r => (IReadOnlyList<string>)[r.Method, F(r.Fid, 2), F(r.KidMean, 4), P(r.OpacityRate), P(r.OpacityRateAtSensitivePoint)]).ToList(),
                [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);
        else
            md.Table(["method", $"FID ({ShortExtractor(input)})", "KID", "FID (Inception-v3)", "KID (Inception-v3)", "called opacity by the evaluation classifier", SensitivePointColumn],
                withIdeal.Select(r => (IReadOnlyList<string>)[r.Method, F(r.Fid, 2), F(r.KidMean, 4), F(r.FidExtra, 2), F(r.KidExtra, 4), P(r.OpacityRate), P(r.OpacityRateAtSensitivePoint)]).ToList(),
                [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);
        if (input.ExtraFeatureExtractor is { } extra)
            md.Paragraph($"Inception-v3 columns: {extra}.");
        md.Paragraph($"FID/KID: translated opacity test images against real clear test images, features = {input.FeatureExtractor}; lower is better. " +
            "The untranslated row compares the opacity images themselves with the clear ones (the gap to close)." +
            (input.Ideal is null ? "" : $" The last row, {input.Ideal.Method}, scores each opacity image's paired clear twin as if a translator had " +
            "produced it: what a perfect translation scores with these evaluation models. Its \"called opacity\" is the evaluation classifier's " +
            "false-positive rate on clear images; a translator called less often than that makes images look clearer than clear to the classifier " +
            "(classifiers trained on the same data share cues, and the CDAM label loss pushes along them), which is not better removal.") +
            $" The last column uses a second operating point: the evaluation classifier's threshold lowered until it calls {SensitivePointShare} of the original " +
            "opacity test images (lesion kinds it cannot see force it low, so clear-looking images are called too" +
            (input.Ideal is null ? ")." : "; compare with the ideal row)."));

        if (withIdeal.All(r => r.RateByKind is not null))
        {
            string[] kinds = [.. withIdeal.SelectMany(r => r.RateByKind!.Keys).Distinct().Order(StringComparer.Ordinal)];
            Dictionary<string, int> counts = input.Test.Where(c => c.Domain == Domain.Opacity)
                .GroupBy(c => TranslationEvaluation.KindName(c.Labels)).ToDictionary(g => g.Key, g => g.Count());
            md.Heading("Called opacity, by lesion kind (test split)", 2);
            md.Table(["method", .. kinds.Select(k => $"{k} (n={counts.GetValueOrDefault(k)})"), "still called, of those called before"],
                withIdeal.Select(r => (IReadOnlyList<string>)[r.Method, .. kinds.Select(k => r.RateByKind!.TryGetValue(k, out double v) ? P(v) : "-"), P(r.RateAmongDetected)]).ToList(),
                [ColumnAlign.Left, .. kinds.Select(_ => ColumnAlign.Right), ColumnAlign.Right]);
            md.Paragraph("The evaluation classifier's operating point is fixed on the validation split. Lesion kinds it rarely calls " +
                "even before translation (small nodules, faint ground glass at this size) cannot show a removal; the last column " +
                "counts only the images it called opacity before translation.");
        }

        if (input.Panel is { } panel && withIdeal.All(r => r.PanelRates is { Count: > 0 }))
        {
            int judges = withIdeal[0].PanelRates!.Count;
            md.Heading("Called opacity by a panel of evaluation classifiers (test split)", 2);
            md.Table(["method", "evaluation classifier", .. Enumerable.Range(2, judges).Select(j => $"judge {j}"), "mean of all", "range"],
                withIdeal.Select(r =>
                {
                    double[] all = [r.OpacityRate, .. r.PanelRates!];
                    return (IReadOnlyList<string>)[r.Method, .. all.Select(P), P(all.Average()), $"{P(all.Min())} - {P(all.Max())}"];
                }).ToList(),
                [ColumnAlign.Left, .. Enumerable.Repeat(ColumnAlign.Right, judges + 3)]);
            md.Paragraph($"Judges 2-{judges + 1}: {panel}, each with its own threshold by Youden's J on the validation split. " +
                "One small judge's called rate moves by several points with its seed and recipe; differences between rows that the " +
                "whole panel agrees on are the translators', the rest is the judge.");
        }

        if (input.LesionJudge is { } lesionJudge && withIdeal.All(r => double.IsFinite(r.LesionJudgeRate) && r.LesionJudgeRateByKind is not null))
        {
            string[] kinds = [.. withIdeal.SelectMany(r => r.LesionJudgeRateByKind!.Keys).Distinct().Order(StringComparer.Ordinal)];
            md.Heading("Called opacity by the lesion-map judge (test split)", 2);
            md.Table(["method", "called opacity", .. kinds],
                withIdeal.Select(r => (IReadOnlyList<string>)[r.Method, P(r.LesionJudgeRate), .. kinds.Select(k => r.LesionJudgeRateByKind!.TryGetValue(k, out double v) ? P(v) : "-")]).ToList(),
                [ColumnAlign.Left, .. Enumerable.Repeat(ColumnAlign.Right, kinds.Length + 1)]);
            md.Paragraph($"The lesion-map judge: {lesionJudge}. It scores an image by its strongest lesion pixels (threshold by Youden's J on the " +
                "validation split), so it calls an image for a lesion it can point at, not for global cues clear images share; what it still calls " +
                "after translation is lesion left behind. It does not see faint kinds (small nodules, ground glass at this size) better than the classifiers.");
        }

        md.Heading("Downstream tasks (test split)", 2);
        md.Table(["method", "lung mIoU", "lesion sensitivity", "specificity", "AUC"],
            withIdeal.Select(r => (IReadOnlyList<string>)[r.Method, P(r.LungMiou), P(r.Sensitivity), P(r.Specificity), F(r.Auc)]).ToList(),
            [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);
        KindTable(md, withIdeal, r => r.SensitivityByKind, "Lesion sensitivity by lesion kind (test split; same thresholds):");
        if (input.Ideal is not null)
            md.Paragraph($"For {input.Ideal.Method} the lesion score is the residual between each image and its paired truth: the lesion itself, " +
                "as a translator that removed exactly the opacity would show it.");

        if (input.Models.Count > 0)
        {
            md.Heading("Ablation", 2);
            static string On(bool b) => b ? "yes" : "-";
            md.Table(["method", "ablation", "mask (AASPM)", "CDAM label", "CDAM feature", "FID", "KID", "lung mIoU", "sensitivity", "AUC"],
                input.Models.Select(m =>
                {
                    var o = new GanOptions { Ablation = m.Ablation };
                    MethodScores r = m.Scores;
                    return (IReadOnlyList<string>)[r.Method, AblationName(m.Ablation), On(o.UseMask), On(o.UseLabel), On(o.UseFeature), F(r.Fid, 2), F(r.KidMean, 4), P(r.LungMiou), P(r.Sensitivity), F(r.Auc)];
                }).ToList(),
                [ColumnAlign.Left, ColumnAlign.Left, ColumnAlign.Center, ColumnAlign.Center, ColumnAlign.Center, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);
        }

        md.Heading("Against the phantom's paired truth (possible only on phantoms)", 2);
        if (input.HasTruth)
        {
            md.Table(["method", "PSNR to truth (dB)", "SSIM to truth", "change outside opacity (MAE)", "error inside opacity (MAE)", "lesion removed", "mask IoU vs true opacity"],
                rows.Select(r => (IReadOnlyList<string>)[r.Method, F(r.Truth!.PsnrToTruth, 2), F(r.Truth.SsimToTruth),
                    P(r.Truth.ChangeOutsideMask), P(r.Truth.ErrorInsideMask), P(r.Truth.LesionRemoved), F(r.Truth.MaskIou)]).ToList(),
                [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right]);
            md.Paragraph($"Change outside the opacity is mean |G(x) - x| over pixels outside the true opacity mask (the bar for \"anatomy kept\" is {P(PhantomTruthMetrics.AnatomyBar)}); " +
                "lesion removed is the share of the lesions' excess density over their paired truth (the sum of max(x - truth, 0) inside the true " +
                "opacity mask, pooled over the test opacity images) that the translation takes away: 1 - sum max(G(x) - truth, 0) / sum max(x - truth, 0) " +
                "(darkening below the truth is not credited; the error inside sees it); " +
                "mask IoU thresholds the translator's AASPM mask at 0.5 ('-' for rows without a mask).");
            KindTable(md, rows, r => r.RemovedByKind, "Lesion removed, by lesion kind (test split; each kind's excess pooled over its images):");
        }
        else
        {
            md.Paragraph("Left out: the test opacity images have no paired clear truth (a real-data folder, not phantoms), so PSNR/SSIM to the truth, " +
                "change outside the opacity and mask IoU cannot be measured.");
        }

        if (input.Models.Count > 0)
        {
            EvaluatedTranslator full = input.Models.FirstOrDefault(m => m.Ablation == Ablation.Full) ?? input.Models[^1];
            EvaluatedTranslator? cycleGan = input.Models.FirstOrDefault(m => m.Ablation == Ablation.CycleGan && m != full);
            md.Heading("The paper's headline numbers beside ours", 2);
            md.PaperVsOurs(new OurHeadlineNumbers
            {
                Fid = full.Scores.Fid, FidComparison = cycleGan?.Scores.Fid, Kid = full.Scores.KidMean, KidComparison = cycleGan?.Scores.KidMean,
                LungMiou = full.Scores.LungMiou, LungMiouOriginal = input.Untranslated.LungMiou,
                Sensitivity = full.Scores.Sensitivity, SensitivityOriginal = input.Untranslated.Sensitivity,
            }, input.DataDescription, (full.Ablation == Ablation.Full ? "ours" : $"ours ({full.Name})") + (input.HasTruth ? ", phantoms" : ""));
            md.Paragraph($"Ours: translated / proposed = {full.Scores.Method}; FID/KID comparison = {cycleGan?.Scores.Method ?? "none (no CycleGAN-ablation checkpoint was given)"}; " +
                $"mIoU/sensitivity comparison = {input.Untranslated.Method}; FID/KID features = {input.FeatureExtractor}.");

            Samples(input, md, images);
        }
        Training(input, md, images);

        string mdPath = Path.Combine(input.OutDir, "report.md");
        md.Save(mdPath);
        string jsonPath = Path.Combine(input.OutDir, "metrics.json");
        EvaluationMetricsJson.Save(jsonPath, input);
        string? html = null;
        if (input.Html)
        {
            html = Path.Combine(input.OutDir, "report.html");
            HtmlReport.Save(html, md.ToString(), input.Title);
        }
        return new EvaluationReportFiles(Path.GetFullPath(mdPath), html is null ? null : Path.GetFullPath(html), Path.GetFullPath(jsonPath), images);
    }

    /// <summary>A paragraph and a table of one per-lesion-kind share (columns: the kinds any row has), when every row has it.</summary>
    private static void KindTable(MarkdownReport md, List<MethodScores> rows, Func<MethodScores, IReadOnlyDictionary<string, double>?> byKind, string caption)
    {
        if (!rows.All(r => byKind(r) is not null)) return;
        string[] kinds = [.. rows.SelectMany(r => byKind(r)!.Keys).Distinct().Order(StringComparer.Ordinal)];
        md.Paragraph(caption);
        md.Table(["method", .. kinds], rows.Select(r => (IReadOnlyList<string>)[r.Method, .. kinds.Select(k => byKind(r)!.TryGetValue(k, out double v) ? P(v) : "-")]).ToList(),
            [ColumnAlign.Left, .. kinds.Select(_ => ColumnAlign.Right)]);
    }

    private static IEnumerable<string> Definitions(EvaluationReportInput input)
    {
        yield return $"FID/KID features: {input.FeatureExtractor}; translated opacity test images vs real clear test images (KID: cubic polynomial kernel, 100 subsets)";
        yield return "Lung mIoU: the lung segmenter's foreground IoU against the true lung masks of the test opacity images, averaged over images (not over {background, lung})";
        yield return $"Lesion detection: for a translator the score is the mean of the largest {TranslationEvaluation.LesionScoreFraction * 100:0} % of the residual |x - G(x)| inside the predicted lungs (opacities are local); for the untranslated row the evaluation classifier's probability on the original; both thresholds are set on the validation split at {TranslationEvaluation.DetectionSpecificity * 100:0} % specificity (the two scores live on different scales, so sensitivities are compared at one specificity), sensitivity/specificity/AUC measured on the test split";
        yield return "\"Called opacity\": the share of translated opacity test images the evaluation classifier still calls opacity (threshold from the validation split); lower means the opacity was removed";
    }

    private static readonly string SensitivePointShare = $"{TranslationEvaluation.SensitivePointShare * 100:0} %";
    private static readonly string SensitivePointColumn = $"called at the point calling {SensitivePointShare} of originals";

    private static string ShortExtractor(EvaluationReportInput input)
        => input.FeatureExtractor.Contains("classifier", StringComparison.OrdinalIgnoreCase) ? "evaluation-classifier features" : input.FeatureExtractor;

    /// <summary>A file-name-safe form of a row name: lower case, [a-z0-9+-], other characters as '-'.</summary>
    public static string FileName(string name)
        => new(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' ? c : '-').ToArray());

    private static void Samples(EvaluationReportInput input, MarkdownReport md, List<string> images)
    {
        int n = input.Size;
        var cases = input.Test.Where(c => c.Domain == Domain.Opacity).Take(input.SampleRows).ToList();
        if (cases.Count == 0) return;
        bool truth = cases.All(c => c.PairedClear is not null);
        var outputs = input.Models.Select(m => cases.Select(c => m.Translator.Translate(c.Image, n, n)).ToList()).ToList();

        var titles = new List<string> { "input" };
        if (truth) titles.Add("truth");
        titles.AddRange(input.Models.Select(m => m.Name));
        if (truth) titles.Add("true mask");
        var overview = new ImageGrid().WithColumnTitles([.. titles]);
        for (int i = 0; i < cases.Count; i++)
        {
            var cells = new List<GridCell> { GridCell.Image(cases[i].Image, n, n) };
            if (truth) cells.Add(GridCell.Image(cases[i].PairedClear!, n, n));
            cells.AddRange(outputs.Select(o => GridCell.Image(o[i].Image, n, n)));
            if (truth) cells.Add(GridCell.Mask(cases[i].OpacityMask, n, n));
            overview.AddRow([.. cells]);
        }
        md.Heading("Samples", 2);
        images.Add(SaveGrid(overview, input.OutDir, "samples.png"));
        md.Image(string.Join(" | ", titles), "samples.png");

        for (int k = 0; k < input.Models.Count; k++)
        {
            EvaluatedTranslator m = input.Models[k];
            string[] cols = truth ? ["input", "mask", "output", "residual x4", "truth"] : ["input", "mask", "output", "residual x4"];
            var grid = new ImageGrid().WithColumnTitles(cols);
            for (int i = 0; i < cases.Count; i++)
            {
                float[] x = cases[i].Image, y = outputs[k][i].Image;
                var residual = new float[x.Length];
                for (int j = 0; j < x.Length; j++) residual[j] = Math.Min(1f, 4f * Math.Abs(y[j] - x[j]));
                var cells = new List<GridCell>
                {
                    GridCell.Image(x, n, n),
                    outputs[k][i].Mask is { } mask ? GridCell.Overlaid(x, mask, n, n, MaskColor) : GridCell.Image(new float[x.Length], n, n),
                    GridCell.Image(y, n, n), GridCell.Image(residual, n, n),
                };
                if (truth) cells.Add(GridCell.Image(cases[i].PairedClear!, n, n));
                grid.AddRow([.. cells]);
            }
            string file = $"samples-{FileName(m.Name)}.png";
            images.Add(SaveGrid(grid, input.OutDir, file));
            md.Image($"{m.Scores.Method}: " + string.Join(" | ", cols) + (m.Translator.HasMask ? " (mask in red over the input)" : " (no mask head: black)"), file);
        }
    }

    /// <summary>The discriminator columns of GanTrainer's losses.csv.</summary>
    private static readonly string[] Discriminator = ["DA", "DB"];

    private static void Training(EvaluationReportInput input, MarkdownReport md, List<string> images)
    {
        const int window = 20;
        var curves = input.Models.Select(m => (m, LossCurves.Read(m.LossesCsv))).Where(t => t.Item2.Count > 0).ToList();
        if (curves.Count == 0)
        {
            if (input.Models.Count > 0) md.Heading("Training", 2).Paragraph("No losses.csv was found next to the checkpoints, so there are no training curves.");
            return;
        }
        md.Heading("Training", 2);
        var g = new LinePlot { Title = "generator loss", XLabel = "step", YLabel = "G loss" };
        foreach (var (m, losses) in curves)
            if (losses.TryGetValue("G", out var v) && v.Any(double.IsFinite)) g.Add(m.Name, LossCurves.Smooth(v, window));
        if (g.Series.Count > 0)
        {
            images.Add(SavePlot(g, input.OutDir, "losses.png"));
            md.Image($"generator loss per translator (moving average of {window} steps)", "losses.png");
        }
        var d = new LinePlot { Title = "discriminator losses", XLabel = "step", YLabel = "D loss" };
        foreach (var (m, losses) in curves)
            foreach (string name in Discriminator)
                if (losses.TryGetValue(name, out var v) && v.Any(double.IsFinite)) d.Add($"{m.Name} {name}", LossCurves.Smooth(v, window));
        if (d.Series.Count > 0)
        {
            images.Add(SavePlot(d, input.OutDir, "losses-discriminators.png"));
            md.Image($"discriminator losses per translator (moving average of {window} steps)", "losses-discriminators.png");
        }
        // Per run: the generator's loss terms (the total G and the discriminators are in the plots above;
        // leaving them out keeps the terms within the 10 distinct palette colours).
        foreach (var (m, losses) in curves)
        {
            var plot = new LinePlot { Title = $"{m.Name}: generator loss terms", XLabel = "step", YLabel = "loss" };
            foreach (var (name, v) in losses)
                if (name != "G" && !Discriminator.Contains(name) && v.Any(double.IsFinite)) plot.Add(name, LossCurves.Smooth(v, window));
            if (plot.Series.Count == 0) continue;
            string file = $"losses-{FileName(m.Name)}.png";
            images.Add(SavePlot(plot, input.OutDir, file));
            md.Image($"{m.Scores.Method}: the generator's loss terms from its losses.csv (moving average of {window} steps)", file);
        }
        md.Paragraph(string.Create(CultureInfo.InvariantCulture, $"Curves from: {string.Join("; ", curves.Select(c => c.m.LossesCsv))}."));
    }

    private static string SaveGrid(ImageGrid grid, string dir, string file)
    {
        string path = Path.Combine(dir, file);
        grid.Save(path);
        return Path.GetFullPath(path);
    }

    private static string SavePlot(LinePlot plot, string dir, string file)
    {
        string path = Path.Combine(dir, file);
        plot.Save(path);
        return Path.GetFullPath(path);
    }
}
