// Launcher for kernels/cu/reflection_pad.cu. Versions: v1 (default): forward one thread per output,
// backward one thread per input gathering its (at most 3x3) sources. Tested: Cuda/EmulatorReflectionPadTests.cs.
namespace Opacity.Kernels.Cuda;

public static class ReflectionPadCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] Fwd = LaunchShape.Table("reflection_pad", "reflection_pad_fwd", VersionCount);
    private static readonly KernelId[] Bwd = LaunchShape.Table("reflection_pad", "reflection_pad_bwd", VersionCount);

    public static void Forward(IKernelLauncher launcher, ulong x, ulong y, int planes, int h, int w, int top, int bottom,
        int left, int right, int version = DefaultVersion)
    {
        Check(h, w, top, bottom, left, right);
        var args = new KernelArgs();
        args.Add(x); args.Add(y); args.Add(planes); args.Add(h); args.Add(w);
        args.Add(top); args.Add(bottom); args.Add(left); args.Add(right);
        long outputs = (long)planes * (h + top + bottom) * (w + left + right);
        launcher.Launch(LaunchShape.Pick(Fwd, version, "reflection_pad_fwd"), LaunchShape.GridFor(outputs),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    public static void Backward(IKernelLauncher launcher, ulong dy, ulong dx, int planes, int h, int w, int top, int bottom,
        int left, int right, bool accumulate, int version = DefaultVersion)
    {
        Check(h, w, top, bottom, left, right);
        var args = new KernelArgs();
        args.Add(dy); args.Add(dx); args.Add(planes); args.Add(h); args.Add(w);
        args.Add(top); args.Add(bottom); args.Add(left); args.Add(right); args.Add(accumulate);
        launcher.Launch(LaunchShape.Pick(Bwd, version, "reflection_pad_bwd"), LaunchShape.GridFor((long)planes * h * w),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    private static void Check(int h, int w, int top, int bottom, int left, int right)
    {
        if (top < 0 || bottom < 0 || top >= h || bottom >= h || left < 0 || right < 0 || left >= w || right >= w)
            throw new ArgumentException($"reflection pads (top {top}, bottom {bottom}, left {left}, right {right}) must be in [0, side) for a {h} x {w} plane.");
    }
}
