// Trains the lesion-map judge (LesionMapJudge) on phantom cases of both domains: the target of each pixel is
// the case's true opacity mask (all zeros on clear images). Loss: BCE with logits with lesion pixels weighted
// PositiveWeight (a few percent of pixels are lesion; unweighted, the faint ones are cheaper to ignore). Adam
// (0.9/0.999), seeded, shuffled mini-batches with the classifiers' augmentation (one random shift and exposure
// change per image, the same shift on image and mask), each step in its own TensorScope. Validation: as the
// classifiers' (loss, accuracy and sensitivity/specificity at 0.5, ROC AUC of the image scores), so the demo
// prints one kind of number for every judge. Checkpoint: safetensors state dict with metadata model, width,
// depth, size, seed, steps, val numbers; Load rebuilds the judge it describes. Device as ClassifierTrainer.
// Tested by LesionMapTrainerTests (learning, determinism, checkpoint round trip, mismatches).
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

public sealed record LesionMapTrainOptions
{
    public int Width { get; init; } = 8;
    public int Depth { get; init; } = 3;
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Weight of lesion pixels in the BCE (5: on the demo's data this called 97 % of the visible kinds at 2 % of clear images).</summary>
    public double PositiveWeight { get; init; } = 5;
    public ulong Seed { get; init; } = 1;
    public bool Augment { get; init; } = true;
    /// <summary>Where the steps run; the trained judge is returned there.</summary>
    public Device Device { get; init; } = Device.Cpu;
}

public sealed record LesionMapTrainResult(LesionMapJudge Model, ClassifierMetrics? Validation, double SecondsPerStep, IReadOnlyList<double> Losses);

public static class LesionMapTrainer
{
    public const string ModelName = "lesion-map-judge";

    public static LesionMapTrainResult Train(IReadOnlyList<PhantomCase> train, IReadOnlyList<PhantomCase>? validation,
        LesionMapTrainOptions options, Action<TrainProgress>? progress = null)
    {
        if (train.Count == 0) throw new TrainingException("The training set is empty.");
        TrainingData.RequireBothDomains(train.ToList(), "The training set");
        if (options.Steps <= 0) throw new TrainingException($"--steps {options.Steps} must be positive.");
        if (options.BatchSize <= 0) throw new TrainingException($"Batch size {options.BatchSize} must be positive.");
        if (!(options.PositiveWeight > 0) || !double.IsFinite(options.PositiveWeight))
            throw new TrainingException($"Lesion pixel weight {options.PositiveWeight} must be positive.");
        SegmenterTrainer.CheckSize(train[0].Size, options.Depth);
        TrainingDevice.Require(options.Device);
        var rng = new Rng(options.Seed);
        var model = new LesionMapJudge(options.Width, options.Depth, rng.Fork());
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
                (Tensor x, Tensor lesions) = TrainingData.Batch(train, sampler.Next(batch), options.Augment ? augmentRng : null, c => c.OpacityMask);
                x = x.To(options.Device); lesions = lesions.To(options.Device);
                adam.ZeroGrad();
                Tensor loss = Loss.BceWithLogits(model.Forward(x), lesions, options.PositiveWeight);
                loss.Backward();
                adam.Step();
                losses.Add(loss.Item());
            }
            progress?.Invoke(new TrainProgress(step, options.Steps, losses[^1], step * batch / clock.Elapsed.TotalSeconds));
        }
        double secondsPerStep = clock.Elapsed.TotalSeconds / options.Steps;
        model.Eval();
        return new LesionMapTrainResult(model, validation is { Count: > 0 } ? Evaluate(model, validation) : null, secondsPerStep, losses);
    }

    /// <summary>Opacity probabilities (<see cref="LesionMapJudge.Scores"/>) of images in [0, 1], in eval mode, batchwise.</summary>
    public static double[] Probabilities(LesionMapJudge model, IReadOnlyList<float[]> images, int size, int batchSize = 32)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var p = new double[images.Count];
        for (int first = 0; first < images.Count; first += batchSize)
        {
            using var scope = TensorScope.Begin();
            int n = Math.Min(batchSize, images.Count - first);
            model.Scores(Data.ImageTensors.FromImages(images.Skip(first).Take(n).ToList(), size)).CopyTo(p, first);
        }
        model.Train(wasTraining);
        return p;
    }

    /// <summary>Image-level validation, as <see cref="ClassifierTrainer.Evaluate"/>: loss, accuracy at 0.5, AUC, sensitivity, specificity.</summary>
    public static ClassifierMetrics Evaluate(LesionMapJudge model, IReadOnlyList<PhantomCase> cases)
        => ClassifierTrainer.Metrics(Probabilities(model, cases.Select(c => c.Image).ToList(), cases[0].Size), cases);

    public static void Save(LesionMapJudge model, string path, int size, ulong seed, int steps, ClassifierMetrics? validation)
    {
        var meta = TrainedModelFile.Metadata(ModelName, size, seed, steps);
        meta["width"] = model.Width.ToString(CultureInfo.InvariantCulture);
        meta["depth"] = model.Depth.ToString(CultureInfo.InvariantCulture);
        TrainedModelFile.AddValidation(meta, validation);
        StateDict.Save(model, path, meta);
    }

    /// <summary>Builds the judge a checkpoint describes and loads it (eval mode); returns it and its image size.</summary>
    public static (LesionMapJudge Model, int Size) Load(string path)
    {
        var (tensors, meta) = TrainedModelFile.Read(path);
        TrainedModelFile.RequireModel(meta, ModelName, "a lesion-map judge", path);
        int Int(string key) => int.TryParse(meta.GetValueOrDefault(key), CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new TrainingException($"'{path}' has no valid '{key}' metadata.");
        int depth = Int("depth");
        if (depth > 6) throw new TrainingException($"'{path}' has no valid 'depth' metadata.");
        var model = new LesionMapJudge(Int("width"), depth);
        try { StateDict.Apply(model, tensors, path); }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
        model.Eval();
        return (model, Int("size"));
    }

    /// <summary>As <see cref="Load(string)"/>, and checks that the judge was trained at <paramref name="imageSize"/> px.</summary>
    public static LesionMapJudge Load(string path, int imageSize)
    {
        var (model, size) = Load(path);
        if (size != imageSize)
            throw new TrainingException($"'{path}' is a lesion-map judge trained at {size} px, but the images are {imageSize} px.");
        return model;
    }
}
