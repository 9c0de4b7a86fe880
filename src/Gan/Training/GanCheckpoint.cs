// The training checkpoint: ONE safetensors file with the four networks (G_AB., G_BA., D_A., D_B.), both
// Adam optimisers' moments (optG., optD.), the moving average of G_AB's parameters when it is on (G_AB_avg.:
// the translator's weights, TranslatorWeights), the two image pools (poolA.k, poolB.k) and, as metadata, the
// options as JSON, the step and the optimisers' step counts. The RNG "state" is the step: all training
// randomness is derived from (seed, step) by SeedMix, so restoring the step restores every stream.
// Written atomically by SafeTensors.Save (temp file + rename): a crash never leaves a torn file.
// Tested by TrainerTests (resume bit for bit, NaN guard keeps the last good file).
using System.Globalization;
using Opacity.Nn.Serialization;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class GanCheckpoint
{
    public const string FileName = "checkpoint.safetensors";
    /// <summary>Prefix of the moving average of G_AB's parameters (GanOptions.GeneratorAverageDecay > 0).</summary>
    public const string AveragePrefix = "G_AB_avg.";
    private const string Format = "opacity-gan-checkpoint-v1";

    public static void Save(string path, CycleGanStep step, GanOptions options, long stepIndex)
    {
        var tensors = new List<(string, Tensor)>();
        foreach (var (prefix, module) in step.Nets.Named())
            tensors.AddRange(StateDict.Of(module).Select(t => (prefix + t.Name, t.Value)));
        if (step.GeneratorAverage is { } avg) tensors.AddRange(avg.State().Select(t => (AveragePrefix + t.Name, t.Value)));
        tensors.AddRange(step.OptimizerG.State().Select(t => ("optG." + t.Name, t.Value)));
        tensors.AddRange(step.OptimizerD.State().Select(t => ("optD." + t.Name, t.Value)));
        tensors.AddRange(step.PoolA.Snapshot().Select((t, i) => ($"poolA.{i}", t)));
        tensors.AddRange(step.PoolB.Snapshot().Select((t, i) => ($"poolB.{i}", t)));
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["options"] = options.ToJson(),
            ["step"] = stepIndex.ToString(CultureInfo.InvariantCulture),
            ["optG.step"] = step.OptimizerG.StepCount.ToString(CultureInfo.InvariantCulture),
            ["optD.step"] = step.OptimizerD.StepCount.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads the file and its options; throws a TrainingException naming the file when it is not a GAN checkpoint.</summary>
    public static (Dictionary<string, Tensor> Tensors, GanOptions Options, Dictionary<string, string> Metadata) Read(string path)
    {
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> meta;
        try { (tensors, meta) = SafeTensors.Load(path); }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
        if (!meta.TryGetValue("format", out string? f) || f != Format || !meta.TryGetValue("options", out string? json))
            throw new TrainingException($"'{path}' is not an Opacity GAN checkpoint (no '{Format}' metadata).");
        return (tensors, GanOptions.FromJson(json), meta);
    }

    /// <summary>Loads everything into a freshly built step; returns the step index to continue from.</summary>
    public static long Restore(string path, CycleGanStep step)
    {
        var (tensors, _, meta) = Read(path);
        try
        {
            foreach (var (prefix, module) in step.Nets.Named())
                StateDict.Apply(module, WithPrefix(tensors, prefix), path);
        }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
        if (step.GeneratorAverage is { } avg)
        {
            try { avg.LoadState(WithPrefix(tensors, AveragePrefix), path); }
            catch (ArgumentException e) { throw new TrainingException(e.Message, e); }
        }
        step.OptimizerG.LoadState(WithPrefix(tensors, "optG."), long.Parse(meta["optG.step"], CultureInfo.InvariantCulture));
        step.OptimizerD.LoadState(WithPrefix(tensors, "optD."), long.Parse(meta["optD.step"], CultureInfo.InvariantCulture));
        step.PoolA.Restore(Indexed(tensors, "poolA."));
        step.PoolB.Restore(Indexed(tensors, "poolB."));
        return long.Parse(meta["step"], CultureInfo.InvariantCulture);
    }

    /// <summary>The translator's G_AB state dict: the live weights, with every parameter the moving average holds replaced by it.</summary>
    public static Dictionary<string, Tensor> TranslatorWeights(Dictionary<string, Tensor> all)
    {
        Dictionary<string, Tensor> g = WithPrefix(all, "G_AB.");
        foreach (var (name, t) in WithPrefix(all, AveragePrefix)) g[name] = t;
        return g;
    }

    public static Dictionary<string, Tensor> WithPrefix(Dictionary<string, Tensor> all, string prefix)
        => all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static IEnumerable<Tensor> Indexed(Dictionary<string, Tensor> all, string prefix)
    {
        for (int i = 0; all.TryGetValue(prefix + i.ToString(CultureInfo.InvariantCulture), out Tensor? t); i++) yield return t;
    }
}
