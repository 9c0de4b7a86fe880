// FidCuda.TraceSqrt (the FP64 Newton-Schulz loop on a GpuContext) against the CPU loop NewtonSchulz.TraceSqrt at odd
// sizes d = 1, 7, 33, 130, plus the guard and the zero matrix. "emulated-cuda": the host emulator (kernels of
// newton_schulz.cu and reduce.cu compiled for the host, GEMMs by the host Dgemm because there is no cuBLAS there):
// same GEMM, so the same iterates up to the norm and trace reductions, which sum in another order (agreement to 1e-13
// relative, same iteration count). "cuda": a real GPU with cuBLAS DGEMM (other rounding: 1e-11 relative, iteration
// counts within 2); Ignored with the reason where there is no GPU.
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture("emulated-cuda")]
[TestFixture("cuda", Category = "Cuda")]
[NonParallelizable]
public sealed class EmulatorFidCudaTests(string device)
{
    private GpuContext? _context;
    private bool Emulated => device == "emulated-cuda";

    [OneTimeSetUp]
    public void Open()
    {
        string reason;
        _context = Emulated ? EmulatedContext.TryOpen(EmulatorSetup.LibraryPath, out reason) : HardwareContext.TryOpen(out reason);
        if (_context is null)
        {
            if (Emulated) Assert.Fail(reason);
            Assert.Ignore($"no CUDA device: {reason}");
        }
    }

    [OneTimeTearDown]
    public void Close() => _context?.Dispose();

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(33)]
    [TestCase(130)]
    public void Device_loop_matches_the_cpu_loop(int d)
    {
        // Spectrum 1 .. 1e-8 (converges in about 30 steps) in a random orthogonal basis.
        double[] lambda = [.. Enumerable.Range(0, d).Select(i => Math.Pow(10, -8.0 * i / Math.Max(d - 1, 1)))];
        double[] m = EmulatorNewtonSchulzTests.SymmetricWithSpectrum(lambda, seed: 100 + d);
        NewtonSchulzResult cpu = NewtonSchulz.TraceSqrt(m, d);
        NewtonSchulzResult gpu = FidCuda.TraceSqrt(_context!, m, d);
        TestContext.Out.WriteLine($"d={d}: cpu {cpu}; {device} {gpu}");
        double exact = lambda.Sum(Math.Sqrt);
        Assert.That(gpu.Stop, Is.EqualTo(NewtonSchulzStop.Converged));
        Assert.That(gpu.GuardTripped, Is.False);
        Assert.That(gpu.FallbackAdvised, Is.False, $"residual {gpu.Residual}");
        Assert.That(gpu.FrobeniusNorm, Is.EqualTo(cpu.FrobeniusNorm).Within(1e-11).Percent);   // 1e-13 relative (sum order)
        if (Emulated)
        {
            Assert.That(gpu.Iterations, Is.EqualTo(cpu.Iterations));
            Assert.That(gpu.Value, Is.EqualTo(cpu.Value).Within(1e-11).Percent);   // 1e-13 relative
            Assert.That(gpu.Residual, Is.EqualTo(cpu.Residual).Within(1e-13));   // M/c differs by the norm rounding
        }
        else
        {
            Assert.That(gpu.Iterations, Is.EqualTo(cpu.Iterations).Within(2));
            Assert.That(gpu.Value, Is.EqualTo(cpu.Value).Within(1e-9).Percent);    // 1e-11 relative
        }
        Assert.That(gpu.Value, Is.EqualTo(exact).Within(1e-9).Percent, "vs sum sqrt(lambda)");
    }

    [Test]
    public void Negative_eigenvalue_trips_the_guard_on_the_device_too()
    {
        const int d = 16;
        double[] lambda = [.. Enumerable.Range(0, d).Select(i => i == d - 1 ? -1e-7 : 1.0 - 0.05 * i)];
        double[] m = EmulatorNewtonSchulzTests.SymmetricWithSpectrum(lambda, seed: 5);
        NewtonSchulzResult cpu = NewtonSchulz.TraceSqrt(m, d);
        NewtonSchulzResult gpu = FidCuda.TraceSqrt(_context!, m, d);
        Assert.That((gpu.Stop, gpu.GuardTripped, gpu.FallbackAdvised), Is.EqualTo((NewtonSchulzStop.Diverged, true, true)));
        if (Emulated) Assert.That(gpu.Iterations, Is.EqualTo(cpu.Iterations));
        Assert.That(gpu.Value, Is.EqualTo(cpu.Value).Within(1e-6));
    }

    [Test]
    public void Zero_matrix_is_zero_without_iterating()
    {
        NewtonSchulzResult r = FidCuda.TraceSqrt(_context!, new double[25], 5);
        Assert.That((r.Value, r.Stop, r.Iterations), Is.EqualTo((0.0, NewtonSchulzStop.ZeroMatrix, 0)));
    }
}
