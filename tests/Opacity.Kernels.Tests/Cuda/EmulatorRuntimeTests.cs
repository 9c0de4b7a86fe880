// The emulator itself: it knows exactly the entry points the embedded PTX exports (so no kernel escapes
// the emulator tests), and it reports an unknown kernel or a bad launch shape instead of running.
using System.Text.RegularExpressions;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed partial class EmulatorRuntimeTests
{
    [Test]
    public void Emulator_registers_every_PTX_entry_point()
    {
        var ptxEntries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string module in PtxModules.Names)
            foreach (Match match in EntryRegex().Matches(PtxModules.Text(module)))
                ptxEntries.Add(match.Groups[1].Value);
        Assert.That(ptxEntries, Is.Not.Empty);
        Assert.That(new SortedSet<string>(EmulatorNative.KernelNames(), StringComparer.Ordinal), Is.EqualTo(ptxEntries));
    }

    [Test]
    public unsafe void Unknown_kernel_and_bad_shape_are_errors()
    {
        var args = new KernelArgs();
        var launcher = EmulatorLauncher.Instance;
        var ex = Assert.Throws<InvalidOperationException>(() => launcher.Launch(new KernelId("x", "opk_nope_fwd_v1"), new Dim3(1), new Dim3(32), 0, ref args));
        Assert.That(ex!.Message, Does.Contain("opk_nope_fwd_v1").And.Contain("(500)"));
        ex = Assert.Throws<InvalidOperationException>(() => launcher.Launch(new KernelId("reduce", "opk_sum_fwd_v1"), new Dim3(1), new Dim3(2048), 0, ref args));
        Assert.That(ex!.Message, Does.Contain("1024"));
    }

    [Test]
    public void Fiber_and_OS_thread_schedulers_agree_bit_for_bit()
    {
        // The barrier-heavy kernels (shuffles, __shared__, __syncthreads) under both schedulers.
        const int n = 3, c = 5, hw = 17 * 19;
        float[] x = Kit.Random(n * c * hw, 9);
        float[] fibers = RunNormAndSum(x, n, c, hw);
        int previous = EmulatorNative.SetMode(1);
        try
        {
            float[] threads = RunNormAndSum(x, n, c, hw);
            Assert.That(threads, Is.EqualTo(fibers));
        }
        finally
        {
            Assert.That(EmulatorNative.SetMode(previous), Is.EqualTo(1));
        }
    }

    private static float[] RunNormAndSum(float[] x, int n, int c, int hw)
    {
        var launcher = EmulatorLauncher.Instance;
        using Pinned px = new(x), py = new(new float[x.Length]), mean = new(new float[n * c]), rstd = new(new float[n * c]),
            partials = new(new float[ReduceCuda.PartialCount(x.Length)]), sum = new(new float[1]);
        InstanceNormCuda.Forward(launcher, px.Address, 0, 0, py.Address, mean.Address, rstd.Address, n, c, hw, 1e-5f);
        ReduceCuda.Sum(launcher, px.Address, x.Length, partials.Address, sum.Address);
        return [.. py.Data, .. mean.Data, .. rstd.Data, sum.Data[0]];
    }

    [GeneratedRegex(@"^\.visible \.entry (\w+)\(", RegexOptions.Multiline)]
    private static partial Regex EntryRegex();
}
