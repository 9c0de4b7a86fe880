// Launcher for kernels/cu/elementwise.cu: add, mul, scale (+ backward) and relu, leaky relu, tanh, sigmoid
// (forward + accumulating backward). Versions: v1 (default) = one thread per element, grid-stride.
// Tested: Cuda/EmulatorElementwiseTests.cs vs ElementwiseReference.
namespace Opacity.Kernels.Cuda;

public static class ElementwiseCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private const string Module = "elementwise";
    private static readonly KernelId[] AddFwd = LaunchShape.Table(Module, "add_fwd", VersionCount);
    private static readonly KernelId[] MulFwd = LaunchShape.Table(Module, "mul_fwd", VersionCount);
    private static readonly KernelId[] MulBwd = LaunchShape.Table(Module, "mul_bwd", VersionCount);
    private static readonly KernelId[] ScaleFwd = LaunchShape.Table(Module, "scale_fwd", VersionCount);
    private static readonly KernelId[] ScaleBwd = LaunchShape.Table(Module, "scale_bwd", VersionCount);
    private static readonly KernelId[] ReluFwd = LaunchShape.Table(Module, "relu_fwd", VersionCount);
    private static readonly KernelId[] ReluBwd = LaunchShape.Table(Module, "relu_bwd", VersionCount);
    private static readonly KernelId[] LeakyFwd = LaunchShape.Table(Module, "leaky_relu_fwd", VersionCount);
    private static readonly KernelId[] LeakyBwd = LaunchShape.Table(Module, "leaky_relu_bwd", VersionCount);
    private static readonly KernelId[] TanhFwd = LaunchShape.Table(Module, "tanh_fwd", VersionCount);
    private static readonly KernelId[] TanhBwd = LaunchShape.Table(Module, "tanh_bwd", VersionCount);
    private static readonly KernelId[] SigmoidFwd = LaunchShape.Table(Module, "sigmoid_fwd", VersionCount);
    private static readonly KernelId[] SigmoidBwd = LaunchShape.Table(Module, "sigmoid_bwd", VersionCount);

    /// <summary><c>y = a + b</c></summary>
    public static void Add(IKernelLauncher l, ulong a, ulong b, ulong y, int count, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(a); args.Add(b); args.Add(y); args.Add(count);
        Run(l, AddFwd, version, count, ref args);
    }

    /// <summary><c>y = a * b</c></summary>
    public static void Multiply(IKernelLauncher l, ulong a, ulong b, ulong y, int count, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(a); args.Add(b); args.Add(y); args.Add(count);
        Run(l, MulFwd, version, count, ref args);
    }

    /// <summary><c>da = dy*b</c>, <c>db = dy*a</c> (0 = skip), accumulating per G3.</summary>
    public static void MultiplyBackward(IKernelLauncher l, ulong a, ulong b, ulong dy, ulong da, ulong db, int count,
        bool accumulateA, bool accumulateB, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(a); args.Add(b); args.Add(dy); args.Add(da); args.Add(db); args.Add(count);
        args.Add(accumulateA); args.Add(accumulateB);
        Run(l, MulBwd, version, count, ref args);
    }

    /// <summary><c>y = alpha * x</c></summary>
    public static void Scale(IKernelLauncher l, ulong x, float alpha, ulong y, int count, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(alpha); args.Add(y); args.Add(count);
        Run(l, ScaleFwd, version, count, ref args);
    }

    /// <summary><c>dx = (accumulate ? dx : 0) + alpha*dy</c> (alpha = 1: backward of Add).</summary>
    public static void ScaleBackward(IKernelLauncher l, ulong dy, float alpha, ulong dx, int count, bool accumulate,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(dy); args.Add(alpha); args.Add(dx); args.Add(count); args.Add(accumulate);
        Run(l, ScaleBwd, version, count, ref args);
    }

    public static void ReluForward(IKernelLauncher l, ulong x, ulong y, int count, int version = DefaultVersion)
        => Unary(l, ReluFwd, version, x, y, count);

    public static void ReluBackward(IKernelLauncher l, ulong x, ulong dy, ulong dx, int count, bool accumulate,
        int version = DefaultVersion) => UnaryBackward(l, ReluBwd, version, x, dy, dx, count, accumulate);

    public static void LeakyReluForward(IKernelLauncher l, ulong x, float slope, ulong y, int count, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(slope); args.Add(y); args.Add(count);
        Run(l, LeakyFwd, version, count, ref args);
    }

    public static void LeakyReluBackward(IKernelLauncher l, ulong x, ulong dy, float slope, ulong dx, int count, bool accumulate,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(dy); args.Add(slope); args.Add(dx); args.Add(count); args.Add(accumulate);
        Run(l, LeakyBwd, version, count, ref args);
    }

    public static void TanhForward(IKernelLauncher l, ulong x, ulong y, int count, int version = DefaultVersion)
        => Unary(l, TanhFwd, version, x, y, count);

    /// <summary>From the forward output y: <c>dx += dy*(1 - y²)</c>.</summary>
    public static void TanhBackward(IKernelLauncher l, ulong y, ulong dy, ulong dx, int count, bool accumulate,
        int version = DefaultVersion) => UnaryBackward(l, TanhBwd, version, y, dy, dx, count, accumulate);

    public static void SigmoidForward(IKernelLauncher l, ulong x, ulong y, int count, int version = DefaultVersion)
        => Unary(l, SigmoidFwd, version, x, y, count);

    /// <summary>From the forward output y: <c>dx += dy*y*(1 - y)</c>.</summary>
    public static void SigmoidBackward(IKernelLauncher l, ulong y, ulong dy, ulong dx, int count, bool accumulate,
        int version = DefaultVersion) => UnaryBackward(l, SigmoidBwd, version, y, dy, dx, count, accumulate);

    private static void Unary(IKernelLauncher l, KernelId[] table, int version, ulong x, ulong y, int count)
    {
        var args = new KernelArgs();
        args.Add(x); args.Add(y); args.Add(count);
        Run(l, table, version, count, ref args);
    }

    private static void UnaryBackward(IKernelLauncher l, KernelId[] table, int version, ulong saved, ulong dy, ulong dx,
        int count, bool accumulate)
    {
        var args = new KernelArgs();
        args.Add(saved); args.Add(dy); args.Add(dx); args.Add(count); args.Add(accumulate);
        Run(l, table, version, count, ref args);
    }

    private static void Run(IKernelLauncher l, KernelId[] table, int version, int count, ref KernelArgs args)
        => l.Launch(LaunchShape.Pick(table, version, table[1].Name), LaunchShape.GridFor(count), new Dim3(LaunchShape.BlockSize), 0, ref args);
}
