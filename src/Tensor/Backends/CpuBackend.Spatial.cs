// CPU dispatch for the spatial ops: convolution, padding, normalisation, pooling, upsampling, softmax, block copies.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Tensors.Backends;

internal sealed partial class CpuBackend
{
    private static ReadOnlySpan<float> OrEmpty(Tensor? t) => t is null ? [] : t.AsSpan();
    private static ReadOnlySpan<double> OrEmpty64(Tensor? t) => t is null ? [] : t.AsSpanF64();
    private static Span<float> OrEmptyW(Tensor? t) => t is null ? [] : t.AsSpan();
    private static Span<double> OrEmptyW64(Tensor? t) => t is null ? [] : t.AsSpanF64();

    public override void Conv2dForward(in ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y, bool accumulate)
    {
        if (y.DType == DType.F32) Conv2d.Forward(g, x.AsSpan(), w.AsSpan(), OrEmpty(bias), y.AsSpan(), accumulate);
        else ConvReference.Forward(g, x.AsSpanF64(), w.AsSpanF64(), OrEmpty64(bias), y.AsSpanF64(), accumulate);
    }

    public override void Conv2dBackwardInput(in ConvGeometry g, Tensor w, Tensor dy, Tensor dx, bool accumulate)
    {
        if (dx.DType == DType.F32) Conv2d.BackwardInput(g, w.AsSpan(), dy.AsSpan(), dx.AsSpan(), accumulate);
        else ConvReference.BackwardInput(g, w.AsSpanF64(), dy.AsSpanF64(), dx.AsSpanF64(), accumulate);
    }

    public override void Conv2dBackwardWeight(in ConvGeometry g, Tensor x, Tensor dy, Tensor dw, bool accumulate)
    {
        if (dw.DType == DType.F32) Conv2d.BackwardWeight(g, x.AsSpan(), dy.AsSpan(), dw.AsSpan(), accumulate);
        else ConvReference.BackwardWeight(g, x.AsSpanF64(), dy.AsSpanF64(), dw.AsSpanF64(), accumulate);
    }

    public override void Conv2dBackwardBias(in ConvGeometry g, Tensor dy, Tensor db, bool accumulate)
    {
        if (db.DType == DType.F32) Conv2d.BackwardBias(g, dy.AsSpan(), db.AsSpan(), accumulate);
        else ConvReference.BackwardBias(g, dy.AsSpanF64(), db.AsSpanF64(), accumulate);
    }

    private static (int Planes, int H, int W) Planes(Tensor t) => (t.Numel / (t.Shape[-2] * t.Shape[-1]), t.Shape[-2], t.Shape[-1]);

    public override void Pad2d(PadMode mode, Tensor x, int top, int bottom, int left, int right, Tensor y)
    {
        var (p, h, w) = Planes(x);
        if (x.DType == DType.F32) Padding2d.Forward(mode, x.AsSpan(), p, h, w, top, bottom, left, right, y.AsSpan());
        else Padding2d.Forward(mode, x.AsSpanF64(), p, h, w, top, bottom, left, right, y.AsSpanF64());
    }

    public override void Pad2dBackward(PadMode mode, Tensor dy, int top, int bottom, int left, int right, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        if (dx.DType == DType.F32) Padding2d.Backward(mode, dy.AsSpan(), p, h, w, top, bottom, left, right, dx.AsSpan(), accumulate);
        else Padding2d.Backward(mode, dy.AsSpanF64(), p, h, w, top, bottom, left, right, dx.AsSpanF64(), accumulate);
    }

    public override void NormStatistics(Tensor x, bool perInstance, double eps, Tensor mean, Tensor rstd)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        if (x.DType == DType.F32) Normalization.Statistics(x.AsSpan(), n, c, hw, perInstance, eps, mean.AsSpan(), rstd.AsSpan());
        else Normalization.Statistics(x.AsSpanF64(), n, c, hw, perInstance, eps, mean.AsSpanF64(), rstd.AsSpanF64());
    }

    public override void NormApply(Tensor x, bool perInstance, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor y)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        if (x.DType == DType.F32) Normalization.Apply(x.AsSpan(), n, c, hw, perInstance, mean.AsSpan(), rstd.AsSpan(), OrEmpty(gamma), OrEmpty(beta), y.AsSpan());
        else Normalization.Apply(x.AsSpanF64(), n, c, hw, perInstance, mean.AsSpanF64(), rstd.AsSpanF64(), OrEmpty64(gamma), OrEmpty64(beta), y.AsSpanF64());
    }

    public override void NormBackward(Tensor x, Tensor dy, bool perInstance, bool batchStatistics, Tensor mean, Tensor rstd, Tensor? gamma,
        Tensor? dx, bool accumulateDx, Tensor? dGamma, bool accumulateDGamma, Tensor? dBeta, bool accumulateDBeta)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        // The kernel accumulates into both parameter gradients; a fresh gradient is zeroed first.
        if (dGamma is not null && !accumulateDGamma) Fill(dGamma, 0);
        if (dBeta is not null && !accumulateDBeta) Fill(dBeta, 0);
        if (x.DType == DType.F32)
            Normalization.Backward(x.AsSpan(), dy.AsSpan(), n, c, hw, perInstance, batchStatistics, mean.AsSpan(), rstd.AsSpan(), OrEmpty(gamma),
                OrEmptyW(dx), accumulateDx, ScratchIfNull(dGamma, c), ScratchIfNull(dBeta, c), accumulateParams: true);
        else
            Normalization.Backward(x.AsSpanF64(), dy.AsSpanF64(), n, c, hw, perInstance, batchStatistics, mean.AsSpanF64(), rstd.AsSpanF64(), OrEmpty64(gamma),
                OrEmptyW64(dx), accumulateDx, ScratchIfNull64(dGamma, c), ScratchIfNull64(dBeta, c), accumulateParams: true);
    }

    private static Span<float> ScratchIfNull(Tensor? t, int c) => t is null ? new float[c] : t.AsSpan();
    private static Span<double> ScratchIfNull64(Tensor? t, int c) => t is null ? new double[c] : t.AsSpanF64();

    // float32 runs the threaded kernel, float64 the scalar oracle (so the catalog's float32-vs-float64 check compares the two).
    public override void AvgPool(Tensor x, int k, int s, int pad, bool countIncludePad, Tensor y)
    {
        var (p, h, w) = Planes(x);
        if (x.DType == DType.F32) Pooling.AvgForward(x.AsSpan(), p, h, w, k, s, pad, countIncludePad, y.AsSpan());
        else PoolingReference.AvgForward(x.AsSpanF64(), p, h, w, k, s, pad, countIncludePad, y.AsSpanF64());
    }

    public override void AvgPoolBackward(Tensor dy, int k, int s, int pad, bool countIncludePad, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        if (dx.DType == DType.F32) Pooling.AvgBackward(dy.AsSpan(), p, h, w, k, s, pad, countIncludePad, dx.AsSpan(), accumulate);
        else PoolingReference.AvgBackward(dy.AsSpanF64(), p, h, w, k, s, pad, countIncludePad, dx.AsSpanF64(), accumulate);
    }

    public override void MaxPool(Tensor x, int k, int s, int pad, Tensor y, int[]? argmax)
    {
        var (p, h, w) = Planes(x);
        if (x.DType == DType.F32) Pooling.MaxForward(x.AsSpan(), p, h, w, k, s, pad, y.AsSpan(), argmax);
        else PoolingReference.MaxForward(x.AsSpanF64(), p, h, w, k, s, pad, y.AsSpanF64(), argmax);
    }

    public override void MaxPoolBackward(Tensor dy, int[] argmax, int k, int s, int pad, Tensor dx, bool accumulate)
    {
        if (dx.DType == DType.F32) Pooling.MaxBackward(dy.AsSpan(), argmax, dx.AsSpan(), dx.Numel, accumulate);
        else PoolingReference.MaxBackward(dy.AsSpanF64(), argmax, dx.AsSpanF64(), dx.Numel, accumulate);
    }

    public override void Upsample(bool bilinear, Tensor x, Tensor y)
    {
        var (p, h, w) = Planes(x);
        if (x.DType == DType.F32) UpsampleV3.Forward(bilinear, x.AsSpan(), p, h, w, y.Shape[-2], y.Shape[-1], y.AsSpan());
        else Kernels.Cpu.Upsample.Forward(bilinear, x.AsSpanF64(), p, h, w, y.Shape[-2], y.Shape[-1], y.AsSpanF64());
    }

    public override void UpsampleBackward(bool bilinear, Tensor dy, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        if (dx.DType == DType.F32) UpsampleV3.Backward(bilinear, dy.AsSpan(), p, h, w, dy.Shape[-2], dy.Shape[-1], dx.AsSpan(), accumulate);
        else Kernels.Cpu.Upsample.Backward(bilinear, dy.AsSpanF64(), p, h, w, dy.Shape[-2], dy.Shape[-1], dx.AsSpanF64(), accumulate);
    }

    public override void Softmax(bool log, Tensor x, int outer, int axis, int inner, Tensor y)
    {
        if (x.DType == DType.F32) Kernels.Cpu.Softmax.Forward(log, x.AsSpan(), outer, axis, inner, y.AsSpan());
        else Kernels.Cpu.Softmax.Forward(log, x.AsSpanF64(), outer, axis, inner, y.AsSpanF64());
    }

    public override void SoftmaxBackward(bool log, Tensor y, Tensor dy, int outer, int axis, int inner, Tensor dx, bool accumulate)
    {
        if (dx.DType == DType.F32) Kernels.Cpu.Softmax.Backward(log, y.AsSpan(), dy.AsSpan(), outer, axis, inner, dx.AsSpan(), accumulate);
        else Kernels.Cpu.Softmax.Backward(log, y.AsSpanF64(), dy.AsSpanF64(), outer, axis, inner, dx.AsSpanF64(), accumulate);
    }

    public override void CopyBlocks(Tensor src, int srcOffset, int srcStride, Tensor dst, int dstOffset, int dstStride, int rows, int length, bool accumulate)
    {
        if (src.DType == DType.F32) Copy(src.AsSpan(), srcOffset, srcStride, dst.AsSpan(), dstOffset, dstStride, rows, length, accumulate);
        else Copy(src.AsSpanF64(), srcOffset, srcStride, dst.AsSpanF64(), dstOffset, dstStride, rows, length, accumulate);
    }

    private static void Copy<T>(ReadOnlySpan<T> src, int so, int ss, Span<T> dst, int d0, int ds, int rows, int length, bool accumulate)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> s = src.Slice(so + r * ss, length);
            Span<T> d = dst.Slice(d0 + r * ds, length);
            if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(d, s, d); else s.CopyTo(d);
        }
    }
}
