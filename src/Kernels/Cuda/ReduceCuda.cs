// Launcher for kernels/cu/reduce.cu: a deterministic two-pass sum (block partials, then one block).
// Versions: v1 (default) = warp shuffles + shared per-warp sums. Tested: Cuda/EmulatorReduceTests.cs.
namespace Opacity.Kernels.Cuda;

public static class ReduceCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    /// <summary>Most block partials pass 1 produces (pass 2 reduces them with one block).</summary>
    public const int MaxPartials = 1024;
    private static readonly KernelId[] SumKernels = LaunchShape.Table("reduce", "sum_fwd", VersionCount);
    private static readonly KernelId[] SumF64Kernels = LaunchShape.Table("reduce", "sum_f64_fwd", VersionCount);

    /// <summary>Floats of scratch <see cref="Sum"/> needs for <paramref name="count"/> inputs.</summary>
    public static int PartialCount(long count) => (int)Math.Min(LaunchShape.GridFor(count).X, MaxPartials);

    /// <summary><c>result[0] = Σ x[i]</c>; <paramref name="partials"/> holds <see cref="PartialCount"/> floats.</summary>
    public static void Sum(IKernelLauncher launcher, ulong x, int count, ulong partials, ulong result, int version = DefaultVersion)
    {
        KernelId kernel = LaunchShape.Pick(SumKernels, version, "sum_fwd");
        int blocks = PartialCount(count);
        var pass1 = new KernelArgs();
        pass1.Add(x); pass1.Add(partials); pass1.Add(count);
        launcher.Launch(kernel, new Dim3((uint)blocks), new Dim3(LaunchShape.BlockSize), 0, ref pass1);
        var pass2 = new KernelArgs();
        pass2.Add(partials); pass2.Add(result); pass2.Add(blocks);
        launcher.Launch(kernel, new Dim3(1), LaunchShape.ReductionBlock(blocks), 0, ref pass2);
    }

    /// <summary>float64: <c>result[0] = Σ x[i]</c>, or <c>Σ x[i]²</c> when <paramref name="squared"/>;
    /// <paramref name="partials"/> holds <see cref="PartialCount"/> doubles.</summary>
    public static void SumF64(IKernelLauncher launcher, ulong x, int count, bool squared, ulong partials, ulong result,
        int version = DefaultVersion)
    {
        KernelId kernel = LaunchShape.Pick(SumF64Kernels, version, "sum_f64_fwd");
        int blocks = PartialCount(count);
        var pass1 = new KernelArgs();
        pass1.Add(x); pass1.Add(partials); pass1.Add(count); pass1.Add(squared);
        launcher.Launch(kernel, new Dim3((uint)blocks), new Dim3(LaunchShape.BlockSize), 0, ref pass1);
        ReducePartialsF64(launcher, partials, blocks, result, version);
    }

    /// <summary>Pass 2 of any float64 block-partial reduction (also used by <see cref="KidCuda"/>).</summary>
    internal static void ReducePartialsF64(IKernelLauncher launcher, ulong partials, int blocks, ulong result, int version)
    {
        var args = new KernelArgs();
        args.Add(partials); args.Add(result); args.Add(blocks); args.Add(false);
        launcher.Launch(LaunchShape.Pick(SumF64Kernels, version, "sum_f64_fwd"), new Dim3(1), LaunchShape.ReductionBlock(blocks), 0, ref args);
    }
}
