// Launcher for kernels/cu/kid.cu: the cubic polynomial kernel over a Gram matrix (in place) and the
// off-diagonal sum for the unbiased MMD² (FID_KID.md §8.4), float64. Gram matrices come from DGEMM.
// Versions: v1 (default). Tested: Cuda/EmulatorKidTests.cs vs KidReference.
namespace Opacity.Kernels.Cuda;

public static class KidCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] PolyKernels = LaunchShape.Table("kid", "kid_poly_fwd", VersionCount);
    private static readonly KernelId[] OffDiagKernels = LaunchShape.Table("kid", "kid_offdiag_sum_fwd", VersionCount);

    /// <summary>In place: <c>g = (gamma*g + coef0)^3</c> over <paramref name="count"/> doubles.</summary>
    public static void PolynomialKernel(IKernelLauncher launcher, ulong g, int count, double gamma, double coef0, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(g); args.Add(count); args.Add(gamma); args.Add(coef0);
        launcher.Launch(LaunchShape.Pick(PolyKernels, version, "kid_poly_fwd"), LaunchShape.GridFor(count), new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary><c>result[0] = Σ_{i≠j} K[i,j]</c> of an m x m matrix; <paramref name="partials"/> holds
    /// <see cref="ReduceCuda.PartialCount"/>(m*m) doubles.</summary>
    public static void OffDiagonalSum(IKernelLauncher launcher, ulong k, int m, ulong partials, ulong result, int version = DefaultVersion)
    {
        int blocks = ReduceCuda.PartialCount((long)m * m);
        var args = new KernelArgs();
        args.Add(k); args.Add(partials); args.Add(m);
        launcher.Launch(LaunchShape.Pick(OffDiagKernels, version, "kid_offdiag_sum_fwd"), new Dim3((uint)blocks), new Dim3(LaunchShape.BlockSize), 0, ref args);
        ReduceCuda.ReducePartialsF64(launcher, partials, blocks, result, version);
    }
}
