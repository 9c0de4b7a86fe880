// `opacity selftest`: the catalog on the CPU passes and writes JSON; without a GPU, --device cuda
// exits 1 with one sentence; a bad --device value exits 2. Through the real command line parser.
using System.Text.Json;
using Opacity.Cli;
using Opacity.Tensors;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class SelfTestCommandTests
{
    [Test]
    public void Cpu_selftest_passes_every_catalog_op_and_writes_json()
    {
        string json = Path.Combine(Path.GetTempPath(), $"selftest-{Guid.NewGuid():N}.json");
        try
        {
            var (code, _, err) = Run("selftest", "--device", "cpu", "--no-timing", "--json", json);
            Assert.That(code, Is.EqualTo(0), err);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            int passed = doc.RootElement.GetProperty("Passed").GetInt32();
            Assert.That(passed, Is.EqualTo(Opacity.Tensors.Diagnostics.OpCatalog.All().Count()));
            Assert.That(doc.RootElement.GetProperty("Failed").GetInt32(), Is.Zero);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Test]
    public void Cuda_selftest_without_a_gpu_exits_1_with_one_sentence()
    {
        CudaRuntime.UseHardware();
        if (CudaRuntime.IsAvailable(out _)) Assert.Ignore("a CUDA device is present: this test is for machines without one");
        var (code, _, err) = Run("selftest", "--device", "cuda");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.Contain("CUDA"));
    }

    [Test]
    public void Unknown_device_exits_2()
    {
        var (code, _, err) = Run("selftest", "--device", "tpu");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("tpu"));
    }
}
