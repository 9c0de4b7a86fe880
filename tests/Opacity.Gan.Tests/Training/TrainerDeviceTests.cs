// ClassifierTrainer, SegmenterTrainer and LesionMapTrainer on a CUDA device (host emulator in CI; the "cuda" fixture runs on a
// real GPU and is Ignored with the reason without one): two steps (with augmentation, BatchNorm in training
// mode) match the CPU run in losses, weights and running statistics within DeviceTolerance.AdamBound; the
// trained model stays on the device, and evaluating it there (Probabilities, Predict, the lesion-map scores) agrees
// with a CPU copy of the same weights. Phantoms are made at 64 px (their smallest size) and box-reduced to 32 px.
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Nn;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Training;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class TrainerDeviceTests(string device)
{
    private const int Steps = 2;
    private List<PhantomCase> _cases = [];

    [OneTimeSetUp]
    public void SelectDevice()
    {
        _cases = [.. TrainingData.Synthesize(6, 64, 3).Select(c => TrainingData.Resize(c, 32))];
        DeviceFixture.Select(device);
    }

    [OneTimeTearDown]
    public void Restore() => CudaRuntime.UseHardware();

    private static Dictionary<string, Tensor> State(Module m) => StateDict.Of(m).ToDictionary(t => t.Name, t => t.Value);

    /// <summary>Step 1 sees identical weights and batches (only rounding differs); step 2 starts from weights up to the Adam bound apart.</summary>
    private static void AssertLossesClose(IReadOnlyList<double> cpu, IReadOnlyList<double> gpu)
    {
        Assert.That(gpu, Has.Count.EqualTo(cpu.Count));
        Assert.That(gpu[0], Is.EqualTo(cpu[0]).Within(1e-5 + 1e-4 * Math.Abs(cpu[0])), "step 1");
        for (int s = 1; s < cpu.Count; s++) Assert.That(gpu[s], Is.EqualTo(cpu[s]).Within(1e-5 + 1e-2 * Math.Abs(cpu[s])), $"step {s + 1}");
    }

    /// <summary>The device model stays on the device, its losses and weights match the CPU run's (weights within Adam's bound).</summary>
    private void AssertTrainedAlike(string name, IReadOnlyList<double> cpuLosses, IReadOnlyList<double> gpuLosses, Module cpu, Module gpu, double learningRate)
    {
        Assert.That(gpu.Parameters().All(p => p.Value.Device == Device.Cuda), Is.True, "the trained model stays on the device");
        AssertLossesClose(cpuLosses, gpuLosses);
        var (max, where) = DeviceTolerance.MaxDifference(State(cpu), State(gpu));
        double bound = DeviceTolerance.AdamBound(learningRate, 0.9, 0.999, Steps);
        TestContext.Out.WriteLine($"{name}, {device} vs cpu after {Steps} steps: losses {string.Join(" / ", cpuLosses.Zip(gpuLosses, (a, b) => $"{a:R} vs {b:R}"))}; max |weight difference| {max:E2} at {where} (bound {bound:E2})");
        Assert.That(max, Is.LessThanOrEqualTo(bound));
    }

    [Test]
    public void Classifier_steps_on_the_device_match_the_cpu()
    {
        var o = new ClassifierTrainOptions { Kind = ClassifierKind.ResNet, Width = 2, Steps = Steps, BatchSize = 4, LearningRate = 1e-3, Seed = 4 };
        ClassifierTrainResult cpu = ClassifierTrainer.Train(_cases, null, o);
        ClassifierTrainResult gpu = ClassifierTrainer.Train(_cases, null, o with { Device = Device.Cuda });
        AssertTrainedAlike("classifier", cpu.Losses, gpu.Losses, cpu.Model, gpu.Model, o.LearningRate);

        var copy = new OpacityClassifier(o.Kind, o.Width);
        StateDict.Apply(copy, State(gpu.Model), "device model");
        double[] onDevice = ClassifierTrainer.Probabilities(gpu.Model, _cases), onCpu = ClassifierTrainer.Probabilities(copy, _cases);
        Assert.That(onDevice, Is.EqualTo(onCpu).Within(1e-5), "the device model evaluated on the device");
    }

    [Test]
    public void Lesion_map_judge_steps_on_the_device_match_the_cpu()
    {
        var o = new LesionMapTrainOptions { Width = 2, Depth = 2, Steps = Steps, BatchSize = 2, LearningRate = 1e-3, Seed = 4 };
        LesionMapTrainResult cpu = LesionMapTrainer.Train(_cases, null, o);
        LesionMapTrainResult gpu = LesionMapTrainer.Train(_cases, null, o with { Device = Device.Cuda });
        AssertTrainedAlike("lesion-map judge", cpu.Losses, gpu.Losses, cpu.Model, gpu.Model, o.LearningRate);

        var copy = new LesionMapJudge(o.Width, o.Depth);
        StateDict.Apply(copy, State(gpu.Model), "device model");
        copy.Eval();
        var images = _cases.Select(c => c.Image).ToList();
        Assert.That(LesionMapTrainer.Probabilities(gpu.Model, images, 32), Is.EqualTo(LesionMapTrainer.Probabilities(copy, images, 32)).Within(1e-5),
            "the device judge scored on the device");
    }

    [Test]
    public void Segmenter_steps_on_the_device_match_the_cpu()
    {
        var o = new SegmenterTrainOptions { Width = 2, Depth = 2, Steps = Steps, BatchSize = 2, LearningRate = 1e-3, Seed = 4 };
        SegmenterTrainResult cpu = SegmenterTrainer.Train(_cases, null, o);
        SegmenterTrainResult gpu = SegmenterTrainer.Train(_cases, null, o with { Device = Device.Cuda });
        AssertTrainedAlike("segmenter", cpu.Losses, gpu.Losses, cpu.Model, gpu.Model, o.LearningRate);

        var copy = new UNet(1, 1, o.Width, o.Depth, o.Upsampling, NormKind.Batch);
        StateDict.Apply(copy, State(gpu.Model), "device model");
        bool[][] onDevice = SegmenterTrainer.Predict(gpu.Model, _cases), onCpu = SegmenterTrainer.Predict(copy, _cases);
        int differ = onDevice.Zip(onCpu, (a, b) => a.Zip(b).Count(p => p.First != p.Second)).Sum();
        int total = onCpu.Sum(m => m.Length);
        // a pixel whose logit is within rounding of 0 may fall either side of the 0.5 threshold
        Assert.That(differ, Is.LessThanOrEqualTo(total / 1000), $"{differ} of {total} predicted pixels differ");
    }
}
