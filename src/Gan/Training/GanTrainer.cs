// The training loop of the masked CycleGAN: unpaired batches, CycleGanStep, the learning-rate schedule
// (constant, then linear decay), a progress callback, losses.csv, sample strips (input | mask | output |
// residual, 8-bit PNG) every SampleEvery steps, and the checkpoint (GanCheckpoint) every CheckpointEvery
// steps and at exit. A NaN/Inf loss stops the run before the optimiser touches the weights, with a
// TrainingException naming the loss and the step; the last good checkpoint stays as it was.
// Cancellation (Ctrl-C in the CLI) writes a checkpoint and returns cleanly. Resume continues bit for bit.
// TrainerOptions.Device (default Device.Cpu) is where the step runs: the networks, the frozen classifier, the
// optimiser moments, the weight average and the image pools live there, and each batch is copied to it. The
// checkpoint is written from CPU copies (the same file as a CPU run's, loadable by Translator.Load anywhere),
// and --resume restores it onto the run's device. On CUDA a resume continues to within float rounding, not
// bit for bit (the step itself is not bit-reproducible across devices).
// Tested by TrainerTests (smoke, resume, NaN guard, cancellation) and GanTrainerDeviceTests (device vs CPU).
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

/// <summary>How long to train and where to write. Steps is the total step count (a resumed run stops there too).</summary>
public sealed record TrainerOptions
{
    public required string OutDir { get; init; }
    public required long Steps { get; init; }
    public long CheckpointEvery { get; init; } = 1000;
    public long SampleEvery { get; init; } = 500;
    /// <summary>Continue from OutDir/checkpoint.safetensors (its options win over the given ones).</summary>
    public bool Resume { get; init; }
    /// <summary>Where the step runs (Device.Cpu, the default, or a CUDA device); the checkpoint does not depend on it.</summary>
    public Device Device { get; init; } = Device.Cpu;
}

/// <summary>One progress report: the step just finished (1-based), every loss, throughput.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, IReadOnlyDictionary<string, double> Losses, double ImagesPerSecond, double LearningRate);

public sealed record TrainingResult(long StepsDone, bool Cancelled, string CheckpointPath);

public sealed class GanTrainer
{
    private readonly TrainerOptions _run;
    private readonly UnpairedData _data;
    private long _step;

    public GanTrainer(GanOptions options, TrainerOptions run, UnpairedData data, IOpacityClassifier? classifier = null)
    {
        _run = run; _data = data;
        TrainingDevice.Require(run.Device);
        CheckpointPath = Path.Combine(run.OutDir, GanCheckpoint.FileName);
        if (run.Resume)
        {
            if (!File.Exists(CheckpointPath)) throw new TrainingException($"Cannot resume: '{CheckpointPath}' does not exist.");
            options = GanCheckpoint.Read(CheckpointPath).Options;
        }
        options.Validate();
        if (data.Size != options.Size) throw new TrainingException($"The data are {data.Size} px but the model is configured for {options.Size} px.");
        Options = options;
        Step = new CycleGanStep(new GanNetworks(options, run.Device), options, classifier);
        if (run.Resume) _step = GanCheckpoint.Restore(CheckpointPath, Step);
    }

    public GanOptions Options { get; }
    public CycleGanStep Step { get; }
    public string CheckpointPath { get; }
    public long StepsDone => _step;
    public Device Device => _run.Device;
    public Action<TrainingProgress>? Progress { get; set; }
    /// <summary>Test hook: the step (0-based) at which the named loss becomes NaN.</summary>
    internal (long Step, string Loss)? InjectNan { get; set; }

    public TrainingResult Run(CancellationToken cancel = default)
    {
        Directory.CreateDirectory(_run.OutDir);
        string csv = Path.Combine(_run.OutDir, "losses.csv");
        string[]? columns = null;
        var sw = Stopwatch.StartNew();
        long timedFrom = _step;
        while (_step < _run.Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                Save();
                return new TrainingResult(_step, true, CheckpointPath);
            }
            double lr = LrSchedule.ConstantThenLinear(Options.LearningRate, _step, Options.ConstantSteps, Options.DecaySteps);
            Step.OptimizerG.LearningRate = lr; Step.OptimizerD.LearningRate = lr;
            if (InjectNan is { } inj && inj.Step == _step) Step.PoisonLoss = inj.Loss;
            using (TensorScope.Begin())
            {
                Tensor a, b;
                using (Profiler.Work("Data.Batch"))
                {
                    (a, b) = _data.Batch(_step, Options.BatchSize);
                    a = a.To(_run.Device); b = b.To(_run.Device);
                }
                long human = _step + 1;
                Step.Step(a, b, new Rng(SeedMix.Of(Options.Seed, _step, 300)), () => CheckFinite(human), new Rng(SeedMix.Of(Options.Seed, _step, 301)));
            }
            _step++;
            columns ??= WriteCsvHeader(csv);
            File.AppendAllText(csv, string.Join(",", new[] { _step.ToString(CultureInfo.InvariantCulture), lr.ToString("R", CultureInfo.InvariantCulture) }
                .Concat(columns.Select(c => Step.Losses.TryGetValue(c, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""))) + "\n");
            double ips = (_step - timedFrom) * Options.BatchSize * 2 / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
            Progress?.Invoke(new TrainingProgress(_step, _run.Steps, new Dictionary<string, double>(Step.Losses), ips, lr));
            if (_run.SampleEvery > 0 && _step % _run.SampleEvery == 0) WriteSample(Path.Combine(_run.OutDir, "samples", $"step{_step:D7}.png"));
            if (_run.CheckpointEvery > 0 && _step % _run.CheckpointEvery == 0) Save();
        }
        Save();
        return new TrainingResult(_step, false, CheckpointPath);
    }

    /// <summary>Writes the checkpoint for the current step.</summary>
    public void Save() => GanCheckpoint.Save(CheckpointPath, Step, Options, _step);

    /// <summary>input | mask | output | residual |output - input| for the first opacity image, one 8-bit strip.</summary>
    public void WriteSample(string path)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        Tensor x = ImageTensors.FromImages([_data.FirstOpacity], _data.Size).To(_run.Device);
        Translation t = Step.Nets.GAB.Translate(x);
        float[] input = ImageTensors.ToImage(x, 0), output = ImageTensors.ToImage(t.Output, 0);
        float[] mask = t.Mask is { } m ? m.ToArray() : new float[input.Length];
        var residual = new float[input.Length];
        for (int i = 0; i < residual.Length; i++) residual[i] = Math.Abs(output[i] - input[i]);
        PhantomWriter.SaveStrip(path, _data.Size, input, mask, output, residual);
    }

    private void CheckFinite(long step)
    {
        foreach (var (name, v) in Step.Losses)
            if (!double.IsFinite(v))
                throw new TrainingException($"Loss {name} is {v.ToString(CultureInfo.InvariantCulture)} at step {step}; training stopped, the last good checkpoint '{CheckpointPath}' is kept.");
    }

    private string[] WriteCsvHeader(string csv)
    {
        string[] cols = [.. Step.Losses.Keys];
        if (!File.Exists(csv) || new FileInfo(csv).Length == 0)
            File.WriteAllText(csv, "step,lr," + string.Join(",", cols) + "\n");
        return cols;
    }
}
