// Modules and optimisers on a CUDA device (fixtures as DeviceCatalogTests): Module.To moves parameters
// and buffers, Adam runs the fused CUDA kernel, and two steps match the CPU.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;

namespace Opacity.Nn.Tests;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class ModuleDeviceTests(string device)
{
    [OneTimeSetUp]
    public void SelectDevice() => DeviceFixture.Select(device);

    [OneTimeTearDown]
    public void Restore() => CudaRuntime.UseHardware();

    [Test]
    public void Module_moves_to_the_device_and_adam_updates_it_there()
    {
        using var scope = TensorScope.Begin();
        var cpu = new Layers.Conv2d(2, 3, 3, padding: 1);
        var gpu = new Layers.Conv2d(2, 3, 3, padding: 1);
        foreach (var ((_, a), (_, b)) in cpu.NamedParameters().Zip(gpu.NamedParameters())) b.Value.CopyFrom(a.Value);
        gpu.To(Device.Cuda);
        Assert.That(gpu.Parameters().All(p => p.Value.Device == Device.Cuda), Is.True);
        var optCpu = new Optim.Adam(cpu.Parameters(), 0.01);
        var optGpu = new Optim.Adam(gpu.Parameters(), 0.01);
        Tensor x = Tensor.Randn(new Shape(1, 2, 5, 5), 7);
        for (int step = 0; step < 2; step++)
        {
            cpu.ZeroGrad(); gpu.ZeroGrad();
            cpu.Forward(x).Sum().Backward();
            gpu.Forward(x.To(Device.Cuda)).Sum().Backward();
            optCpu.Step(); optGpu.Step();
        }
        foreach (var ((n, a), (_, b)) in cpu.NamedParameters().Zip(gpu.NamedParameters()))
            Assert.That(b.Value.ToArray(), Is.EqualTo(a.Value.ToArray()).Within(1e-4), n);
        gpu.To(Device.Cpu);
        Assert.That(gpu.Parameters().All(p => p.Value.Device.IsCpu), Is.True);
    }

}
