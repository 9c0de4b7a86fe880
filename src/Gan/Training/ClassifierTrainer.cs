// Trains the opacity classifier (OpacityClassifier) on phantom cases: opacity-domain images are the
// positives, clear-domain images the negatives. Seeded (weights, batch order, augmentation), Adam
// (betas 0.9/0.999, the usual classifier setting, not the GAN's 0.5), BCE with logits, shuffled epochs of
// mini-batches, each step inside its own TensorScope so memory stays flat. Validation: loss, accuracy,
// sensitivity, specificity at 0.5 and ROC AUC, in eval mode (BatchNorm running statistics). The
// checkpoint is a safetensors state dict (StateDict.Save, atomic) with metadata model, kind, width, size,
// seed, steps and the validation numbers; ClassifierCheckpoint reads it back. Options.Device (default the CPU):
// the model is built on the CPU from the seed, moved there before Adam is made, each batch is copied there, and
// the trained model is returned on it (Probabilities / Evaluate copy their inputs to the model's device; the
// checkpoint is written from CPU copies). Tested by ClassifierSegmenterTrainerTests (learning smoke test,
// determinism, checkpoint round trip and mismatch errors) and TrainerDeviceTests (device vs CPU).
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

/// <summary>One training step's report: 1-based step, its loss, and throughput so far.</summary>
public sealed record TrainProgress(int Step, int Steps, double Loss, double ImagesPerSecond);

public sealed record ClassifierTrainOptions
{
    public ClassifierKind Kind { get; init; } = ClassifierKind.ResNet;
    public int Width { get; init; } = 16;
    public int Steps { get; init; } = 300;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    public ulong Seed { get; init; } = 1;
    public bool Augment { get; init; } = true;
    /// <summary>Where the steps run; the trained model is returned there.</summary>
    public Device Device { get; init; } = Device.Cpu;
}

public sealed record ClassifierTrainResult(OpacityClassifier Model, ClassifierMetrics? Validation, double SecondsPerStep, IReadOnlyList<double> Losses);

public static class ClassifierTrainer
{
    public static ClassifierTrainResult Train(IReadOnlyList<PhantomCase> train, IReadOnlyList<PhantomCase>? validation,
        ClassifierTrainOptions options, Action<TrainProgress>? progress = null)
    {
        if (train.Count == 0) throw new TrainingException("The training set is empty.");
        TrainingData.RequireBothDomains(train.ToList(), "The training set");
        if (options.Steps <= 0) throw new TrainingException($"--steps {options.Steps} must be positive.");
        if (options.BatchSize <= 0) throw new TrainingException($"Batch size {options.BatchSize} must be positive.");
        int size = train[0].Size;
        CheckSize(size);
        TrainingDevice.Require(options.Device);
        var rng = new Rng(options.Seed);
        var model = new OpacityClassifier(options.Kind, options.Width, rng.Fork());
        model.To(options.Device);   // before Adam: its moments are made on the parameters' device
        var augmentRng = rng.Fork();
        var sampler = new TrainingData.Sampler(train.Count, rng.Fork());
        var adam = new Adam(model.Parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.999);
        var losses = new List<double>(options.Steps);
        int batch = Math.Min(options.BatchSize, train.Count);
        model.Train();
        var clock = Stopwatch.StartNew();
        for (int step = 1; step <= options.Steps; step++)
        {
            using (TensorScope.Begin())
            {
                int[] idx = sampler.Next(batch);
                (Tensor x, _) = TrainingData.Batch(train, idx, options.Augment ? augmentRng : null);
                x = x.To(options.Device);
                Tensor target = Labels(train, idx).To(options.Device);
                adam.ZeroGrad();
                Tensor loss = Loss.BceWithLogits(model.Forward(x), target);
                loss.Backward();
                adam.Step();
                losses.Add(loss.Item());
            }
            progress?.Invoke(new TrainProgress(step, options.Steps, losses[^1], step * batch / clock.Elapsed.TotalSeconds));
        }
        double secondsPerStep = clock.Elapsed.TotalSeconds / options.Steps;
        model.Eval();
        ClassifierMetrics? metrics = validation is { Count: > 0 } ? Evaluate(model, validation) : null;
        return new ClassifierTrainResult(model, metrics, secondsPerStep, losses);
    }

    /// <summary>Opacity probabilities of the cases, in eval mode and without a graph.</summary>
    public static double[] Probabilities<TClassifier>(TClassifier model, IReadOnlyList<PhantomCase> cases, int batchSize = 32)
        where TClassifier : Module, IOpacityClassifier
    {
        bool wasTraining = model.Training;
        model.Eval();
        var p = new double[cases.Count];
        using (GradMode.NoGrad())
        {
            for (int first = 0; first < cases.Count; first += batchSize)
            {
                using var scope = TensorScope.Begin();
                int[] idx = Enumerable.Range(first, Math.Min(batchSize, cases.Count - first)).ToArray();
                float[] logits = model.Forward(TrainingDevice.OnDeviceOf(model, TrainingData.Batch(cases, idx, null).Images)).ToArray();
                for (int k = 0; k < idx.Length; k++) p[first + k] = 1.0 / (1.0 + Math.Exp(-logits[k]));
            }
        }
        model.Train(wasTraining);
        return p;
    }

    /// <summary>Loss, accuracy at 0.5, ROC AUC, sensitivity and specificity of a classifier (or an ensemble) on the cases.</summary>
    public static ClassifierMetrics Evaluate<TClassifier>(TClassifier model, IReadOnlyList<PhantomCase> cases)
        where TClassifier : Module, IOpacityClassifier
        => Metrics(Probabilities(model, cases), cases);

    /// <summary>Loss, accuracy at 0.5, ROC AUC, sensitivity and specificity of opacity probabilities <paramref name="p"/> of the cases.</summary>
    public static ClassifierMetrics Metrics(double[] p, IReadOnlyList<PhantomCase> cases)
    {
        bool[] positive = cases.Select(c => c.Domain == Domain.Opacity).ToArray();
        double loss = 0;
        for (int i = 0; i < p.Length; i++) loss -= Math.Log(Math.Clamp(positive[i] ? p[i] : 1 - p[i], 1e-12, 1));
        ConfusionCounts c = DetectionMetrics.Confusion(p, positive);
        return new ClassifierMetrics(cases.Count, loss / Math.Max(1, p.Length), c.Accuracy, DetectionMetrics.RocAuc(p, positive), c.Sensitivity, c.Specificity);
    }

    /// <summary>Classifier input sides: multiples of 8, at least 32 (a 4x4 last map).</summary>
    public static void CheckSize(int size)
    {
        if (size < 32 || size % OpacityClassifier.Stride != 0)
            throw new TrainingException($"Image size {size} px is not usable by the classifier (needs a multiple of {OpacityClassifier.Stride}, at least 32).");
    }

    private static Tensor Labels(IReadOnlyList<PhantomCase> cases, int[] idx)
        => Tensor.FromArray(idx.Select(i => cases[i].Domain == Domain.Opacity ? 1f : 0f).ToArray(), idx.Length, 1);
}

/// <summary>Classifier checkpoints: safetensors state dict + metadata describing the architecture.</summary>
public static class ClassifierCheckpoint
{
    public const string ModelName = "opacity-classifier";

    public static void Save(OpacityClassifier model, string path, int size, ulong seed, int steps, ClassifierMetrics? validation)
    {
        var meta = TrainedModelFile.Metadata(ModelName, size, seed, steps);
        meta["kind"] = model.Kind.ToString().ToLowerInvariant();
        meta["width"] = model.Width.ToString(CultureInfo.InvariantCulture);
        TrainedModelFile.AddValidation(meta, validation);
        StateDict.Save(model, path, meta);
    }

    /// <summary>Builds the classifier the checkpoint describes and loads it (eval mode); returns it and its image size.</summary>
    public static (OpacityClassifier Model, int Size) Load(string path)
    {
        var (tensors, meta) = TrainedModelFile.Read(path);
        TrainedModelFile.RequireModel(meta, ModelName, "an opacity classifier", path);
        ClassifierKind kind = ParseKind(meta.GetValueOrDefault("kind") ?? "", path);
        if (!int.TryParse(meta.GetValueOrDefault("width"), CultureInfo.InvariantCulture, out int width) || width < 1
            || !int.TryParse(meta.GetValueOrDefault("size"), CultureInfo.InvariantCulture, out int size))
            throw new TrainingException($"'{path}' has no valid width/size metadata.");
        var model = new OpacityClassifier(kind, width);
        Apply(model, tensors, meta, path);
        model.Eval();
        return (model, size);
    }

    /// <summary>As <see cref="Load(string)"/>, and checks that the classifier was trained at <paramref name="imageSize"/> px.</summary>
    public static OpacityClassifier Load(string path, int imageSize)
    {
        var (model, size) = Load(path);
        if (size != imageSize)
            throw new TrainingException($"'{path}' is a classifier trained at {size} px, but the images are {imageSize} px.");
        return model;
    }

    /// <summary>Loads a checkpoint into an existing classifier; a different architecture or width is one sentence.</summary>
    public static void LoadInto(OpacityClassifier model, string path)
    {
        var (tensors, meta) = TrainedModelFile.Read(path);
        Apply(model, tensors, meta, path);
    }

    public static ClassifierKind ParseKind(string text, string source) => text.ToLowerInvariant() switch
    {
        "resnet" => ClassifierKind.ResNet,
        "plain" => ClassifierKind.Plain,
        _ => throw new TrainingException($"Classifier kind '{text}' in {source} is not one of resnet, plain."),
    };

    private static void Apply(OpacityClassifier model, Dictionary<string, Tensor> tensors, Dictionary<string, string> meta, string path)
    {
        try
        {
            StateDict.Apply(model, tensors, path);
        }
        catch (SafeTensorsException e)
        {
            string saved = meta.TryGetValue("kind", out string? k) ? $"a {k} classifier of width {meta.GetValueOrDefault("width", "?")}" : "a different model";
            throw new TrainingException($"'{path}' holds {saved}, not the {model.Kind.ToString().ToLowerInvariant()} classifier of width {model.Width} asked for ({e.Message.TrimEnd('.')}).", e);
        }
    }
}
