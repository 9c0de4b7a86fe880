// Launcher for kernels/cu/concat.cu: channel concat of two NCHW tensors and its backward, both as
// channel-slice copies. Versions: v1 (default). Tested: Cuda/EmulatorUpsampleConcatTests.cs vs ConcatReference.
namespace Opacity.Kernels.Cuda;

public static class ConcatCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] Copy = LaunchShape.Table("concat", "channel_copy_fwd", VersionCount);

    /// <summary><c>y = [a, b]</c> along channels (a: N x ca x hw, b: N x cb x hw).</summary>
    public static void ChannelsForward(IKernelLauncher launcher, ulong a, ulong b, ulong y, int n, int ca, int cb, int hw,
        int version = DefaultVersion)
    {
        ChannelCopy(launcher, a, y, n, hw, ca, 0, ca + cb, 0, ca, false, version);
        ChannelCopy(launcher, b, y, n, hw, cb, 0, ca + cb, ca, cb, false, version);
    }

    /// <summary>da, db (0 = skip) from dy, accumulating per G3.</summary>
    public static void ChannelsBackward(IKernelLauncher launcher, ulong dy, ulong da, ulong db, int n, int ca, int cb, int hw,
        bool accumulateA, bool accumulateB, int version = DefaultVersion)
    {
        if (da != 0) ChannelCopy(launcher, dy, da, n, hw, ca + cb, 0, ca, 0, ca, accumulateA, version);
        if (db != 0) ChannelCopy(launcher, dy, db, n, hw, ca + cb, ca, cb, 0, cb, accumulateB, version);
    }

    /// <summary><c>dst[n, dstOffset + k] = (accumulate ? dst : 0) + src[n, srcOffset + k]</c> for k &lt; count.</summary>
    public static void ChannelCopy(IKernelLauncher launcher, ulong src, ulong dst, int n, int hw, int srcChannels, int srcOffset,
        int dstChannels, int dstOffset, int count, bool accumulate, int version = DefaultVersion)
    {
        if (srcOffset < 0 || dstOffset < 0 || srcOffset + count > srcChannels || dstOffset + count > dstChannels)
            throw new ArgumentException($"channel copy of {count} channels from offset {srcOffset} of {srcChannels} to offset {dstOffset} of {dstChannels} is out of range.");
        var args = new KernelArgs();
        args.Add(src); args.Add(dst); args.Add(n); args.Add(hw); args.Add(srcChannels); args.Add(srcOffset);
        args.Add(dstChannels); args.Add(dstOffset); args.Add(count); args.Add(accumulate);
        launcher.Launch(LaunchShape.Pick(Copy, version, "channel_copy_fwd"), LaunchShape.GridFor((long)n * count * hw),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }
}
