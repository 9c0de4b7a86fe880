// Launcher for kernels/cu/dense.cu: row-major SGEMM (hand kernel; cuBLAS is CublasHandle.Sgemm) and
// direct 2-D convolution forward / backward-input / backward-weight / backward-bias.
// Versions: v1 (default) = one thread per output element, double accumulation.
// Tested: Cuda/EmulatorBackendKernelTests.cs vs GemmReference / ConvReference.
using Opacity.Kernels.Cpu;

namespace Opacity.Kernels.Cuda;

public static class DenseCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private const string Module = "dense";
    internal static readonly KernelId[] GemmK = LaunchShape.Table(Module, "gemm_fwd", VersionCount);
    internal static readonly KernelId[] ConvFwd = LaunchShape.Table(Module, "conv_fwd", VersionCount);
    internal static readonly KernelId[] ConvBwdInput = LaunchShape.Table(Module, "conv_input_bwd", VersionCount);
    internal static readonly KernelId[] ConvBwdWeight = LaunchShape.Table(Module, "conv_weight_bwd", VersionCount);
    internal static readonly KernelId[] ConvBwdBias = LaunchShape.Table(Module, "conv_bias_bwd", VersionCount);

    /// <summary>Row-major C[m×n] (+)= op(A)·op(B).</summary>
    public static void Gemm(IKernelLauncher l, bool transA, bool transB, int m, int n, int k, ulong a, ulong b, ulong c, bool accumulate,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(transA); args.Add(transB); args.Add(m); args.Add(n); args.Add(k); args.Add(a); args.Add(b); args.Add(c); args.Add(accumulate);
        Run(l, GemmK, version, (long)m * n, ref args);
    }

    public static void ConvForward(IKernelLauncher l, in ConvGeometry g, ulong x, ulong w, ulong bias, ulong y, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(w); args.Add(bias); args.Add(y); args.Add(accumulate); AddGeometry(ref args, g);
        Run(l, ConvFwd, version, g.YLength, ref args);
    }

    public static void ConvBackwardInput(IKernelLauncher l, in ConvGeometry g, ulong w, ulong dy, ulong dx, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(w); args.Add(dy); args.Add(dx); args.Add(accumulate); AddGeometry(ref args, g);
        Run(l, ConvBwdInput, version, g.XLength, ref args);
    }

    public static void ConvBackwardWeight(IKernelLauncher l, in ConvGeometry g, ulong x, ulong dy, ulong dw, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(dy); args.Add(dw); args.Add(accumulate); AddGeometry(ref args, g);
        Run(l, ConvBwdWeight, version, g.WLength, ref args);
    }

    public static void ConvBackwardBias(IKernelLauncher l, in ConvGeometry g, ulong dy, ulong db, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(dy); args.Add(db); args.Add(accumulate); args.Add(g.Batch); args.Add(g.OutChannels); args.Add(g.OutH * g.OutW);
        Run(l, ConvBwdBias, version, g.OutChannels, ref args);
    }

    private static void AddGeometry(ref KernelArgs args, in ConvGeometry g)
    {
        args.Add(g.Batch); args.Add(g.InChannels); args.Add(g.InH); args.Add(g.InW); args.Add(g.OutChannels); args.Add(g.KernelH); args.Add(g.KernelW);
        args.Add(g.StrideH); args.Add(g.StrideW); args.Add(g.PadH); args.Add(g.PadW); args.Add(g.DilationH); args.Add(g.DilationW);
    }

    private static void Run(IKernelLauncher l, KernelId[] table, int version, long count, ref KernelArgs args)
        => l.Launch(LaunchShape.Pick(table, version, table[1].Name), LaunchShape.GridFor(count), new Dim3(LaunchShape.BlockSize), 0, ref args);
}
