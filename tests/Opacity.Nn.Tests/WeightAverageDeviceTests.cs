// WeightAverage on a CUDA device (fixtures as ModuleDeviceTests: host emulator in CI, a real GPU when present):
// the float32 device lerp follows the CPU's double-computed average within float rounding over many updates,
// the average stays on the device, and a saved (CPU) average loads onto the device.
using Opacity.Nn.Layers;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Nn.Tests;

[TestFixture("cuda", Category = "Cuda")]
[TestFixture("emulated-cuda")]
[NonParallelizable]
public sealed class WeightAverageDeviceTests(string device)
{
    [OneTimeSetUp]
    public void SelectDevice() => DeviceFixture.Select(device);

    [OneTimeTearDown]
    public void Restore() => CudaRuntime.UseHardware();

    [Test]
    public void Device_average_follows_the_cpu_average()
    {
        var cpu = new Conv2d(2, 3, 3, rng: new Rng(4));
        var gpu = new Conv2d(2, 3, 3, rng: new Rng(4));
        gpu.To(Device.Cuda);
        var avgCpu = new WeightAverage(cpu, 0.9);
        var avgGpu = new WeightAverage(gpu, 0.9);
        var rng = new Rng(5);
        const int Updates = 20;
        for (int step = 0; step < Updates; step++)
        {
            // the same new weights on both (as if an optimiser had stepped), then one update each
            foreach (var ((_, a), (_, b)) in cpu.NamedParameters().Zip(gpu.NamedParameters()))
            {
                Span<float> s = a.Value.AsSpan();
                for (int i = 0; i < s.Length; i++) s[i] += (float)rng.NextNormal();
                b.Value.CopyFrom(a.Value);
            }
            avgCpu.Update();
            avgGpu.Update();
        }
        var expected = avgCpu.State().ToDictionary(s => s.Name, s => s.Value);
        double max = 0;
        foreach (var (name, value) in avgGpu.State())
        {
            Assert.That(value.Device, Is.EqualTo(Device.Cuda), name);
            float[] got = value.ToArray(), want = expected[name].ToArray();
            // each update rounds three times in float32 (d avg, (1 - d) theta, the sum) instead of once, and the old
            // error decays by d per update: a few ulps of the weights (|w| up to about 10 here: ulp 1e-6)
            Assert.That(got, Is.EqualTo(want).Within(1e-5), name);
            max = Math.Max(max, got.Zip(want, (p, q) => Math.Abs(p - q)).Max());
        }
        TestContext.Out.WriteLine($"{device} vs cpu after {Updates} updates: max |difference| {max:E2}");
    }

    [Test]
    public void Saved_average_loads_onto_the_device()
    {
        var cpu = new Conv2d(1, 2, 3, rng: new Rng(6));
        var avgCpu = new WeightAverage(cpu, 0.5);
        foreach (Parameter p in cpu.Parameters()) { Span<float> s = p.Value.AsSpan(); for (int i = 0; i < s.Length; i++) s[i] *= 3f; }
        avgCpu.Update();
        var saved = avgCpu.State().ToDictionary(s => s.Name, s => s.Value.Clone());
        var gpu = new Conv2d(1, 2, 3, rng: new Rng(7));
        gpu.To(Device.Cuda);
        var avgGpu = new WeightAverage(gpu, 0.5);
        avgGpu.LoadState(saved, "test");
        foreach (var (name, value) in avgGpu.State())
        {
            Assert.That(value.Device, Is.EqualTo(Device.Cuda), name);
            Assert.That(value.ToArray(), Is.EqualTo(saved[name].ToArray()), name);
        }
    }
}
