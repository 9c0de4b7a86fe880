// Launcher for kernels/cu/spatial.cu: softmax, pooling, nearest/bilinear resize, zero/reflection pad,
// instance/batch norm statistics, apply and backward. Versions: v1 for all; v2 for the softmax forward
// (one warp per row), the norm statistics (one pass), the norm apply (per-plane grid rows) and the padding,
// resize and max-pool backward (gathers), see the .cu header. With version = ByShape (their default) Softmax takes v2
// when the axis is contiguous (inner = 1), PadBackward when every pad is below its side, ResizeBackward,
// MaxPoolBackward, NormStatistics and NormApply always (bench/results/nvidia-h200/; the resize and max-pool gathers
// are not timed on a GPU yet); v1 stays as the oracle and for the other shapes. Tested: Cuda/EmulatorVersion2Tests.cs (every version vs the CPU kernels) and, through CudaBackend,
// Opacity.Tensor.Tests' DeviceCatalogTests.
namespace Opacity.Kernels.Cuda;

public static class SpatialCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    /// <summary>The version argument that lets Softmax and NormStatistics pick by shape.</summary>
    public const int ByShape = 0;
    public const int SoftmaxVersionCount = 2;
    public const int NormStatsVersionCount = 2;
    public const int NormApplyVersionCount = 2;
    public const int PadBackwardVersionCount = 2;
    public const int ResizeBackwardVersionCount = 2;
    public const int MaxPoolBackwardVersionCount = 2;
    private const string Module = "spatial";
    internal static readonly KernelId[] SoftmaxFwd = LaunchShape.Table(Module, "softmax_fwd", SoftmaxVersionCount);
    internal static readonly KernelId[] SoftmaxBwd = LaunchShape.Table(Module, "softmax_bwd", VersionCount);
    internal static readonly KernelId[] AvgFwd = LaunchShape.Table(Module, "avg_pool_fwd", VersionCount);
    internal static readonly KernelId[] AvgBwd = LaunchShape.Table(Module, "avg_pool_bwd", VersionCount);
    internal static readonly KernelId[] MaxFwd = LaunchShape.Table(Module, "max_pool_fwd", VersionCount);
    internal static readonly KernelId[] MaxBwd = LaunchShape.Table(Module, "max_pool_bwd", MaxPoolBackwardVersionCount);
    internal static readonly KernelId[] ResizeFwd = LaunchShape.Table(Module, "resize_fwd", VersionCount);
    internal static readonly KernelId[] ResizeBwd = LaunchShape.Table(Module, "resize_bwd", ResizeBackwardVersionCount);
    internal static readonly KernelId[] PadFwd = LaunchShape.Table(Module, "pad_fwd", VersionCount);
    internal static readonly KernelId[] PadBwd = LaunchShape.Table(Module, "pad_bwd", PadBackwardVersionCount);
    internal static readonly KernelId[] NormStats = LaunchShape.Table(Module, "norm_stats_fwd", NormStatsVersionCount);
    internal static readonly KernelId[] NormApplyK = LaunchShape.Table(Module, "norm_apply_fwd", NormApplyVersionCount);
    internal static readonly KernelId[] NormSums = LaunchShape.Table(Module, "norm_sums_bwd", VersionCount);
    internal static readonly KernelId[] NormParams = LaunchShape.Table(Module, "norm_params_bwd", VersionCount);
    internal static readonly KernelId[] NormDx = LaunchShape.Table(Module, "norm_dx_bwd", VersionCount);

    public static void Softmax(IKernelLauncher l, bool log, ulong x, int outer, int axis, int inner, ulong y, int version = ByShape)
    {
        var args = new KernelArgs();
        args.Add(log); args.Add(x); args.Add(outer); args.Add(axis); args.Add(inner); args.Add(y);
        if (version == ByShape) version = inner == 1 ? 2 : 1;
        long rows = (long)outer * inner;
        // v2: one warp per row, so 32 threads per row.
        Grid(l, SoftmaxFwd, version, version == 2 ? rows * 32 : rows, ref args);
    }

    public static void SoftmaxBackward(IKernelLauncher l, bool log, ulong y, ulong dy, int outer, int axis, int inner, ulong dx, bool accumulate,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(log); args.Add(y); args.Add(dy); args.Add(outer); args.Add(axis); args.Add(inner); args.Add(dx); args.Add(accumulate);
        Grid(l, SoftmaxBwd, version, (long)outer * inner, ref args);
    }

    private static int Out(int size, int k, int s, int pad) => (size + 2 * pad - k) / s + 1;

    /// <summary>Average pooling, window k, stride s, zero padding <paramref name="pad"/> on every side; the divisor
    /// counts the padding when <paramref name="countIncludePad"/> (PyTorch's default), else only real pixels.</summary>
    public static void AvgPool(IKernelLauncher l, ulong x, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, ulong y,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(planes); args.Add(h); args.Add(w); args.Add(k); args.Add(s); args.Add(pad); args.Add(countIncludePad); args.Add(y);
        Grid(l, AvgFwd, version, (long)planes * Out(h, k, s, pad) * Out(w, k, s, pad), ref args);
    }

    public static void AvgPoolBackward(IKernelLauncher l, ulong dy, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, ulong dx,
        bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(dy); args.Add(planes); args.Add(h); args.Add(w); args.Add(k); args.Add(s); args.Add(pad); args.Add(countIncludePad);
        args.Add(dx); args.Add(accumulate);
        Grid(l, AvgBwd, version, (long)planes * h * w, ref args);
    }

    /// <summary><paramref name="argmax"/> is a device int32 buffer of one index per output; padding acts as -inf.</summary>
    public static void MaxPool(IKernelLauncher l, ulong x, int planes, int h, int w, int k, int s, int pad, ulong y, ulong argmax,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(planes); args.Add(h); args.Add(w); args.Add(k); args.Add(s); args.Add(pad); args.Add(y); args.Add(argmax);
        Grid(l, MaxFwd, version, (long)planes * Out(h, k, s, pad) * Out(w, k, s, pad), ref args);
    }

    /// <summary>dx[argmax[o]] (+)= dy[o] for the pooling geometry of <see cref="MaxPool"/> (its <paramref name="argmax"/>):
    /// v1 scatters one thread per plane, v2 (ByShape's pick) gathers one thread per input pixel, bit-identical to v1.</summary>
    public static void MaxPoolBackward(IKernelLauncher l, ulong dy, ulong argmax, int planes, int h, int w, int k, int s, int pad, ulong dx,
        bool accumulate, int version = ByShape)
    {
        var args = new KernelArgs();
        if (version == ByShape) version = 2;
        args.Add(dy); args.Add(argmax); args.Add(planes);
        if (version == 2) { args.Add(h); args.Add(w); args.Add(k); args.Add(s); args.Add(pad); }
        else { args.Add(Out(h, k, s, pad) * Out(w, k, s, pad)); args.Add(h * w); }
        args.Add(dx); args.Add(accumulate);
        Grid(l, MaxBwd, version, version == 2 ? (long)planes * h * w : planes, ref args);
    }

    public static void Resize(IKernelLauncher l, bool bilinear, ulong x, int planes, int h, int w, int oh, int ow, ulong y, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(bilinear); args.Add(x); args.Add(planes); args.Add(h); args.Add(w); args.Add(oh); args.Add(ow); args.Add(y);
        Grid(l, ResizeFwd, version, (long)planes * oh * ow, ref args);
    }

    public static void ResizeBackward(IKernelLauncher l, bool bilinear, ulong dy, int planes, int h, int w, int oh, int ow, ulong dx, bool accumulate,
        int version = ByShape)
    {
        var args = new KernelArgs();
        args.Add(bilinear); args.Add(dy); args.Add(planes); args.Add(h); args.Add(w); args.Add(oh); args.Add(ow); args.Add(dx); args.Add(accumulate);
        if (version == ByShape) version = 2;
        Grid(l, ResizeBwd, version, version == 2 ? (long)planes * h * w : planes, ref args);
    }

    public static void Pad(IKernelLauncher l, bool reflect, ulong x, int planes, int h, int w, int top, int bottom, int left, int right, ulong y,
        int version = DefaultVersion)
    {
        int oh = h + top + bottom, ow = w + left + right;
        var args = new KernelArgs();
        args.Add(reflect); args.Add(x); args.Add(planes); args.Add(h); args.Add(w); args.Add(top); args.Add(left); args.Add(oh); args.Add(ow); args.Add(y);
        Grid(l, PadFwd, version, (long)planes * oh * ow, ref args);
    }

    public static void PadBackward(IKernelLauncher l, bool reflect, ulong dy, int planes, int h, int w, int top, int bottom, int left, int right, ulong dx,
        bool accumulate, int version = ByShape)
    {
        int oh = h + top + bottom, ow = w + left + right;
        var args = new KernelArgs();
        args.Add(reflect); args.Add(dy); args.Add(planes); args.Add(h); args.Add(w); args.Add(top); args.Add(left); args.Add(oh); args.Add(ow);
        args.Add(dx); args.Add(accumulate);
        bool oneReflection = !reflect || (top < h && bottom < h && left < w && right < w);
        if (version == ByShape) version = oneReflection ? 2 : 1;
        if (version == 2 && !oneReflection)
            throw new ArgumentOutOfRangeException(nameof(version), $"pad_bwd v2 needs every reflection pad below its side (pads {top},{bottom},{left},{right} on {h}x{w}).");
        Grid(l, PadBwd, version, version == 2 ? (long)planes * h * w : planes, ref args);
    }

    public static int Groups(int n, int c, bool perInstance) => perInstance ? n * c : c;

    public static void NormStatistics(IKernelLauncher l, ulong x, int n, int c, int hw, bool perInstance, float eps, ulong mean, ulong rstd,
        int version = ByShape)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(n); args.Add(c); args.Add(hw); args.Add(perInstance); args.Add(eps); args.Add(mean); args.Add(rstd);
        long perGroup = (long)(perInstance ? 1 : n) * hw;
        if (version == ByShape) version = 2;
        // v2 reads each element once, so a group gets up to 1024 threads (~4 elements each) to keep the loads in flight.
        Dim3 block = version == 2 ? LaunchShape.ReductionBlock(perGroup / 4, maxThreads: 1024) : LaunchShape.ReductionBlock(perGroup);
        l.Launch(LaunchShape.Pick(NormStats, version, "norm_stats"), new Dim3((uint)Groups(n, c, perInstance)), block, 0, ref args);
    }

    public static void NormApply(IKernelLauncher l, ulong x, int n, int c, int hw, bool perInstance, ulong mean, ulong rstd, ulong gamma, ulong beta, ulong y,
        int version = ByShape)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(n); args.Add(c); args.Add(hw); args.Add(perInstance); args.Add(mean); args.Add(rstd); args.Add(gamma); args.Add(beta); args.Add(y);
        if (version == ByShape) version = 2;
        if (version != 2) { Grid(l, NormApplyK, version, (long)n * c * hw, ref args); return; }
        l.Launch(NormApplyK[2], LaunchShape.RowsGrid(hw, (long)n * c), new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary>Three launches: per-group sums into <paramref name="sums"/> (device double[2·groups]), then the
    /// parameter gradients per channel, then dx. Pointers of 0 skip dGamma / dBeta / dx.</summary>
    public static void NormBackward(IKernelLauncher l, ulong x, ulong dy, int n, int c, int hw, bool perInstance, bool batchStatistics,
        ulong mean, ulong rstd, ulong gamma, ulong sums, ulong dx, bool accumulateDx, ulong dGamma, bool accumulateDGamma, ulong dBeta, bool accumulateDBeta,
        int version = DefaultVersion)
    {
        var a1 = new KernelArgs();
        a1.Add(x); a1.Add(dy); a1.Add(n); a1.Add(c); a1.Add(hw); a1.Add(perInstance); a1.Add(mean); a1.Add(rstd); a1.Add(sums);
        long perGroup = (long)(perInstance ? 1 : n) * hw;
        l.Launch(LaunchShape.Pick(NormSums, version, "norm_sums"), new Dim3((uint)Groups(n, c, perInstance)), LaunchShape.ReductionBlock(perGroup), 0, ref a1);
        if (dGamma != 0 || dBeta != 0)
        {
            var a2 = new KernelArgs();
            a2.Add(sums); a2.Add(n); a2.Add(c); a2.Add(perInstance); a2.Add(dGamma); a2.Add(accumulateDGamma); a2.Add(dBeta); a2.Add(accumulateDBeta);
            Grid(l, NormParams, version, c, ref a2);
        }
        if (dx == 0) return;
        var a3 = new KernelArgs();
        a3.Add(x); a3.Add(dy); a3.Add(n); a3.Add(c); a3.Add(hw); a3.Add(perInstance); a3.Add(batchStatistics); a3.Add(mean); a3.Add(rstd); a3.Add(gamma);
        a3.Add(sums); a3.Add(dx); a3.Add(accumulateDx);
        Grid(l, NormDx, version, (long)n * c * hw, ref a3);
    }

    private static void Grid(IKernelLauncher l, KernelId[] table, int version, long count, ref KernelArgs args)
        => l.Launch(LaunchShape.Pick(table, version, table[1].Name), LaunchShape.GridFor(count), new Dim3(LaunchShape.BlockSize), 0, ref args);
}
