// `opacity eval --model CKPT [--model CKPT ...] --data DIR --out DIR [--classifier FILE] [--judge FILE ...] [--lesion-judge FILE] [--segmenter FILE] [--html]`:
// scores translator checkpoints on the test split of a phantom folder (METHOD.md, Evaluation) and writes
// the same report as `opacity demo` (EvaluationReport): report.md (+ report.html with --html),
// metrics.json, image grids and loss curves. Rows: the untranslated test images, then one per --model,
// named by the checkpoint's ablation, and on phantoms the paired truth scored as the ideal translation. The evaluation classifier and lung segmenter come from --classifier
// / --segmenter or the demo's models folder (EvalInputs); the CDAM classifier a translator was trained
// with is refused (CdamClassifierRecord), as evaluation classifier and as judge. --judge adds further
// evaluation classifiers whose called rates are reported beside it; without --judge and --classifier the
// demo's judges beside its evaluation classifier (models/eval_judge_2, 3, ... in order, up to the first
// missing one) are used. --lesion-judge (default: the demo's models/lesion_map_judge.safetensors when there is one)
// adds the lesion-map judge's called rates (LesionMapJudge). FID/KID use the evaluation classifier's pooled features.
// Bad input (missing or corrupt file, size mismatch, empty folder, no or one-domain test split): one
// sentence on stderr, exit 1. Tested by EvalCommandTests.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Inference;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Gan.Reports;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

public static class EvalCommand
{
    public sealed record EvalOptions(IReadOnlyList<string> Models, string Data, string Out, string? Classifier, string? Segmenter, bool Html,
        string? InceptionWeights = null, string Device = "cpu", IReadOnlyList<string>? Judges = null, string? LesionJudge = null);

    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "Translator checkpoint (checkpoint.safetensors from `opacity train`); repeat for several.", Required = true };
        var data = new Option<string>("--data") { Description = "Phantom folder written by `opacity synth` (its test and val splits are used).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder for report.md, metrics.json and the PNGs.", Required = true };
        var classifier = new Option<string?>("--classifier") { Description = "Evaluation classifier (train-classifier output, NOT the translator's CDAM classifier); default: the demo's models/eval_classifier.safetensors." };
        var judges = new Option<string[]>("--judge") { Description = "A further evaluation classifier for the called-opacity panel (repeat for several); default: the demo's models/eval_judge_*.safetensors beside the demo's evaluation classifier." };
        var lesionJudge = new Option<string?>("--lesion-judge") { Description = "Lesion-map judge (a U-Net on true opacity masks, from `opacity train-classifier --kind lesion-map`); default: the demo's models/lesion_map_judge.safetensors when present." };
        var segmenter = new Option<string?>("--segmenter") { Description = "Lung segmenter (train-segmenter output); default: the demo's models/lung_unet.safetensors." };
        var html = new Option<bool>("--html") { Description = "Also write report.html (self-contained, images referenced relatively)." };
        var inception = new Option<string?>("--inception-weights") { Description = "pytorch-fid's Inception-v3 as safetensors (see README): FID/KID on Inception features beside the classifier features." };
        var device = new Option<string>("--device") { Description = "Where the translators run: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("eval", "Evaluate translator checkpoints on a phantom folder's test split and write the report (tables, paper numbers, grids, curves, metrics.json).");
        foreach (Option o in new Option[] { models, data, outDir, classifier, judges, lesionJudge, segmenter, html, inception, device }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                return Run(new EvalOptions(parse.GetValue(models) ?? [], parse.GetValue(data)!, parse.GetValue(outDir)!,
                    parse.GetValue(classifier), parse.GetValue(segmenter), parse.GetValue(html), parse.GetValue(inception), parse.GetValue(device) ?? "cpu", parse.GetValue(judges), parse.GetValue(lesionJudge)));
            }
            catch (Exception e) when (e is TrainingException or PhantomException or ReportException or MetricInputException or MetricsException
                                           or IOException or UnauthorizedAccessException or InceptionWeightsException or DeviceUnavailableException or ArgumentException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    private static void Say(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    internal static int Run(EvalOptions o)
    {
        var clock = Stopwatch.StartNew();
        EvalData data = EvalInputs.LoadData(o.Data);
        List<EvalCheckpoint> checkpoints = EvalInputs.ReadCheckpoints(o.Models, data);
        string clsPath = EvalInputs.Resolve(o.Classifier, "--classifier", EvalInputs.ClassifierFile, "Evaluation classifier",
            "`opacity train-classifier --kind plain --seed N`, a seed other than the CDAM classifier's", data, checkpoints);
        string segPath = EvalInputs.Resolve(o.Segmenter, "--segmenter", EvalInputs.SegmenterFile, "Lung segmenter", "`opacity train-segmenter`", data, checkpoints);
        // The evaluation classifier and every judge: never a translator's CDAM classifier, trained at the data's size.
        (OpacityClassifier Model, CdamClassifierRecord.Identity Id) LoadJudge(string path, string what)
        {
            CdamClassifierRecord.Identity id = CdamClassifierRecord.Of(path);
            CdamClassifierRecord.Refuse(id, checkpoints.Select(c => (c.Path, c.Options)), data.Dir);
            var (model, modelSize) = ClassifierCheckpoint.Load(path);
            EvalInputs.RequireSize(modelSize, path, what, data);
            return (model, id);
        }
        var (cls, clsId) = LoadJudge(clsPath, "evaluation classifier");
        var judges = new List<OpacityClassifier>();
        IReadOnlyList<string> judgePaths = o.Judges is { Count: > 0 } given ? given
            : o.Classifier is null ? EvalInputs.DemoJudges(clsPath) : [];
        if (o.Judges is not { Count: > 0 } && judgePaths.Count > 0)
            Say($"judges: the demo's {judgePaths.Count} beside {clsPath} (give --judge to choose others)");
        foreach (string judgePath in judgePaths)
        {
            if (!File.Exists(judgePath)) throw new TrainingException($"Judge classifier '{judgePath}' does not exist.");
            judges.Add(LoadJudge(judgePath, "judge classifier").Model);
        }
        string? lesionPath = EvalInputs.ResolveOptional(o.LesionJudge, EvalInputs.LesionJudgeFile, "Lesion-map judge", data, checkpoints);
        LesionMapJudge? lesion = null;
        if (lesionPath is not null)
        {
            (lesion, int lesionSize) = LesionMapTrainer.Load(lesionPath);
            EvalInputs.RequireSize(lesionSize, lesionPath, "lesion-map judge", data);
            if (o.LesionJudge is null) Say($"lesion-map judge: the demo's {lesionPath} (give --lesion-judge to choose another)");
        }
        var (seg, segSize) = SegmenterTrainer.Load(segPath);
        EvalInputs.RequireSize(segSize, segPath, "lung segmenter", data);
        int opacity = data.Test.Count(c => c.Domain == Domain.Opacity);
        Say($"test split: {opacity} opacity and {data.Test.Count - opacity} clear images at {data.Size} px; validation split: {data.Validation.Count} images");

        Device runOn = Device.Parse(o.Device);
        IFeatureExtractor? inceptionFeatures = null;
        if (o.InceptionWeights is { } weights)
        {
            if (!File.Exists(weights)) throw new TrainingException($"Inception weights '{weights}' do not exist.");
            inceptionFeatures = InceptionFeatureExtractor.FromWeights(weights);
        }
        var evaluation = new TranslationEvaluation(cls, seg, data.Size, data.Validation, data.Test, inceptionFeatures, judges.Count == 0 ? null : judges, lesion);
        Say("scoring the untranslated images");
        MethodScores untranslated = evaluation.Evaluate("untranslated", x => (x, null), residualDetection: false);
        MethodScores? ideal = evaluation.EvaluateIdeal();
        if (ideal is not null) Say("scored the paired truth as the ideal translation");
        var translators = new List<Translator>();
        try
        {
            var rows = new List<EvaluatedTranslator>();
            foreach (EvalCheckpoint c in checkpoints)
            {
                Say($"scoring {c.Name} ({c.Path})");
                Translator t = Translator.Load(c.Path, runOn);
                translators.Add(t);
                MethodScores s = evaluation.Evaluate(c.Name, x => { TranslationResult r = t.Translate(x, data.Size, data.Size); return (r.Image, r.Mask); });
                rows.Add(new EvaluatedTranslator(c.Name, c.Options.Ablation, t, s, Path.GetFullPath(c.Path), c.LossesCsv));
            }
            EvaluationReportFiles files = EvaluationReport.Write(Input(o, data, untranslated, rows, clsPath, clsId, segPath, clock.Elapsed)
                with
                {
                    ExtraFeatureExtractor = inceptionFeatures?.Description, Ideal = ideal,
                    Panel = judges.Count == 0 ? null : string.Join(", ", judgePaths.Select(Path.GetFullPath)),
                    LesionJudge = lesionPath is null ? null : $"{Path.GetFullPath(lesionPath)}, image score = the mean of its {LesionMapJudge.TopK} largest lesion logits",
                });
            ScoreSummary.Print(rows.Select(r => r.Scores).Prepend(untranslated), ideal);
            Say($"done in {clock.Elapsed.TotalSeconds:F1} s. Report: {files.Markdown}" + (files.Html is null ? "" : $" and {files.Html}") + $"; metrics: {files.MetricsJson}");
        }
        finally
        {
            foreach (Translator t in translators) t.Dispose();
        }
        return 0;
    }

    private static EvaluationReportInput Input(EvalOptions o, EvalData data, MethodScores untranslated, List<EvaluatedTranslator> rows,
        string clsPath, CdamClassifierRecord.Identity clsId, string segPath, TimeSpan elapsed)
    {
        int opacity = data.Test.Count(c => c.Domain == Domain.Opacity);
        string dataText = string.Create(CultureInfo.InvariantCulture,
            $"'{Path.GetFullPath(data.Dir)}': test split {opacity} opacity + {data.Test.Count - opacity} clear images, validation split {data.Validation.Count} images, {data.Size} px");
        string clsText = $"{Path.GetFullPath(clsPath)} ({string.Join(", ", clsId.Metadata.Select(kv => $"{kv.Key} {kv.Value}"))})";
        return new EvaluationReportInput
        {
            OutDir = o.Out,
            Title = "Opacity.Native evaluation report",
            Intro =
            [
                $"`opacity eval` of {rows.Count} translator checkpoint(s) on {dataText}. " +
                $"Evaluated in {elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores; all numbers below were measured in this run.",
            ],
            Setup =
            [
                $"Data: {dataText}" + (data.HasTruth ? " (phantoms with paired truth)" : " (no paired truth: the phantom-truth table is left out)"),
                .. rows.Select(r => $"Translator {r.Name}: {r.Checkpoint} (ablation {EvaluationReport.AblationName(r.Ablation)})"),
                $"Evaluation classifier (trained apart from the translators; its threshold is picked on the validation split): {clsText}",
                $"Lung segmenter: {Path.GetFullPath(segPath)}",
            ],
            Facts =
            [
                new("data", Path.GetFullPath(data.Dir)), new("size", data.Size.ToString(CultureInfo.InvariantCulture)),
                new("test_images", data.Test.Count.ToString(CultureInfo.InvariantCulture)), new("test_opacity_images", opacity.ToString(CultureInfo.InvariantCulture)),
                new("validation_images", data.Validation.Count.ToString(CultureInfo.InvariantCulture)),
                new("evaluation_classifier", clsId.Path), new("evaluation_classifier_sha256", clsId.Sha256), new("lung_segmenter", Path.GetFullPath(segPath)),
            ],
            Untranslated = untranslated,
            Models = rows,
            Test = data.Test,
            Size = data.Size,
            DataDescription = data.HasTruth ? "synthetic chest-radiograph phantoms" : $"the images of '{data.Dir}'",
            Html = o.Html,
        };
    }
}
