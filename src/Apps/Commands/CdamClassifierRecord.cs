// Which CDAM classifiers a translator was trained with, so that `opacity eval` can refuse each as the
// evaluation classifier (METHOD.md: evaluation uses a classifier trained apart from the translator).
// `opacity train` writes RUN/cdam_classifier.json next to checkpoint.safetensors: for every classifier
// file (one, or the members of an ensemble) its full path, SHA-256 and metadata (kind, width, size, seed,
// steps); a record of the older one-classifier form (path, sha256, metadata at the top) still reads.
// The demo's layout is recognised too: cdam_classifier.safetensors and the ensemble's further members
// cdam_classifier_2.safetensors, ... in the checkpoint's folder, in ../models beside it, or in DATA/models.
// A candidate evaluation classifier is "the CDAM one" when it is the same path, has the same bytes, or
// carries the same kind, width, size, seed and steps metadata. Only translators whose ablation uses CDAM
// are checked. Tested by EvalCommandTests (refusal through the record and through the demo layout).
using System.Security.Cryptography;
using System.Text.Json;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;

namespace Opacity.Cli.Commands;

internal static class CdamClassifierRecord
{
    public const string FileName = "cdam_classifier.json";
    /// <summary>The CDAM classifier's file name in the demo's models folder (the ensemble's first member).</summary>
    public const string DemoFileName = "cdam_classifier.safetensors";
    private const string DemoPattern = "cdam_classifier*.safetensors";

    /// <summary>The demo's file name of ensemble member <paramref name="member"/> (1-based).</summary>
    public static string DemoMemberFileName(int member) => member == 1 ? DemoFileName : $"cdam_classifier_{member}.safetensors";
    private static readonly string[] IdentityKeys = ["kind", "width", "size", "seed", "steps"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A classifier file's identity: full path, SHA-256 (hex) and the metadata keys that describe how it was trained.</summary>
    public sealed record Identity(string Path, string Sha256, Dictionary<string, string> Metadata);

    public static Identity Of(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string sha;
        using (FileStream s = File.OpenRead(full)) sha = Convert.ToHexStringLower(SHA256.HashData(s));
        Dictionary<string, string> meta;
        try
        {
            var (tensors, m) = SafeTensors.Load(full);
            foreach (var t in tensors.Values) t.Dispose();
            meta = m;
        }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
        return new Identity(full, sha, IdentityKeys.Where(meta.ContainsKey).ToDictionary(k => k, k => meta[k]));
    }

    /// <summary>Records <paramref name="classifierPaths"/> as the CDAM classifiers of the run in <paramref name="runDir"/>.</summary>
    public static void Write(string runDir, IReadOnlyList<string> classifierPaths)
    {
        var entries = classifierPaths.Select(Of).Select(id => new Dictionary<string, object>
        {
            ["path"] = id.Path, ["sha256"] = id.Sha256, ["metadata"] = id.Metadata,
        }).ToList();
        Directory.CreateDirectory(runDir);
        string json = JsonSerializer.Serialize(new Dictionary<string, object> { ["classifiers"] = entries }, Indented);
        File.WriteAllText(System.IO.Path.Combine(runDir, FileName), json + "\n");
    }

    /// <summary>Throws when <paramref name="evalClassifier"/> is identifiably the CDAM classifier of one of the CDAM translators.</summary>
    public static void Refuse(Identity evalClassifier, IEnumerable<(string Checkpoint, GanOptions Options)> translators, string dataDir)
    {
        foreach (var (checkpoint, options) in translators.Where(t => t.Options.NeedsClassifier))
            foreach (var (known, source) in Known(checkpoint, dataDir))
            {
                string? why = evalClassifier.Path == known.Path ? "the same file"
                    : evalClassifier.Sha256 == known.Sha256 ? "the same bytes"
                    : IdentityKeys.All(k => evalClassifier.Metadata.ContainsKey(k) && known.Metadata.GetValueOrDefault(k) == evalClassifier.Metadata[k]) ? "the same kind, width, size, seed and steps"
                    : null;
                if (why != null)
                    throw new TrainingException($"Classifier '{evalClassifier.Path}' is the CDAM classifier the translator '{checkpoint}' was trained with ({why} as {source}); evaluation must use a classifier trained apart from the translator (give --classifier FILE of another kind or seed, e.g. from `opacity train-classifier --kind plain --seed N`).");
            }
    }

    private static IEnumerable<(Identity Known, string Source)> Known(string checkpoint, string dataDir)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(checkpoint))!;
        string record = System.IO.Path.Combine(dir, FileName);
        if (File.Exists(record))
            foreach (Identity fromRecord in Read(record)) yield return (fromRecord, $"'{record}' records");
        string?[] demoDirs =
        [
            dir,
            System.IO.Path.GetDirectoryName(dir) is { } parent ? System.IO.Path.Combine(parent, "models") : null,
            System.IO.Path.Combine(dataDir, "models"),
        ];
        foreach (string? d in demoDirs.Where(d => d != null).Select(d => System.IO.Path.GetFullPath(d!)).Distinct())
            if (Directory.Exists(d))
                foreach (string f in Directory.EnumerateFiles(d, DemoPattern).Order(StringComparer.Ordinal))
                    yield return (Of(f), $"'{f}'");
    }

    private static List<Identity> Read(string record)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(record));
            JsonElement root = doc.RootElement;
            return root.TryGetProperty("classifiers", out JsonElement list)
                ? list.EnumerateArray().Select(ReadEntry).ToList()
                : [ReadEntry(root)];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TrainingException($"'{record}' is not a valid CDAM classifier record ({e.Message.TrimEnd('.')}).", e);
        }
    }

    private static Identity ReadEntry(JsonElement entry)
    {
        var meta = entry.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        return new Identity(entry.GetProperty("path").GetString() ?? "", entry.GetProperty("sha256").GetString() ?? "", meta);
    }
}
