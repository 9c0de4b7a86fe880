// GanTrainer on a CUDA device (host emulator in CI; the "cuda" fixture runs on a real GPU and is Ignored with
// the reason without one). A tiny configuration exercises every term of the step: the full ablation with the
// CAM prior, jittered classifier views, the image pool and the generator average, with a TinyClassifier.
// Device runs are compared with the CPU oracle within a tolerance derived from Adam (see AdamBound); the
// checkpoint written on the device has the CPU file's layout and translates the same on the CPU; a resume on
// the device continues the straight run to within float rounding. The emulator costs seconds per step, so one
// CPU run and one device run of Steps steps are made once and shared; the resume test adds 1 + 1 device steps.
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
    private (List<Dictionary<string, double>> Losses, string Checkpoint) _cpu, _gpu;

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
        _cpu = Run(Device.Cpu, Steps);
        DeviceFixture.Select(device);
        _gpu = Run(Device.Cuda, Steps);
    }

    [OneTimeTearDown]
    public void Restore()
    {
        CudaRuntime.UseHardware();
        foreach (string d in _dirs) if (Directory.Exists(d)) Directory.Delete(d, true);
    }

    private (List<Dictionary<string, double>> Losses, string Checkpoint) Run(Device on, long steps, string? dir = null, bool resume = false)
    {
        if (dir is null) { dir = TinyData.TempDir("gan_device"); _dirs.Add(dir); }
        var trainer = new GanTrainer(Options(), new TrainerOptions { OutDir = dir, Steps = steps, CheckpointEvery = 0, SampleEvery = steps, Resume = resume, Device = on },
            Data(), new TinyClassifier());
        Assert.That(trainer.Step.Nets.GAB.Parameters().All(p => p.Value.Device == on), Is.True, "networks on the run's device");
        var losses = new List<Dictionary<string, double>>();
        trainer.Progress = p => losses.Add(new Dictionary<string, double>(p.Losses));
        TrainingResult r = trainer.Run();
        Assert.That(r.StepsDone, Is.EqualTo(steps));
        return (losses, r.CheckpointPath);
    }

    /// <summary>Largest |a - b| over every tensor of two checkpoints, and where.</summary>
    private static (double Max, string Where) MaxDifference(string a, string b)
        => DeviceTolerance.MaxDifference(SafeTensors.Load(a).Tensors, SafeTensors.Load(b).Tensors);

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
        var (max, where) = MaxDifference(_cpu.Checkpoint, gpu.Checkpoint);
        TestContext.Out.WriteLine($"{device} vs cpu after {Steps} steps: max relative loss difference {worstLoss:E2}; max |weight/moment/average/pool difference| {max:E2} at {where} (bound {AdamBound(Options(), Steps):E2})");
        Assert.That(max, Is.LessThanOrEqualTo(AdamBound(Options(), Steps)));
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

        float[] image = TinyData.Images(1, Size, true, 3)[0];
        using var onCpu = Translator.Load(gpu.Checkpoint, Device.Cpu);
        using var onGpu = Translator.Load(gpu.Checkpoint, Device.Cuda);
        using var cpuTrained = Translator.Load(_cpu.Checkpoint, Device.Cpu);
        TranslationResult a = onCpu.Translate(image, Size, Size), b = onGpu.Translate(image, Size, Size), c = cpuTrained.Translate(image, Size, Size);
        Assert.That(a.Image, Is.EqualTo(b.Image).Within(1e-4), "the device-trained weights translate alike on both devices");
        Assert.That(a.Mask, Is.EqualTo(b.Mask).Within(1e-4));
        double vsCpuTrained = a.Image.Zip(c.Image, (p, q) => Math.Abs(p - q)).Max();
        TestContext.Out.WriteLine($"translation of the {device}-trained vs the cpu-trained checkpoint: max |difference| {vsCpuTrained:E2}");
        Assert.That(vsCpuTrained, Is.LessThan(1e-2), "close to the CPU-trained translator");
    }

    [Test]
    public void Resume_on_the_device_continues_the_straight_run()
    {
        var straight = _gpu;
        string split = TinyData.TempDir("gan_device_split");
        _dirs.Add(split);
        var first = Run(Device.Cuda, Steps - 1, split);
        var rest = Run(Device.Cuda, Steps, split, resume: true);
        Assert.That(first.Losses.Count + rest.Losses.Count, Is.EqualTo(Steps));
        double g = straight.Losses[Steps - 1]["G"];
        Assert.That(rest.Losses[0]["G"], Is.EqualTo(g).Within(1e-5 + 1e-4 * Math.Abs(g)));
        var (max, where) = MaxDifference(straight.Checkpoint, rest.Checkpoint);
        TestContext.Out.WriteLine($"{device}: resumed ({Steps - 1} + 1 steps) vs straight ({Steps} steps): max |difference| {max:E2} at {where}");
        // Same device, same kernels, same inputs: the emulator (and the CPU) repeat bit for bit; a GPU whose
        // library picks another algorithm or reduction order between runs may not, hence the same Adam bound.
        Assert.That(max, Is.LessThanOrEqualTo(AdamBound(Options(), Steps)));
    }
}
