// Launcher for kernels/cu/mask_blend.cu (activation-mask blend y = m*g + (1-m)*x, fused backward).
// Versions: fwd v1 (default) = one thread per element, grid-stride; fwd v2 = 4 elements per thread with
// 16-byte vector loads (scalar fallback when unaligned), not promoted: no GPU timing yet (G6/G7);
// bwd v1 (default) = one thread per mask element looping over its channel group.
// Tested: Cuda/EmulatorMaskBlendTests.cs (emulator) and CudaDeviceTests.cs (GPU) vs MaskBlendReference.
namespace Opacity.Kernels.Cuda;

public static class MaskBlendCuda
{
    public const int DefaultVersion = 1;
    public const int ForwardVersionCount = 2;
    public const int BackwardVersionCount = 1;
    private static readonly KernelId[] Fwd = LaunchShape.Table("mask_blend", "mask_blend_fwd", ForwardVersionCount);
    private static readonly KernelId[] Bwd = LaunchShape.Table("mask_blend", "mask_blend_bwd", BackwardVersionCount);

    /// <summary><c>y = m*g + (1-m)*x</c>; g, x, y: N x C x HW, m: N x maskChannels x HW (1 or C).</summary>
    public static void Forward(IKernelLauncher launcher, ulong m, ulong g, ulong x, ulong y, int n, int c, int maskChannels,
        int hw, int version = DefaultVersion)
    {
        CheckShape(c, maskChannels);
        var args = new KernelArgs();
        args.Add(m); args.Add(g); args.Add(x); args.Add(y);
        args.Add(n); args.Add(c); args.Add(maskChannels); args.Add(hw);
        long total = (long)n * c * hw;
        long threads = version == 2 ? (total + 3) / 4 : total;   // v2: one thread per 4 elements
        launcher.Launch(LaunchShape.Pick(Fwd, version, "mask_blend_fwd"), LaunchShape.GridFor(threads),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary>dm, dg, dx in one pass (0 = skip that gradient); <c>d = (accumulate ? d : 0) + local</c>.</summary>
    public static void Backward(IKernelLauncher launcher, ulong m, ulong g, ulong x, ulong dy, ulong dm, ulong dg, ulong dx,
        int n, int c, int maskChannels, int hw, bool accumulateDm, bool accumulateDg, bool accumulateDx,
        int version = DefaultVersion)
    {
        CheckShape(c, maskChannels);
        var args = new KernelArgs();
        args.Add(m); args.Add(g); args.Add(x); args.Add(dy); args.Add(dm); args.Add(dg); args.Add(dx);
        args.Add(n); args.Add(c); args.Add(maskChannels); args.Add(hw);
        args.Add(accumulateDm); args.Add(accumulateDg); args.Add(accumulateDx);
        launcher.Launch(LaunchShape.Pick(Bwd, version, "mask_blend_bwd"), LaunchShape.GridFor((long)n * maskChannels * hw),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    private static void CheckShape(int c, int maskChannels)
    {
        if (maskChannels != 1 && maskChannels != c)
            throw new ArgumentException($"maskChannels is {maskChannels}; it must be 1 or the image channel count {c}.", nameof(maskChannels));
    }
}
