// Launcher for kernels/cu/upsample.cu (nearest-neighbour, integer factor). Versions: v1 (default).
// Tested: Cuda/EmulatorUpsampleConcatTests.cs vs UpsampleReference.
namespace Opacity.Kernels.Cuda;

public static class UpsampleCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] Fwd = LaunchShape.Table("upsample", "upsample_nearest_fwd", VersionCount);
    private static readonly KernelId[] Bwd = LaunchShape.Table("upsample", "upsample_nearest_bwd", VersionCount);

    public static void NearestForward(IKernelLauncher launcher, ulong x, ulong y, int planes, int h, int w, int scale,
        int version = DefaultVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var args = new KernelArgs();
        args.Add(x); args.Add(y); args.Add(planes); args.Add(h); args.Add(w); args.Add(scale);
        launcher.Launch(LaunchShape.Pick(Fwd, version, "upsample_nearest_fwd"), LaunchShape.GridFor((long)planes * h * w * scale * scale),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    public static void NearestBackward(IKernelLauncher launcher, ulong dy, ulong dx, int planes, int h, int w, int scale, bool accumulate,
        int version = DefaultVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var args = new KernelArgs();
        args.Add(dy); args.Add(dx); args.Add(planes); args.Add(h); args.Add(w); args.Add(scale); args.Add(accumulate);
        launcher.Launch(LaunchShape.Pick(Bwd, version, "upsample_nearest_bwd"), LaunchShape.GridFor((long)planes * h * w),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }
}
