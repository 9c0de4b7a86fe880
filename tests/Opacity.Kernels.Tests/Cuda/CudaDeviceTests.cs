// Real-GPU tests (category "Cuda"): load every embedded PTX module through the driver's JIT and run the
// kernels against the scalar references. Without a driver or device they report Ignored with the
// reason from CudaDevice.TryOpen, never Passed. The emulator tests cover the same kernels' logic on CPU.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Tests.Cuda.Emulator;

namespace Opacity.Kernels.Tests.Cuda;

[TestFixture]
[Category("Cuda")]
[NonParallelizable]
public sealed class CudaDeviceTests
{
    private CudaDevice? _device;
    private CudaStream? _stream;
    private CudaLauncher? _launcher;

    [OneTimeSetUp]
    public void Open()
    {
        _device = CudaDevice.TryOpen(out string reason);
        if (_device == null) Assert.Ignore($"no CUDA device: {reason}");
        TestContext.Out.WriteLine($"CUDA device: {_device}");
        _stream = new CudaStream(_device);
        _launcher = new CudaLauncher(_device, _stream);
    }

    [OneTimeTearDown]
    public void Close()
    {
        _launcher?.Dispose();
        _stream?.Dispose();
        _device?.Dispose();
    }

    [SetUp]
    public void MakeCurrent() => _device!.MakeCurrent();   // NUnit may run tests on another thread

    [Test]
    public void Every_embedded_module_JIT_compiles_and_exports_its_entry_points()
    {
        foreach (string name in PtxModules.Names)
        {
            using CudaModule module = CudaModule.LoadEmbedded(_device!, name);
            foreach (string line in PtxModules.Text(name).Split('\n').Where(l => l.StartsWith(".visible .entry ", StringComparison.Ordinal)))
                Assert.That(module.Function(line[16..line.IndexOf('(', StringComparison.Ordinal)]), Is.Not.Zero);
        }
    }

    [Test]
    public void Invalid_PTX_fails_with_the_JIT_log()
    {
        byte[] bad = System.Text.Encoding.ASCII.GetBytes(".version 7.0\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus; }\n\0");
        var e = Assert.Throws<CudaException>(() => CudaModule.Load(_device!, "bad", bad));
        Assert.That(e!.Message, Does.Contain("cuModuleLoadDataEx").And.Contain("bad"));
        TestContext.Out.WriteLine(e.Message);
    }

    [TestCase(1, 1, 1, 4097)]
    [TestCase(3, 5, 1, 17 * 19)]
    [TestCase(3, 5, 5, 17 * 19)]
    public void Mask_blend_forward_and_backward_match_reference(int n, int c, int cm, int hw)
    {
        int total = n * c * hw, maskTotal = n * cm * hw;
        float[] m = Kit.Random(maskTotal, 1, 0f, 1f), g = Kit.Random(total, 2), x = Kit.Random(total, 3), dy = Kit.Random(total, 4);
        float[] dmPrior = Kit.Random(maskTotal, 5), dgPrior = Kit.Random(total, 6), dxPrior = Kit.Random(total, 7);
        var ey = new double[total];
        MaskBlendReference.Forward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), ey, n, c, cm, hw);
        double[] edm = Kit.ToDouble(dmPrior), edg = Kit.ToDouble(dgPrior), edx = Kit.ToDouble(dxPrior);
        MaskBlendReference.Backward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), Kit.ToDouble(dy), edm, edg, edx,
            n, c, cm, hw, true, true, true);

        using DeviceBuffer dM = Upload(m), dG = Upload(g), dX = Upload(x), dDy = Upload(dy), dY = new(_device!, total),
            dDm = Upload(dmPrior), dDg = Upload(dgPrior), dDx = Upload(dxPrior);
        MaskBlendCuda.Forward(_launcher!, dM.Pointer, dG.Pointer, dX.Pointer, dY.Pointer, n, c, cm, hw);
        MaskBlendCuda.Backward(_launcher!, dM.Pointer, dG.Pointer, dX.Pointer, dDy.Pointer, dDm.Pointer, dDg.Pointer, dDx.Pointer,
            n, c, cm, hw, true, true, true);
        _stream!.Synchronize();
        Kit.Close(ey, dY.ToArray(), 1e-5, 1e-4, "y");
        Kit.Close(edm, dDm.ToArray(), 1e-4, 1e-4, "dm");
        Kit.Close(edg, dDg.ToArray(), 1e-5, 1e-4, "dg");
        Kit.Close(edx, dDx.ToArray(), 1e-5, 1e-4, "dx");
    }

    [TestCase(4097)]
    [TestCase(1 << 20)]
    public void Sum_and_instance_norm_match_reference(int count)
    {
        float[] x = Kit.Random(count, 11);
        using DeviceBuffer dX = Upload(x), partials = new(_device!, ReduceCuda.PartialCount(count)), sum = new(_device!, 1);
        ReduceCuda.Sum(_launcher!, dX.Pointer, count, partials.Pointer, sum.Pointer);
        _stream!.Synchronize();
        Kit.Close([ReduceReference.Sum<double>(Kit.ToDouble(x))], sum.ToArray(), 1e-3, 1e-5, "sum");

        const int c = 4;
        int hw = count / c;
        var ey = new double[c * hw];
        var emean = new double[c];
        var erstd = new double[c];
        InstanceNormReference.Forward<double>(Kit.ToDouble(x.AsSpan(0, c * hw).ToArray()), [], [], ey, emean, erstd, 1, c, hw, 1e-5);
        using DeviceBuffer dY = new(_device!, c * hw), mean = new(_device!, c), rstd = new(_device!, c);
        InstanceNormCuda.Forward(_launcher!, dX.Pointer, 0, 0, dY.Pointer, mean.Pointer, rstd.Pointer, 1, c, hw, 1e-5f);
        _stream.Synchronize();
        Kit.Close(ey, dY.ToArray(), 1e-4, 1e-4, "instance norm y");
    }

    private DeviceBuffer Upload(float[] host)
    {
        var buffer = new DeviceBuffer(_device!, host.Length);
        buffer.CopyFrom(host);
        return buffer;
    }
}
