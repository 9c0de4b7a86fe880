// GanTrainer on a CUDA device (host emulator in CI; the "cuda" fixture runs on a real GPU and is Ignored with
// the reason without one). A tiny configuration exercises every term of the step: the full ablation with the
// CAM prior, jittered classifier views, the image pool and the generator average, with a TinyClassifier.
// Device runs are compared with the CPU oracle within a tolerance derived from Adam (see AdamBound); the
// checkpoint written on the device has the CPU file's layout and translates the same on the CPU; a resume on
// the device continues the straight run to within float rounding. The emulator costs seconds per step, so one
// CPU run and one device run of Steps steps are made once and shared, and the device run's checkpoint after
// step Steps - 1 is kept for the resume test, which adds one device step.
using Opacity.Gan.Inference;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Training;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class GanTrainerDeviceTests(string device)
{
    private const int Size = 32;
    private const int Steps = 2;
    private readonly List<string> _dirs = [];
    private Run _cpu = null!, _gpu = null!;
    private string _split = "";

    /// <summary>A finished run: each step's losses, the checkpoint, and the in-memory networks and weight average
    /// at the end, copied to the host (what the checkpoint must hold).</summary>
    private sealed record Run(List<Dictionary<string, double>> Losses, string Checkpoint, Dictionary<string, float[]> Memory);

    /// <summary>Every loss term of the method, a pool smaller than the steps' fakes (so it swaps), the average on.</summary>
    private static GanOptions Options() => TinyData.Tiny(Size, Ablation.Full, pool: 2) with
    {
        MaskPrior = MaskPrior.CamTarget, ClassifierViewing = ClassifierViewing.Jittered, GeneratorAverageDecay = 0.8,
    };

    private static UnpairedData Data() => new(TinyData.Images(2, Size, true, 11), TinyData.Images(2, Size, false, 12), Size, seed: 5);

    /// <summary>DeviceTolerance.AdamBound at the options' learning rate and betas (constant over these steps).</summary>
    private static double AdamBound(GanOptions o, int steps) => DeviceTolerance.AdamBound(o.LearningRate, o.Beta1, o.Beta2, steps);

    [OneTimeSetUp]
    public void TrainOnTheCpu()
    {
        CudaRuntime.UseHardware();
        _cpu = Train(Device.Cpu, Steps);
        DeviceFixture.Select(device);
        _split = TinyData.TempDir("gan_device_split");
        _dirs.Add(_split);
        Directory.CreateDirectory(_split);
        // checkpoints are written after each step's progress report, so at the last step's report the file on disk
        // is the one of step Steps - 1: the start of the resume test
        _gpu = Train(Device.Cuda, Steps, onProgress: (p, ckpt) =>
        {
            if (p.Step == Steps) File.Copy(ckpt, Path.Combine(_split, GanCheckpoint.FileName));
        });
    }

    [OneTimeTearDown]
    public void Restore()
    {
        CudaRuntime.UseHardware();
        foreach (string d in _dirs) if (Directory.Exists(d)) Directory.Delete(d, true);
    }

    private Run Train(Device on, long steps, string? dir = null, bool resume = false, Action<TrainingProgress, string>? onProgress = null)
    {
        if (dir is null) { dir = TinyData.TempDir("gan_device"); _dirs.Add(dir); }
        var trainer = new GanTrainer(Options(), new TrainerOptions { OutDir = dir, Steps = steps, CheckpointEvery = 1, SampleEvery = steps, Resume = resume, Device = on },
            Data(), new TinyClassifier());
        Assert.That(trainer.Step.Nets.GAB.Parameters().All(p => p.Value.Device == on), Is.True, "networks on the run's device");
        var losses = new List<Dictionary<string, double>>();
        trainer.Progress = p => { losses.Add(new Dictionary<string, double>(p.Losses)); onProgress?.Invoke(p, trainer.CheckpointPath); };
        TrainingResult r = trainer.Run();
        Assert.That(r.StepsDone, Is.EqualTo(steps));
        var memory = new Dictionary<string, float[]>();
        foreach (var (prefix, module) in trainer.Step.Nets.Named())
            foreach (var (name, value) in StateDict.Of(module)) memory[prefix + name] = value.ToArray();
        foreach (var (name, value) in trainer.Step.GeneratorAverage!.State()) memory[GanCheckpoint.AveragePrefix + name] = value.ToArray();
        return new Run(losses, r.CheckpointPath, memory);
    }

    /// <summary>Largest |a - b| over the tensors of two checkpoints whose names start with one of <paramref name="prefixes"/>, and where.</summary>
    private static (double Max, string Where) MaxDifference(string a, string b, params string[] prefixes)
    {
        Dictionary<string, Tensor> Pick(string path) => SafeTensors.Load(path).Tensors
            .Where(kv => prefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary(kv => kv.Key, kv => kv.Value);
        return DeviceTolerance.MaxDifference(Pick(a), Pick(b));
    }

    private static readonly string[] Weights = ["G_AB.", "G_BA.", "D_A.", "D_B.", GanCheckpoint.AveragePrefix];
    private static readonly string[] Moments = ["optG.", "optD."];
    private static readonly string[] Pools = ["poolA.", "poolB."];

    /// <summary>Two checkpoints agree: the weights and their average within the Adam bound; the Adam moments and the
    /// pooled fakes within 1e-4. Why 1e-4 there: the weights that the bound lets drift are biases that a following
    /// InstanceNorm cancels, so G's outputs (the pooled fakes) and the gradients (the moments) differ by rounding
    /// only (measured below 1e-5); 1e-4 is the Translator device test's tolerance for a translation.</summary>
    private static void AssertCheckpointsClose(string expected, string actual, string what)
    {
        var (max, where) = MaxDifference(expected, actual, Weights);
        var (moments, momentsWhere) = MaxDifference(expected, actual, Moments);
        var (pools, poolsWhere) = MaxDifference(expected, actual, Pools);
        TestContext.Out.WriteLine($"{what}: max |difference| of weights and average {max:E2} at {where} (bound {AdamBound(Options(), Steps):E2}), " +
            $"Adam moments {moments:E2} at {momentsWhere}, pooled fakes {pools:E2} at {poolsWhere}");
        Assert.That(max, Is.LessThanOrEqualTo(AdamBound(Options(), Steps)), "weights");
        Assert.That(moments, Is.LessThanOrEqualTo(1e-4), "Adam moments");
        Assert.That(pools, Is.LessThanOrEqualTo(1e-4), "pooled fakes");
    }

    [Test]
    public void Steps_on_the_device_match_the_cpu()
    {
        var gpu = _gpu;
        Assert.That(gpu.Losses, Has.Count.EqualTo(Steps));
        Assert.That(gpu.Losses[0].Keys, Is.SupersetOf(new[] { "Label", "Feature", "MaskCam", "MaskTv", "CycleA", "DA", "DB", "G" }));
        double worstLoss = 0;
        for (int s = 0; s < Steps; s++)
            foreach (var (name, v) in _cpu.Losses[s])
            {
                // the first step sees identical weights and batches: only float rounding differs (rtol 1e-4);
                // later steps start from weights that differ by up to AdamBound, hence 1e-2
                double rtol = s == 0 ? 1e-4 : 1e-2;
                Assert.That(gpu.Losses[s][name], Is.EqualTo(v).Within(1e-5 + rtol * Math.Abs(v)), $"step {s + 1} {name}");
                worstLoss = Math.Max(worstLoss, Math.Abs(gpu.Losses[s][name] - v) / Math.Max(1e-6, Math.Abs(v)));
            }
        TestContext.Out.WriteLine($"{device} vs cpu after {Steps} steps: max relative loss difference {worstLoss:E2}");
        AssertCheckpointsClose(_cpu.Checkpoint, gpu.Checkpoint, $"{device} vs cpu after {Steps} steps");
        Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(gpu.Checkpoint)!, "samples", $"step{Steps:D7}.png")), Is.True, "sample strip written");
        Assert.That(File.ReadAllLines(Path.Combine(Path.GetDirectoryName(gpu.Checkpoint)!, "losses.csv")), Has.Length.EqualTo(Steps + 1));
    }

    [Test]
    public void Device_checkpoint_has_the_cpu_layout_and_translates_the_same_on_the_cpu()
    {
        var gpu = _gpu;
        var (x, cpuMeta) = SafeTensors.Load(_cpu.Checkpoint);
        var (y, gpuMeta) = SafeTensors.Load(gpu.Checkpoint);
        Assert.That(y.Keys.Order(), Is.EqualTo(x.Keys.Order()));
        foreach (var (name, t) in x) Assert.That((y[name].Shape, y[name].DType, y[name].Device), Is.EqualTo((t.Shape, t.DType, Device.Cpu)), name);
        Assert.That(gpuMeta, Is.EquivalentTo(cpuMeta), "format, options, step and optimiser steps");
        foreach (var (name, values) in gpu.Memory) Assert.That(y[name].ToArray(), Is.EqualTo(values), $"{name}: the file holds the device's weights bit for bit");

        float[] image = TinyData.Images(1, Size, true, 3)[0];
        using var onCpu = Translator.Load(gpu.Checkpoint, Device.Cpu);
        using var onGpu = Translator.Load(gpu.Checkpoint, Device.Cuda);
        using var cpuTrained = Translator.Load(_cpu.Checkpoint, Device.Cpu);
        TranslationResult a = onCpu.Translate(image, Size, Size), b = onGpu.Translate(image, Size, Size), c = cpuTrained.Translate(image, Size, Size);
        Assert.That(a.Image, Is.EqualTo(b.Image).Within(1e-4), "the device-trained weights translate alike on both devices");
        Assert.That(a.Mask, Is.EqualTo(b.Mask).Within(1e-4));
        double vsCpuTrained = a.Image.Zip(c.Image, (p, q) => Math.Abs(p - q)).Max();
        TestContext.Out.WriteLine($"translation of the {device}-trained vs the cpu-trained checkpoint: max |difference| {vsCpuTrained:E2}");
        // the weights that drift up to the Adam bound are biases cancelled by InstanceNorm (AssertCheckpointsClose)
        Assert.That(vsCpuTrained, Is.LessThanOrEqualTo(1e-4), "the CPU-trained translator's output");
    }

    [Test]
    public void Saliency_prior_on_the_device_matches_the_cpu()
    {
        // the other classifier prior (MaskPrior.SaliencyTarget): a backward pass to the images on the device
        var cpu = new TinyClassifier();
        var gpu = new TinyClassifier();
        foreach (var c in new[] { cpu, gpu }) { c.Eval(); c.SetRequiresGrad(false); }
        gpu.To(Device.Cuda);
        using var scope = Opacity.Tensors.Autograd.TensorScope.Begin();
        Tensor images = Opacity.Gan.Data.ImageTensors.FromImages(TinyData.Images(2, Size, true, 8), Size);
        Tensor onCpu = ClassifierSaliency.Map(cpu, images), onGpu = ClassifierSaliency.Map(gpu, images.To(Device.Cuda));
        Assert.That(onGpu.Device, Is.EqualTo(Device.Cuda));
        Assert.That(onGpu.ToArray(), Is.EqualTo(onCpu.ToArray()).Within(1e-4), "a map in [0, 1] from a float32 gradient");
    }

    [Test]
    public void Resume_on_the_device_continues_the_straight_run()
    {
        var straight = _gpu;
        Assert.That(SafeTensors.Load(Path.Combine(_split, GanCheckpoint.FileName)).Metadata["step"], Is.EqualTo($"{Steps - 1}"));
        var rest = Train(Device.Cuda, Steps, _split, resume: true);
        Assert.That(rest.Losses, Has.Count.EqualTo(1));
        double g = straight.Losses[Steps - 1]["G"];
        Assert.That(rest.Losses[0]["G"], Is.EqualTo(g).Within(1e-5 + 1e-4 * Math.Abs(g)));
        // Same device, same kernels, same inputs: the emulator (and the CPU) repeat bit for bit (measured: 0); a GPU
        // whose library picks another algorithm or reduction order between runs may not, hence the device-vs-CPU rule.
        AssertCheckpointsClose(straight.Checkpoint, rest.Checkpoint, $"{device}: resumed ({Steps - 1} + 1 steps) vs straight ({Steps} steps)");
    }
}
