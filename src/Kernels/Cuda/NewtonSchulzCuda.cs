// Launcher for kernels/cu/newton_schulz.cu: the non-GEMM pieces of the float64 Newton-Schulz
// iteration for FID (FID_KID.md §8.3); the GEMMs are cuBLAS DGEMMs (or GemmReference in tests).
// The whole loop (stopping rule, guard, residual) is FidCuda.TraceSqrt.
// Versions: v1 (default). Tested: Cuda/EmulatorNewtonSchulzTests.cs vs NewtonSchulzReference.
namespace Opacity.Kernels.Cuda;

public static class NewtonSchulzCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] InitKernels = LaunchShape.Table("newton_schulz", "ns_init_fwd", VersionCount);
    private static readonly KernelId[] TKernels = LaunchShape.Table("newton_schulz", "ns_t_fwd", VersionCount);
    private static readonly KernelId[] TraceKernels = LaunchShape.Table("newton_schulz", "trace_f64_fwd", VersionCount);

    /// <summary><c>Y = M * invNorm</c>, <c>Z = I</c> (d x d doubles).</summary>
    public static void Init(IKernelLauncher launcher, ulong m, ulong y, ulong z, int d, double invNorm, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(m); args.Add(y); args.Add(z); args.Add(d); args.Add(invNorm);
        launcher.Launch(LaunchShape.Pick(InitKernels, version, "ns_init_fwd"), LaunchShape.GridFor((long)d * d), new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary><c>T = (3I - ZY) / 2</c>.</summary>
    public static void HalfThreeMinus(IKernelLauncher launcher, ulong zy, ulong t, int d, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(zy); args.Add(t); args.Add(d);
        launcher.Launch(LaunchShape.Pick(TKernels, version, "ns_t_fwd"), LaunchShape.GridFor((long)d * d), new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary><c>result[0] = tr(A)</c> (one block).</summary>
    public static void Trace(IKernelLauncher launcher, ulong a, int d, ulong result, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(a); args.Add(result); args.Add(d);
        launcher.Launch(LaunchShape.Pick(TraceKernels, version, "trace_f64_fwd"), new Dim3(1), LaunchShape.ReductionBlock(d), 0, ref args);
    }
}
