// --device on the training commands and the demo: without a GPU `--device cuda` is one sentence on stderr and
// exit 1, checked before any data is read or any file written; an unknown device name likewise. With Device.Cuda
// routed to the host emulator (or a real GPU), `train`, `train-classifier` and `train-segmenter --device cuda`
// run one step end to end and write checkpoints that load on the CPU; `demo --device cuda` (Explicit: minutes on
// the emulator) runs every stage there and writes its report.
using Opacity.Gan.Inference;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.TestSupport;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class TrainDeviceCommandTests
{
    private static readonly string Missing = Path.Combine(Path.GetTempPath(), "opacity_no_such_" + Guid.NewGuid().ToString("N"));

    private static IEnumerable<TestCaseData> Commands()
    {
        string[][] all =
        [
            ["train", "--data", Missing, "--out", Missing],
            ["train-classifier", "--data", Missing, "--out", Missing],
            ["train-segmenter", "--data", Missing, "--out", Missing],
            ["demo", "--out", Missing],
        ];
        foreach (string[] args in all) yield return new TestCaseData((object)args).SetArgDisplayNames(args[0]);
    }

    [TestCaseSource(nameof(Commands))]
    public void Cuda_without_a_gpu_is_one_sentence_and_exit_1(string[] args)
    {
        CudaRuntime.UseHardware();
        if (CudaRuntime.IsAvailable(out _)) Assert.Ignore("a CUDA device is present, so there is no missing-GPU message to check");
        var (code, output, err) = Run([.. args, "--device", "cuda"]);
        Assert.That(code, Is.EqualTo(1), output + err);
        TestContext.Out.WriteLine(err.Trim());
        Assert.That(err.Trim(), Does.StartWith("Cannot train on cuda:0: ").And.Not.Contain("\n").And.Not.Contain("   at "));
        Assert.That(Path.Exists(Missing), Is.False, "nothing written before the device check");
    }

    [TestCaseSource(nameof(Commands))]
    public void Unknown_device_is_one_sentence_and_exit_1(string[] args)
    {
        var (code, _, err) = Run([.. args, "--device", "gpu"]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Is.EqualTo("Unknown device 'gpu': expected cpu, cuda or cuda:N."));
    }
}

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class TrainOnDeviceCommandTests(string device)
{
    private string _root = "";
    private string _data = "";

    [OneTimeSetUp]
    public void MakeData()
    {
        CudaRuntime.UseHardware();
        _root = Path.Combine(Path.GetTempPath(), "train_device_cli_" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "data");
        var (code, _, err) = Run("synth", "--out", _data, "--count", "4", "--size", "64", "--seed", "3", "--train", "1", "--val", "0");
        Assert.That(code, Is.EqualTo(0), err);
        DeviceFixture.Select(device);   // Device.Cuda is the emulator from here on, in this process
    }

    [OneTimeTearDown]
    public void Clean()
    {
        CudaRuntime.UseHardware();
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Test]
    public void Train_on_the_device_writes_a_checkpoint_the_cpu_translates_with()
    {
        string outDir = Path.Combine(_root, "gan");
        var (code, output, err) = Run("train", "--data", _data, "--out", outDir, "--steps", "1", "--size", "64", "--ngf", "2", "--ndf", "2",
            "--blocks", "1", "--ablation", "mask", "--sample-every", "1", "--device", "cuda");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 1 steps (mask, 64 px, on cuda:0)"));
        Assert.That(File.Exists(Path.Combine(outDir, "samples", "step0000001.png")), Is.True);
        using var t = Translator.Load(Path.Combine(outDir, GanCheckpoint.FileName), Device.Cpu);
        Assert.That(t.Translate(new float[64 * 64], 64, 64).Image.All(float.IsFinite), Is.True);
    }

    // Explicit: about 5.5 minutes on the host emulator on 2 cores (seconds on a GPU); on 2026-11-26 it passed, and
    // the validation AUCs, lung IoU, G losses and report tables matched `demo --device cpu` with the same options.
    [Test, Explicit("minutes on the host emulator")]
    public void Demo_on_the_device_runs_end_to_end()
    {
        string dir = Path.Combine(_root, "demo");
        var (code, output, err) = Run("demo", "--out", dir, "--count", "40", "--eval-count", "8", "--gan-steps", "1", "--classifier-steps", "1",
            "--segmenter-steps", "1", "--lesion-judge-steps", "1", "--ngf", "2", "--blocks", "1", "--judges", "1", "--cdam-classifiers", "1", "--device", "cuda");
        TestContext.Out.WriteLine(output);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(File.Exists(Path.Combine(dir, "report.md")), Is.True);
    }

    [Test]
    public void Train_classifier_and_segmenter_on_the_device_write_checkpoints_that_load_on_the_cpu()
    {
        string cls = Path.Combine(_root, "cls.safetensors"), seg = Path.Combine(_root, "seg.safetensors");
        var (code, _, err) = Run("train-classifier", "--data", _data, "--out", cls, "--steps", "1", "--batch", "2", "--width", "2", "--device", "cuda");
        Assert.That(code, Is.EqualTo(0), err);
        (code, _, err) = Run("train-segmenter", "--data", _data, "--out", seg, "--steps", "1", "--batch", "1", "--width", "2", "--depth", "2", "--device", "cuda");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(ClassifierCheckpoint.Load(cls).Model.Parameters().All(p => p.Value.Device.IsCpu), Is.True);
        Assert.That(SegmenterTrainer.Load(seg).Size, Is.EqualTo(64));
    }
}
