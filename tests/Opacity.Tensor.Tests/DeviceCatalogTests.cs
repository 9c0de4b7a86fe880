// Every catalog op on a CUDA device vs the CPU float64 reference (STYLE.md G9 device fixtures):
//   "cuda"          the real GPU; Assert.Ignore("no CUDA device: <reason>") where there is none (Category Cuda)
//   "emulated-cuda" the same CudaBackend on the host emulator (build/native/libopk_emu.so, built by
//                   scripts/build-emulator.sh): always runs; GEMM there is the hand kernel, not cuBLAS.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.Tensors.Diagnostics;
using Opacity.TestSupport;

namespace Opacity.Tensor.Tests;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class DeviceCatalogTests(string device)
{
    public static IEnumerable<OpCase> Cases() => OpCatalog.All();

    [OneTimeSetUp]
    public void SelectDevice() => DeviceFixture.Select(device);

    [OneTimeTearDown]
    public void Restore() => CudaRuntime.UseHardware();

    [TestCaseSource(nameof(Cases))]
    public void Op_matches_the_cpu_float64_reference(OpCase op)
    {
        DeviceCheckResult r = DeviceCheck.Run(op, Device.Cuda);
        Assert.That(r.Passed, Is.True, $"{op.Name} on {device}: {r.Detail}");
    }

    [Test]
    public void Allocator_reuses_freed_blocks_of_the_same_bucket()
    {
        var alloc = CudaRuntime.Allocator(Device.Cuda);
        using (TensorScope.Begin()) Tensors.Tensor.Zeros(new Shape(1000), device: Device.Cuda).Dispose();
        long hits = alloc.Hits, inUse = alloc.AllocatedBytes;
        using (TensorScope.Begin())
        {
            Tensors.Tensor t = Tensors.Tensor.Zeros(new Shape(1000), device: Device.Cuda);
            Assert.That(alloc.Hits, Is.EqualTo(hits + 1));
            Assert.That(alloc.AllocatedBytes, Is.EqualTo(inUse + 4096));
            Assert.That(alloc.PeakBytes, Is.GreaterThanOrEqualTo(alloc.AllocatedBytes));
            Assert.That(t.ToArray(), Is.All.EqualTo(0f));
        }
        Assert.That(alloc.AllocatedBytes, Is.EqualTo(inUse));
    }

    [Test]
    public void A_sum_of_many_elements_to_one_matches_the_cpu_with_and_without_accumulation()
    {
        // 70001 inputs: past CudaBackend's two-pass threshold, with a tail past the blocks.
        using var scope = TensorScope.Begin();
        Tensors.Tensor xHost = Tensors.Tensor.Randn(new Shape(70001), 7), wHost = Tensors.Tensor.Randn(new Shape(70001), 8);
        double sumX = xHost.ToArray().Sum(v => (double)v), sumW = wHost.ToArray().Sum(v => (double)v);
        Tensors.Tensor x = xHost.To(Device.Cuda), w = wHost.To(Device.Cuda);
        Assert.That(F.Sum(x).ToArray()[0], Is.EqualTo(sumX).Within(2e-3));

        // d(sum((x + b) * w))/db = sum(w), accumulated over two backward passes (ReduceTo with accumulate).
        Tensors.Tensor b = Tensors.Tensor.Zeros(new Shape(1), device: Device.Cuda).RequireGrad();
        for (int pass = 0; pass < 2; pass++) F.Sum(F.Mul(F.Add(x, b), w)).Backward();
        Assert.That(b.Grad!.ToArray()[0], Is.EqualTo(2 * sumW).Within(4e-3));
    }

    [Test]
    public void Float64_on_the_device_is_refused_with_one_sentence()
    {
        var e = Assert.Throws<NotSupportedException>(() => Tensors.Tensor.Zeros(new Shape(3), DType.F64, Device.Cuda));
        Assert.That(e!.Message, Does.Contain("float64").And.Contain("CPU"));
    }
}
