// What the classifier and segmenter checkpoints share: the common metadata keys, reading a
// safetensors file with its errors as one-sentence TrainingExceptions, and the "which model is
// this" check.
using System.Globalization;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

internal static class TrainedModelFile
{
    /// <summary>The keys every trained-model checkpoint carries: model, size, seed, steps.</summary>
    public static Dictionary<string, string> Metadata(string model, int size, ulong seed, int steps) => new()
    {
        ["model"] = model,
        ["size"] = size.ToString(CultureInfo.InvariantCulture),
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Adds a classifier-style validation (count, accuracy, AUC) to checkpoint metadata; nothing without one.</summary>
    public static void AddValidation(Dictionary<string, string> meta, ClassifierMetrics? validation)
    {
        if (validation is null) return;
        meta["val_count"] = validation.Count.ToString(CultureInfo.InvariantCulture);
        meta["val_accuracy"] = validation.Accuracy.ToString("R", CultureInfo.InvariantCulture);
        meta["val_auc"] = validation.Auc.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Tensors (outside any scope: they outlive the caller's step) and metadata of <paramref name="path"/>.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        try { return TensorScope.Untracked(() => SafeTensors.Load(path)); }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
    }

    /// <summary>Throws unless the metadata names <paramref name="model"/>; <paramref name="description"/> reads "an opacity classifier".</summary>
    public static void RequireModel(Dictionary<string, string> meta, string model, string description, string path)
    {
        if (meta.GetValueOrDefault("model") != model)
            throw new TrainingException($"'{path}' is not {description} checkpoint (its metadata model is '{meta.GetValueOrDefault("model") ?? "missing"}').");
    }
}
