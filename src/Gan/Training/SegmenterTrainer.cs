// Trains the lung segmenter (a U-Net with one logit channel) of the lung-mIoU evaluation (METHOD.md: a
// U-Net trained on clear images with lung masks, the JSRT/SCR role). Only clear-domain cases are used,
// whatever the input holds. Loss = BCE with logits + soft Dice of sigmoid(logits), against the lung
// mask; Adam (0.9/0.999), seeded, shuffled mini-batches with the same random shift on image and mask,
// each step in its own TensorScope. Validation: foreground IoU and Dice at 0.5, per image, averaged over
// images. The checkpoint is a safetensors state dict with metadata model, width, depth, upsampling,
// size, seed, steps, val numbers. Options.Device (default the CPU) as ClassifierTrainer: moved before Adam,
// batches copied there, the model returned there (Predict copies its input to the model's device).
// Tested by ClassifierSegmenterTrainerTests (IoU rises above the all-lung baseline, checkpoint round trip) and
// TrainerDeviceTests (device vs CPU).
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

public sealed record SegmenterTrainOptions
{
    public int Width { get; init; } = 16;
    public int Depth { get; init; } = 4;
    public UNetUpsampling Upsampling { get; init; } = UNetUpsampling.Bilinear;
    public int Steps { get; init; } = 300;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;
    public ulong Seed { get; init; } = 1;
    public bool Augment { get; init; } = true;
    /// <summary>Where the steps run; the trained model is returned there.</summary>
    public Device Device { get; init; } = Device.Cpu;
}

public sealed record SegmenterTrainResult(UNet Model, SegmenterMetrics? Validation, double SecondsPerStep, IReadOnlyList<double> Losses);

public static class SegmenterTrainer
{
    public const string ModelName = "lung-segmenter";

    public static SegmenterTrainResult Train(IReadOnlyList<PhantomCase> train, IReadOnlyList<PhantomCase>? validation,
        SegmenterTrainOptions options, Action<TrainProgress>? progress = null)
    {
        List<PhantomCase> clear = train.Where(c => c.Domain == Domain.Clear).ToList();
        if (clear.Count == 0) throw new TrainingException($"The training set has no clear images ({train.Count} images); the lung segmenter trains on clear images only.");
        if (options.Steps <= 0) throw new TrainingException($"--steps {options.Steps} must be positive.");
        if (options.BatchSize <= 0) throw new TrainingException($"Batch size {options.BatchSize} must be positive.");
        int size = clear[0].Size;
        CheckSize(size, options.Depth);
        TrainingDevice.Require(options.Device);
        var rng = new Rng(options.Seed);
        var model = new UNet(1, 1, options.Width, options.Depth, options.Upsampling, NormKind.Batch, rng.Fork());
        model.To(options.Device);   // before Adam: its moments are made on the parameters' device
        var augmentRng = rng.Fork();
        var sampler = new TrainingData.Sampler(clear.Count, rng.Fork());
        var adam = new Adam(model.Parameters(), lr: options.LearningRate, beta1: 0.9, beta2: 0.999);
        var losses = new List<double>(options.Steps);
        int batch = Math.Min(options.BatchSize, clear.Count);
        model.Train();
        var clock = Stopwatch.StartNew();
        for (int step = 1; step <= options.Steps; step++)
        {
            using (TensorScope.Begin())
            {
                (Tensor x, Tensor mask) = TrainingData.Batch(clear, sampler.Next(batch), options.Augment ? augmentRng : null);
                x = x.To(options.Device); mask = mask.To(options.Device);
                adam.ZeroGrad();
                Tensor logits = model.Forward(x);
                Tensor loss = Loss.BceWithLogits(logits, mask) + Loss.Dice(F.Sigmoid(logits), mask);
                loss.Backward();
                adam.Step();
                losses.Add(loss.Item());
            }
            progress?.Invoke(new TrainProgress(step, options.Steps, losses[^1], step * batch / clock.Elapsed.TotalSeconds));
        }
        double secondsPerStep = clock.Elapsed.TotalSeconds / options.Steps;
        model.Eval();
        List<PhantomCase>? val = validation?.Where(c => c.Domain == Domain.Clear).ToList();
        return new SegmenterTrainResult(model, val is { Count: > 0 } ? Evaluate(model, val) : null, secondsPerStep, losses);
    }

    /// <summary>Lung masks predicted at 0.5, in eval mode, without a graph.</summary>
    public static bool[][] Predict(UNet model, IReadOnlyList<PhantomCase> cases, int batchSize = 16)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var masks = new bool[cases.Count][];
        using (GradMode.NoGrad())
        {
            for (int first = 0; first < cases.Count; first += batchSize)
            {
                using var scope = TensorScope.Begin();
                int[] idx = Enumerable.Range(first, Math.Min(batchSize, cases.Count - first)).ToArray();
                Predict(model, TrainingData.Batch(cases, idx, null).Images).CopyTo(masks.AsSpan(first, idx.Length));
            }
        }
        model.Train(wasTraining);
        return masks;
    }

    /// <summary>Lung masks (logit > 0, i.e. probability > 0.5) of an (N, 1, H, W) batch in [-1, 1].</summary>
    public static bool[][] Predict(UNet model, Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        float[] logits = model.Forward(TrainingDevice.OnDeviceOf(model, images)).ToArray();
        int n = images.Shape[0], hw = images.Shape[2] * images.Shape[3];
        var masks = new bool[n][];
        for (int i = 0; i < n; i++)
        {
            masks[i] = new bool[hw];
            for (int j = 0; j < hw; j++) masks[i][j] = logits[i * hw + j] > 0;
        }
        return masks;
    }

    /// <summary>Mean foreground IoU and Dice against the cases' lung masks (any domain: on opacity images this is
    /// the degradation the paper's lung-mIoU rows measure). Loss is not computed here (NaN).</summary>
    public static SegmenterMetrics Evaluate(UNet model, IReadOnlyList<PhantomCase> cases)
    {
        bool[][] predicted = Predict(model, cases);
        double iou = 0, dice = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            iou += SegmentationMetrics.Iou(predicted[i], cases[i].LungMask);
            dice += SegmentationMetrics.Dice(predicted[i], cases[i].LungMask);
        }
        return new SegmenterMetrics(cases.Count, double.NaN, iou / cases.Count, dice / cases.Count);
    }

    /// <summary>Trivial baselines on <paramref name="cases"/>: predicting lung everywhere, and predicting the
    /// majority mask of <paramref name="prior"/> (where most training images have lung) for every image.</summary>
    public static (double AllLung, double PriorMask) BaselineIoU(IReadOnlyList<PhantomCase> cases, IReadOnlyList<PhantomCase> prior)
    {
        int hw = cases[0].LungMask.Length;
        var all = Enumerable.Repeat(true, hw).ToArray();
        var count = new int[hw];
        foreach (PhantomCase c in prior)
            for (int j = 0; j < hw; j++) if (c.LungMask[j]) count[j]++;
        bool[] majority = count.Select(k => 2 * k > prior.Count).ToArray();
        return (cases.Average(c => SegmentationMetrics.Iou(all, c.LungMask)), cases.Average(c => SegmentationMetrics.Iou(majority, c.LungMask)));
    }

    public static void CheckSize(int size, int depth)
    {
        if (size % (1 << depth) != 0 || size < 1 << (depth + 1))
            throw new TrainingException($"Image size {size} px is not usable by a U-Net of depth {depth} (needs a multiple of {1 << depth}, at least {1 << (depth + 1)}).");
    }

    public static void Save(UNet model, string path, int size, ulong seed, int steps, SegmenterMetrics? validation)
    {
        var meta = TrainedModelFile.Metadata(ModelName, size, seed, steps);
        meta["width"] = model.Width.ToString(CultureInfo.InvariantCulture);
        meta["depth"] = model.Depth.ToString(CultureInfo.InvariantCulture);
        meta["upsampling"] = model.Upsampling.ToString().ToLowerInvariant();
        if (validation != null)
        {
            meta["val_count"] = validation.Count.ToString(CultureInfo.InvariantCulture);
            meta["val_iou"] = validation.MeanIoU.ToString("R", CultureInfo.InvariantCulture);
            meta["val_dice"] = validation.MeanDice.ToString("R", CultureInfo.InvariantCulture);
        }
        StateDict.Save(model, path, meta);
    }

    /// <summary>Builds the segmenter a checkpoint describes, loads it (eval mode); returns it and its image size.</summary>
    public static (UNet Model, int Size) Load(string path)
    {
        var (tensors, meta) = TrainedModelFile.Read(path);
        TrainedModelFile.RequireModel(meta, ModelName, "a lung segmenter", path);
        int Int(string key) => int.TryParse(meta.GetValueOrDefault(key), CultureInfo.InvariantCulture, out int v) ? v
            : throw new TrainingException($"'{path}' has no valid '{key}' metadata.");
        var up = meta.GetValueOrDefault("upsampling") == "transposedconv" ? UNetUpsampling.TransposedConv : UNetUpsampling.Bilinear;
        var model = new UNet(1, 1, Int("width"), Int("depth"), up, NormKind.Batch);
        try
        {
            StateDict.Apply(model, tensors, path);
        }
        catch (SafeTensorsException e)
        {
            throw new TrainingException(e.Message, e);
        }
        model.Eval();
        return (model, Int("size"));
    }

}
