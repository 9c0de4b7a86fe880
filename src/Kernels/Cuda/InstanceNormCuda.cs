// Launcher for kernels/cu/instance_norm.cu. Versions: v1 (default): forward one block per (n, c) plane,
// backward one block per channel looping over n (deterministic dgamma/dbeta). Block = multiple of 32
// sized to the plane (32..256). Tested: Cuda/EmulatorInstanceNormTests.cs vs InstanceNormReference.
namespace Opacity.Kernels.Cuda;

public static class InstanceNormCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] Fwd = LaunchShape.Table("instance_norm", "instance_norm_fwd", VersionCount);
    private static readonly KernelId[] Bwd = LaunchShape.Table("instance_norm", "instance_norm_bwd", VersionCount);

    /// <summary>y = gamma*(x-mean)*rstd + beta per plane (gamma/beta 0 = no affine); saves mean, rstd (N*C).</summary>
    public static void Forward(IKernelLauncher launcher, ulong x, ulong gamma, ulong beta, ulong y, ulong mean, ulong rstd,
        int n, int c, int hw, float eps, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(gamma); args.Add(beta); args.Add(y); args.Add(mean); args.Add(rstd);
        args.Add(c); args.Add(hw); args.Add(eps);
        launcher.Launch(LaunchShape.Pick(Fwd, version, "instance_norm_fwd"), new Dim3(checked((uint)(n * c))),
            LaunchShape.ReductionBlock(hw), 0, ref args);
    }

    /// <summary>dx (0 = skip), dgamma/dbeta (C each, 0 = skip) from the saved mean/rstd; accumulating per G3.</summary>
    public static void Backward(IKernelLauncher launcher, ulong x, ulong gamma, ulong mean, ulong rstd, ulong dy, ulong dx,
        ulong dgamma, ulong dbeta, int n, int c, int hw, bool accumulateDx, bool accumulateParams, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(gamma); args.Add(mean); args.Add(rstd); args.Add(dy); args.Add(dx); args.Add(dgamma); args.Add(dbeta);
        args.Add(n); args.Add(c); args.Add(hw); args.Add(accumulateDx); args.Add(accumulateParams);
        launcher.Launch(LaunchShape.Pick(Bwd, version, "instance_norm_bwd"), new Dim3((uint)c), LaunchShape.ReductionBlock(hw), 0, ref args);
    }
}
