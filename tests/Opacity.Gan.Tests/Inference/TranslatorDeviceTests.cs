// The Translator on a CUDA device: the same checkpoint translated on the CPU and on Device.Cuda agrees
// (host emulator in CI; the "cuda" fixture runs on a real GPU and is Ignored with the reason without one),
// and a missing GPU is one sentence at Load.
using Opacity.Gan.Inference;
using Opacity.Gan.Networks;
using Opacity.Gan.Tests.Training;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Inference;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class TranslatorDeviceTests(string device)
{
    private string _dir = "";
    private string _checkpoint = "";

    [OneTimeSetUp]
    public void Train()
    {
        CudaRuntime.UseHardware();
        _dir = TinyData.TempDir("translator_device");
        var o = TinyData.Tiny(32, Ablation.Mask) with { Content = MaskContent.Residual };
        var data = new UnpairedData(TinyData.Images(2, 32, true, 1), TinyData.Images(2, 32, false, 2), 32, 1);
        _checkpoint = new GanTrainer(o, new TrainerOptions { OutDir = _dir, Steps = 1, CheckpointEvery = 1, SampleEvery = 0 }, data).Run().CheckpointPath;
        DeviceFixture.Select(device);
    }

    [OneTimeTearDown]
    public void Restore()
    {
        CudaRuntime.UseHardware();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Test]
    public void Cuda_translation_matches_the_cpu()
    {
        float[] image = TinyData.Images(1, 32, true, 5)[0];
        using var cpu = Translator.Load(_checkpoint, Device.Cpu);
        using var gpu = Translator.Load(_checkpoint, Device.Cuda);
        Assert.That(gpu.Device, Is.EqualTo(Device.Cuda));
        var a = cpu.Translate(image, 32, 32);
        var b = gpu.Translate(image, 32, 32);
        Assert.That(b.Image, Is.EqualTo(a.Image).Within(1e-4));
        Assert.That(b.Mask, Is.EqualTo(a.Mask).Within(1e-4));
        var again = gpu.Translate(image, 32, 32);   // buffers reused: same answer twice
        Assert.That(again.Image, Is.EqualTo(b.Image));
    }
}

public sealed class TranslatorNoGpuTests
{
    [Test]
    public void Missing_gpu_is_one_sentence_at_load()
    {
        CudaRuntime.UseHardware();
        if (CudaRuntime.IsAvailable(out _)) Assert.Ignore("a CUDA device is present, so there is no missing-GPU message to check");
        string dir = TinyData.TempDir("translator_nogpu");
        try
        {
            var o = TinyData.Tiny(32, Ablation.Mask);
            var data = new UnpairedData(TinyData.Images(2, 32, true, 1), TinyData.Images(2, 32, false, 2), 32, 1);
            string ck = new GanTrainer(o, new TrainerOptions { OutDir = dir, Steps = 1, CheckpointEvery = 1, SampleEvery = 0 }, data).Run().CheckpointPath;
            var e = Assert.Throws<DeviceUnavailableException>(() => Translator.Load(ck, Device.Cuda));
            Assert.That(e!.Message, Does.StartWith("Cannot translate on cuda:0: "));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
