// What `opacity eval` reads before it scores anything, each bad input as one sentence (TrainingException):
//  - the test and validation splits of a folder written by `opacity synth` (PhantomDataset, the reader
//    the train commands use; only those two splits are loaded). The test split needs at least two
//    images of each domain (FID/KID need two samples per set), the validation split one of each (the
//    detection thresholds are picked on it). Opacity images without paired truth (a real-data folder)
//    are allowed: the phantom-truth rows are then left out of the report;
//  - the translator checkpoints (GanCheckpoint metadata: size and ablation), named by their ablation,
//    with the run folder's name added when two share one;
//  - the evaluation classifier and lung segmenter: --classifier / --segmenter, else the demo's files
//    (DATA/models, the checkpoint's folder, or ../models beside it), else a sentence naming the flag;
//    the demo's judges beside a demo evaluation classifier (DemoJudges); the lesion-map judge: --lesion-judge,
//    else the demo's file in the same places, else none (its table is left out).
// Every model must have been trained at the data's size. Tested by EvalCommandTests.
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Reports;
using Opacity.Gan.Training;

namespace Opacity.Cli.Commands;

/// <summary>A translator checkpoint: its path, report name and training options.</summary>
internal sealed record EvalCheckpoint(string Path, string Name, GanOptions Options)
{
    /// <summary>The run's losses.csv beside the checkpoint (GanTrainer writes both into one folder); null when absent.</summary>
    public string? LossesCsv
    {
        get
        {
            string csv = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!, "losses.csv");
            return File.Exists(csv) ? csv : null;
        }
    }
}

/// <summary>The evaluation splits of a data folder.</summary>
internal sealed record EvalData(string Dir, int Size, List<PhantomCase> Test, List<PhantomCase> Validation)
{
    public bool HasTruth => Test.Where(c => c.Domain == Domain.Opacity).All(c => c.PairedClear is not null);
}

internal static class EvalInputs
{
    /// <summary>The demo's file names (DemoCommand writes them into OUT/models).</summary>
    public const string ClassifierFile = "eval_classifier.safetensors", SegmenterFile = "lung_unet.safetensors", LesionJudgeFile = "lesion_map_judge.safetensors";

    /// <summary>The demo's file name of judge <paramref name="judge"/> (2-based: judge 1 is the evaluation classifier).</summary>
    public static string JudgeFile(int judge) => $"eval_judge_{judge}.safetensors";

    /// <summary>The demo's judges beside its evaluation classifier: eval_judge_2, 3, ... up to the first missing one.</summary>
    public static List<string> DemoJudges(string classifierPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(classifierPath))!;
        var found = new List<string>();
        for (int j = 2; File.Exists(Path.Combine(dir, JudgeFile(j))); j++) found.Add(Path.Combine(dir, JudgeFile(j)));
        return found;
    }

    public static EvalData LoadData(string dir)
    {
        if (!Directory.Exists(dir)) throw new TrainingException($"Data folder '{dir}' does not exist.");
        string manifest = Path.Combine(dir, PhantomManifest.FileName);
        if (!File.Exists(manifest)) throw new TrainingException($"Data folder '{dir}' is empty: it has no {PhantomManifest.FileName} (write one with `opacity synth`).");
        if (PhantomManifest.Read(manifest).Count == 0) throw new TrainingException($"Data folder '{dir}' has no images (its {PhantomManifest.FileName} lists none).");
        List<PhantomCase> test = [.. PhantomDataset.Read(dir, Split.Test)];
        if (test.Count == 0) throw new TrainingException($"Data folder '{dir}' has no test-split images; evaluation runs on the test split (write one with `opacity synth`, whose --train and --val fractions leave the rest for test).");
        List<PhantomCase> val = [.. PhantomDataset.Read(dir, Split.Val)];
        RequireDomains(test, 2, $"The test split of '{dir}'", "FID/KID and detection need at least 2 images of each domain");
        RequireDomains(val, 1, $"The validation split of '{dir}'", "the detection thresholds are picked on it and need both domains");
        int size = test[0].Size;
        if (test.Concat(val).Any(c => c.Size != size)) throw new TrainingException($"Data folder '{dir}' mixes image sizes; evaluation needs one size.");
        return new EvalData(dir, size, test, val);
    }

    private static void RequireDomains(List<PhantomCase> cases, int min, string what, string why)
    {
        int opacity = cases.Count(c => c.Domain == Domain.Opacity), clear = cases.Count - opacity;
        if (opacity < min || clear < min)
            throw new TrainingException($"{what} has {opacity} opacity and {clear} clear images; {why}.");
    }

    /// <summary>Reads each checkpoint's options; names rows by ablation ("full", "cyclegan", ...), adding the run folder when two share a name.</summary>
    public static List<EvalCheckpoint> ReadCheckpoints(IReadOnlyList<string> paths, EvalData data)
    {
        if (paths.Count == 0) throw new TrainingException("Give at least one --model CHECKPOINT.");
        var result = new List<EvalCheckpoint>();
        foreach (string path in paths)
        {
            if (!File.Exists(path)) throw new TrainingException($"Checkpoint '{path}' does not exist.");
            var (tensors, options, _) = GanCheckpoint.Read(path);
            foreach (var t in tensors.Values) t.Dispose();
            if (options.Size != data.Size)
                throw new TrainingException($"Checkpoint '{path}' is a {options.Size} px translator, but the images in '{data.Dir}' are {data.Size} px.");
            result.Add(new EvalCheckpoint(path, EvaluationReport.AblationName(options.Ablation), options));
        }
        for (int i = 0; i < result.Count; i++)
        {
            if (result.Count(r => r.Name == result[i].Name) < 2) continue;
            string baseName = result[i].Name;
            for (int j = 0; j < result.Count; j++)
                if (result[j].Name == baseName)
                    result[j] = result[j] with { Name = $"{baseName} ({new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(result[j].Path))!).Name})" };
        }
        for (int i = 0; i < result.Count; i++)
            if (result.Take(i).Any(r => EvaluationReport.FileName(r.Name) == EvaluationReport.FileName(result[i].Name)))
                result[i] = result[i] with { Name = $"{result[i].Name} #{i + 1}" };
        return result;
    }

    /// <summary>The given file, else the first of the demo's places that exists, else a sentence naming <paramref name="flag"/>.</summary>
    public static string Resolve(string? given, string flag, string demoFile, string what, string trainHint, EvalData data, IEnumerable<EvalCheckpoint> checkpoints)
        => ResolveOptional(given, demoFile, what, data, checkpoints)
            ?? throw new TrainingException($"No {what.ToLowerInvariant()} was given or found ({demoFile} in the data's or the checkpoints' models folder); give {flag} FILE (train one with {trainHint}).");

    /// <summary>The given file (which must exist), else the first of the demo's places holding <paramref name="demoFile"/>, else null.</summary>
    public static string? ResolveOptional(string? given, string demoFile, string what, EvalData data, IEnumerable<EvalCheckpoint> checkpoints)
    {
        if (given is null) return FindDemoFile(demoFile, data, checkpoints);
        if (!File.Exists(given)) throw new TrainingException($"{what} file '{given}' does not exist.");
        return given;
    }

    /// <summary>The first of the demo's places holding <paramref name="demoFile"/> (DATA/models, beside a checkpoint,
    /// ../models beside a checkpoint's folder), or null.</summary>
    public static string? FindDemoFile(string demoFile, EvalData data, IEnumerable<EvalCheckpoint> checkpoints)
    {
        var places = new List<string> { Path.Combine(data.Dir, "models", demoFile) };
        foreach (EvalCheckpoint c in checkpoints)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(c.Path))!;
            places.Add(Path.Combine(dir, demoFile));
            if (Path.GetDirectoryName(dir) is { } parent) places.Add(Path.Combine(parent, "models", demoFile));
        }
        return places.FirstOrDefault(File.Exists);
    }

    /// <summary>Throws unless a model file was trained at the data's size.</summary>
    public static void RequireSize(int modelSize, string path, string what, EvalData data)
    {
        if (modelSize != data.Size)
            throw new TrainingException($"The {what} '{path}' was trained at {modelSize} px, but the images in '{data.Dir}' are {data.Size} px.");
    }
}
