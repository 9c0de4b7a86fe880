using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Cpu;

// Placeholder until the im2col + packed-GEMM version lands: the reference.
public static class Conv2d
{
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, bool accumulate) => ConvReference.Forward(g, x, w, bias, y, accumulate);
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> w, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate) => ConvReference.BackwardInput(g, w, dy, dx, accumulate);
    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, bool accumulate) => ConvReference.BackwardWeight(g, x, dy, dw, accumulate);
    public static void BackwardBias(in ConvGeometry g, ReadOnlySpan<float> dy, Span<float> db, bool accumulate) => ConvReference.BackwardBias(g, dy, db, accumulate);
}
