// The demo's report: the demo-specific setup text (what was trained, how long), then the shared
// EvaluationReport, the same code `opacity eval` writes its report with (tables, paper numbers, image
// grids, loss curves, metrics.json). Rows after the first (untranslated) are the demo's translators, in
// the order of the translators dictionary (run name = ablation name, e.g. "cyclegan", "full"; their runs
// live in OUT/translator-NAME). Tested by DemoCommandTests.
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Inference;
using Opacity.Gan.Reports;
using Opacity.Gan.Training;

namespace Opacity.Cli.Commands;

internal static class DemoReport
{
    private static string F(double? v) => MarkdownReport.Num(v ?? double.NaN, 3);

    public static string Write(DemoCommand.DemoOptions o, IReadOnlyList<MethodScores> rows, MethodScores? ideal, IReadOnlyList<PhantomCase> test,
        IReadOnlyDictionary<string, Translator> translators, CdamValidation cdam, ClassifierMetrics? evalCls, SegmenterMetrics? seg, ClassifierMetrics? lesionJudge, TimeSpan elapsed)
    {
        if (rows.Count != translators.Count + 1)
            throw new ReportException($"Demo report: {rows.Count} rows for {translators.Count} translators (expected the untranslated row plus one per translator).");
        var models = translators.Select((kv, i) =>
        {
            string dir = Path.Combine(o.Out, "translator-" + kv.Key);
            return new EvaluatedTranslator(kv.Key, GanOptions.ParseAblation(kv.Key), kv.Value, rows[i + 1],
                Path.GetFullPath(Path.Combine(dir, GanCheckpoint.FileName)), Path.Combine(dir, "losses.csv"));
        }).ToList();
        string phi = o.CdamClassifiers == 1 ? "one frozen classifier" : $"an ensemble of {o.CdamClassifiers} frozen classifiers (mean logit)";
        var input = new EvaluationReportInput
        {
            OutDir = o.Out,
            Title = "Opacity.Native demo report",
            Intro =
            [
                $"Synthetic chest-radiograph phantoms, {o.Count} patients at {o.Size} px (seed {o.Seed}), split 80/10/10 by patient, " +
                $"and {o.EvalCount} more patients held out for evaluation only; the test split has {test.Count(c => c.Domain == Domain.Opacity)} opacity " +
                $"and {test.Count(c => c.Domain == Domain.Clear)} clear images. Translators: " +
                (o.Generator == GeneratorKind.UNet ? $"U-Net generator (width {o.Ngf}, depth {DemoCommand.DemoUNetDepth})" : $"ResNet generator (ngf {o.Ngf}, {o.Blocks} blocks)") +
                $", 70x70 PatchGAN (width {o.DiscriminatorWidth}), {o.GanSteps} steps each, batch 1, Adam {o.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}, " +
                (o.Device.IsCpu ? "CPU" : $"on {o.Device}") +
                (o.GeneratorAverage > 0 ? $"; each translator is the moving average of its generator's weights (decay {o.GeneratorAverage.ToString("G4", CultureInfo.InvariantCulture)}). " : ". ") +
                $"Total time {elapsed.TotalMinutes:F1} min on {Environment.ProcessorCount} cores{(o.Device.IsCpu ? "" : " and the GPU")}. All numbers below were measured in this run.",
                "The full method runs in its CPU-budget configuration: AASPM mask head with residual content (C = x + tanh), " +
                (o.MaskPrior == MaskPrior.SaliencyTarget ? "option B's prior from the CDAM classifiers' saliency (their smoothed input gradient) " : "option B's classifier-activation prior ") +
                "as an L1 target for the mask, the opacity domain's cycle loss counted outside the mask, " +
                (o.OpacityNegatives > 0 ? $"real opacity images as negatives of the clear-domain discriminator (weight {o.OpacityNegatives.ToString("G4", CultureInfo.InvariantCulture)}), " : "") +
                $"CDAM label (weight {o.LabelWeight.ToString("G4", CultureInfo.InvariantCulture)}) and feature (F1) alignment against {phi}. METHOD.md's literal defaults (absolute content, no prior, full cycle) collapse the mask " +
                "to ~0 on a budget this short. The CycleGAN row is the plain ablation (no mask, no CDAM) with the same steps and rate.",
            ],
            Setup =
            [
                $"CDAM classifier ({(cdam.Members.Count == 1 ? "ResNet" : $"ensemble of {cdam.Members.Count} ResNets of different seeds, mean logit")}, frozen during translation training): validation AUC {cdam.Describe()}",
                $"Evaluation classifier (plain CNN, other seed, never seen by the translator): validation AUC {F(evalCls?.Auc)}",
                $"Lung U-Net (trained on clear images): validation IoU {F(seg?.MeanIoU)}",
                $"Lesion-map judge (U-Net on the true opacity masks, seed {o.Seed + 40}, never seen by the translator): validation AUC {F(lesionJudge?.Auc)}",
            ],
            Facts =
            [
                new("data", string.Create(CultureInfo.InvariantCulture, $"{o.Count} phantoms in memory, seed {o.Seed}, plus {o.EvalCount} for evaluation only")),
                new("test_images", test.Count.ToString(CultureInfo.InvariantCulture)),
                new("size", o.Size.ToString(CultureInfo.InvariantCulture)),
                new("gan_steps", o.GanSteps.ToString(CultureInfo.InvariantCulture)),
                new("device", o.Device.ToString()),
                new("generator_average", o.GeneratorAverage.ToString("G4", CultureInfo.InvariantCulture)),
                new("mask_prior", o.MaskPrior == MaskPrior.SaliencyTarget ? "saliency" : "cam"),
                new("d_opacity_negatives", o.OpacityNegatives.ToString("G4", CultureInfo.InvariantCulture)),
                new("label_weight", o.LabelWeight.ToString("G4", CultureInfo.InvariantCulture)),
                new("cdam_classifier_val_auc", F(cdam.Ensemble.Auc)), new("cdam_members", cdam.Members.Count.ToString(CultureInfo.InvariantCulture)), new("evaluation_classifier_val_auc", F(evalCls?.Auc)), new("lung_segmenter_val_iou", F(seg?.MeanIoU)),
                new("lesion_map_judge_val_auc", F(lesionJudge?.Auc)),
            ],
            Panel = o.Judges == 1 ? null : $"plain CNNs of the evaluation classifier's recipe with seeds {o.Seed + 21}-{o.Seed + 19 + (ulong)o.Judges}",
            LesionJudge = $"a U-Net (width 8, depth 3) trained on the phantoms' true opacity masks of the training split ({o.LesionJudgeSteps} steps, seed {o.Seed + 40}), image score = the mean of its {Opacity.Gan.Networks.LesionMapJudge.TopK} largest lesion logits",
            Untranslated = rows[0],
            Ideal = ideal,
            Models = models,
            Test = test,
            Size = o.Size,
        };
        return EvaluationReport.Write(input).Markdown;
    }
}
