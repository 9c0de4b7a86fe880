// BenchmarkDotNet suite over the CUDA kernels at the launcher level, one case per kernel and version:
// each invocation enqueues K = 32 launches on the context's stream and synchronises once, so the
// mean is the per-launch device time plus launch overhead / K. The Rate column is GB/s (bytes the
// kernel must read and write) or GFLOP/s (2 per multiply-add). Without a CUDA device the setup prints
// "no CUDA device: <reason>" once and every benchmark does nothing (a ~0 ns row, not a measurement).
// Run on a GPU: scripts/publish-gpu.sh then scripts/gpu-check.sh on the device, or
//   dotnet run -c Release --project bench/Opacity.Bench -- --filter '*Cuda*' --job short --inProcess
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Bench.Cuda;

[Config(typeof(CudaBenchConfig))]
public class CudaKernelBench
{
    public const int Launches = 32;
    private const int N = 1 << 22, Hw = 256, Mm = 2048;
    private static HardwareContext? _context;
    private static string _reason = "";
    private static bool _opened;
    private readonly List<DeviceBlock> _blocks = [];
    private Action _launch = () => { };

    /// <summary>Every case; $OPACITY_BENCH_KERNELS (comma-separated prefixes, e.g. "max_pool,resize_bwd") keeps a subset, so a
    /// short device call can time just the kernels that changed.</summary>
    public static IEnumerable<string> Kernels()
    {
        string[] all = ["add_fwd_v1", "binary_fwd_v1", "binary_fwd_v2", "binary_same_v1", "binary_same_v2", "unary_fwd_v1", "reduce_to_fwd_v1",
            "reduce_to_fwd_v2", "softmax_fwd_v1", "softmax_fwd_v2", "norm_stats_fwd_v1", "norm_stats_fwd_v2", "norm_apply_fwd_v1",
            "norm_apply_fwd_v2", "mask_blend_fwd_v1", "mask_blend_fwd_v2", "pad_fwd_v1", "pad_bwd_v1", "pad_bwd_v2", "resize_fwd_v1", "resize_bwd_v1", "resize_bwd_v2",
            "max_pool_bwd_v1", "max_pool_bwd_v2", "conv_fwd_v1", "conv_fwd_cudnn",
            "gemm_fwd_v1", "cublas_sgemm", "adam_update_v1", "memcpy_dtod"];
        string[] keep = (Environment.GetEnvironmentVariable("OPACITY_BENCH_KERNELS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return keep.Length == 0 ? all : all.Where(k => keep.Any(p => k.StartsWith(p, StringComparison.Ordinal)));
    }

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = "add_fwd_v1";

    /// <summary>False when no device opened: the Rate column then says so instead of dividing by an empty loop.
    /// Meaningful with --inProcess (the GPU command line); out of process the column shows "-".</summary>
    internal static bool DeviceAvailable => _context is not null;

    [GlobalSetup]
    public void Setup()
    {
        if (!_opened) { _context = HardwareContext.TryOpen(out _reason); _opened = true; if (_context is null) Console.WriteLine($"no CUDA device: {_reason}"); }
        if (_context is not { } c) return;
        IKernelLauncher l = c.Launcher;
        ulong a = Block(N), b = Block(N), y = Block(N), m = Block(N), v = Block(N);
        int planes = N / (Hw * Hw);
        _launch = Kernel switch
        {
            "add_fwd_v1" => () => ElementwiseCuda.Add(l, a, b, y, N),
            // a per-plane scale (y[p, i] = a[p, i] * b[p]) as in a norm or a bias, and a same-shape add
            "binary_fwd_v1" or "binary_fwd_v2" => () => BroadcastCuda.Binary(l, 2, a, [Hw * Hw, 1], b, [1, 0], y, [planes, Hw * Hw], Version),
            "binary_same_v1" or "binary_same_v2" => () => BroadcastCuda.Binary(l, 0, a, [1], b, [1], y, [N], Version),
            "unary_fwd_v1" => () => BroadcastCuda.Unary(l, 1, a, y, N, 0, 0),
            "reduce_to_fwd_v1" or "reduce_to_fwd_v2" => () => BroadcastCuda.ReduceTo(l, a, [N / 256, 256], y, [1, 0], accumulate: false, Version),
            "softmax_fwd_v1" or "softmax_fwd_v2" => () => SpatialCuda.Softmax(l, false, a, N / 64, 64, 1, y, Version),
            "norm_stats_fwd_v1" or "norm_stats_fwd_v2" => () => SpatialCuda.NormStatistics(l, a, 1, planes, Hw * Hw, true, 1e-5f, m, v, Version),
            "norm_apply_fwd_v1" or "norm_apply_fwd_v2" => () => SpatialCuda.NormApply(l, a, 1, planes, Hw * Hw, true, m, v, 0, 0, y, Version),
            "mask_blend_fwd_v1" or "mask_blend_fwd_v2" => () => MaskBlendCuda.Forward(l, m, a, b, y, 1, planes, 1, Hw * Hw, Version),
            "pad_fwd_v1" => () => SpatialCuda.Pad(l, true, a, planes, Hw - 6, Hw - 6, 3, 3, 3, 3, y),
            "pad_bwd_v1" or "pad_bwd_v2" => () => SpatialCuda.PadBackward(l, true, a, planes, Hw - 6, Hw - 6, 3, 3, 3, 3, y, false, Version),
            "resize_fwd_v1" => () => SpatialCuda.Resize(l, true, a, planes, Hw / 2, Hw / 2, Hw, Hw, y),
            "resize_bwd_v1" or "resize_bwd_v2" => () => SpatialCuda.ResizeBackward(l, true, a, planes, Hw / 2, Hw / 2, Hw, Hw, y, false, Version),
            // the U-Net's 2 x 2 pool over planes of Hw x Hw: dy (b) and argmax (m, filled by the forward below) of N / 4
            "max_pool_bwd_v1" or "max_pool_bwd_v2" => () => SpatialCuda.MaxPoolBackward(l, b, m, planes, Hw, Hw, 2, 2, 0, y, false, Version),
            "conv_fwd_v1" => () => DenseCuda.ConvForward(l, Conv, a, b, 0, y, false),
            "conv_fwd_cudnn" when c.Dnn is { } dnn => () => dnn.Forward(Conv, a, b, y, false),
            "conv_fwd_cudnn" => () => Console.WriteLine($"cuDNN unavailable: {c.DnnStatus}"),
            "gemm_fwd_v1" => () => DenseCuda.Gemm(l, false, false, Mm, Mm, Mm, a, b, y, false),
            "cublas_sgemm" when c.Blas is { } blas => () => blas.Sgemm(false, false, Mm, Mm, Mm, 1f, a, b, 0f, y),
            "cublas_sgemm" => () => Console.WriteLine($"cuBLAS unavailable: {c.BlasUnavailableReason}"),
            "adam_update_v1" => () => AdamCuda.Step(l, a, b, m, v, N, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f),
            "memcpy_dtod" => () => c.CopyOnDevice(y, a, 4L * N),
            _ => throw new ArgumentException($"unknown kernel {Kernel}"),
        };
        if (Kernel == "conv_fwd_cudnn" && c.Dnn is { } d)
        {
            var (algorithm, bytes) = d.ForwardChoice(Conv);
            Console.WriteLine($"cudnn forward choice for {Conv}: algorithm {algorithm}, workspace {bytes} B");
        }
        c.Memset32(a, 0x3f800000, N);
        c.Memset32(b, 0x3f000000, N);
        c.Memset32(m, 0, N);
        c.Memset32(v, 0, N);
        // argmax of an all-ones input: every window's first pixel, valid indices for the backward
        if (Kernel.StartsWith("max_pool_bwd", StringComparison.Ordinal)) SpatialCuda.MaxPool(l, a, planes, Hw, Hw, 2, 2, 0, v, m);
        c.Synchronize();
    }

    /// <summary>The kernel version named by the case's suffix (_v1, _v2); 0 for cases without one.</summary>
    private int Version => Kernel[^3..^1] == "_v" ? Kernel[^1] - '0' : 0;

    private static readonly ConvGeometry Conv = new(1, 64, 64, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1);

    [Benchmark(OperationsPerInvoke = Launches)]
    public void LaunchK()
    {
        if (_context is null) return;
        for (int i = 0; i < Launches; i++) _launch();
        _context.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context?.Synchronize();
        foreach (DeviceBlock block in _blocks) block.Dispose();
        _blocks.Clear();
    }

    private ulong Block(int floats)
    {
        DeviceBlock block = _context!.Allocator.Allocate(4L * floats);
        _blocks.Add(block);
        return block.Pointer;
    }

    /// <summary>Bytes (GB/s) or flops (GFLOP/s) of one launch.</summary>
    internal static (double Work, string Unit) WorkOf(string kernel) => kernel switch
    {
        "add_fwd_v1" or "binary_same_v1" or "binary_same_v2" or "mask_blend_fwd_v1" or "mask_blend_fwd_v2" => (12.0 * N, "GB/s"),
        "binary_fwd_v1" or "binary_fwd_v2" => (8.0 * N, "GB/s"),
        "unary_fwd_v1" or "softmax_fwd_v1" or "softmax_fwd_v2" or "pad_fwd_v1" or "pad_bwd_v1" or "pad_bwd_v2" or "memcpy_dtod" or "norm_apply_fwd_v1" or "norm_apply_fwd_v2" => (8.0 * N, "GB/s"),
        "reduce_to_fwd_v1" or "reduce_to_fwd_v2" or "norm_stats_fwd_v1" or "norm_stats_fwd_v2" => (4.0 * N, "GB/s"),
        "resize_fwd_v1" or "resize_bwd_v1" or "resize_bwd_v2" => (5.0 * N, "GB/s"),
        // dx written (4N), dy and argmax read (N / 4 each, 4 bytes): what a gather must move; v1 also clears dx first
        "max_pool_bwd_v1" or "max_pool_bwd_v2" => (6.0 * N, "GB/s"),
        "adam_update_v1" => (28.0 * N, "GB/s"),
        "conv_fwd_v1" or "conv_fwd_cudnn" => (2.0 * 64 * 64 * 9 * 64 * 64, "GFLOP/s"),
        _ => (2.0 * Mm * Mm * Mm, "GFLOP/s"),
    };

    private sealed class CudaBenchConfig : ManualConfig
    {
        public CudaBenchConfig() => AddColumn(new RateColumn(c => DeviceAvailable ? WorkOf((string)c.Parameters["Kernel"]) : (0, "no CUDA device")));
    }
}
