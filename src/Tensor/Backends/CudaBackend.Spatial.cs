// CUDA dispatch for the spatial ops: convolution (cuDNN when it loads; the hand direct-conv kernels without it or with OPACITY_CUDNN=0),
// padding, normalisation, pooling, upsampling, softmax, block copies. Scratch buffers (norm sums,
// max-pool argmax) come from the caching allocator and go back to it right after their launches:
// the next user of the block is ordered after them on the same stream.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Tensors.Backends;

internal sealed partial class CudaBackend
{
    public override void Conv2dForward(in ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y, bool accumulate)
    {
        if (Context.Dnn is not { } dnn) { DenseCuda.ConvForward(L, g, P(x), P(w), P(bias, true), P(y), accumulate); return; }
        dnn.Forward(g, P(x), P(w), P(y), accumulate);
        // y += bias over channels, in place (each element read and written by the same thread)
        if (bias is not null)
            BroadcastCuda.Binary(L, 0, P(y), [g.OutChannels * g.OutH * g.OutW, g.OutH * g.OutW, 1], P(bias), [0, 1, 0], P(y), [g.Batch, g.OutChannels, g.OutH * g.OutW]);
    }

    public override void Conv2dBackwardInput(in ConvGeometry g, Tensor w, Tensor dy, Tensor dx, bool accumulate)
    {
        if (Context.Dnn is { } dnn) dnn.BackwardData(g, P(w), P(dy), P(dx), accumulate);
        else DenseCuda.ConvBackwardInput(L, g, P(w), P(dy), P(dx), accumulate);
    }

    public override void Conv2dBackwardWeight(in ConvGeometry g, Tensor x, Tensor dy, Tensor dw, bool accumulate)
    {
        if (Context.Dnn is { } dnn) dnn.BackwardFilter(g, P(x), P(dy), P(dw), accumulate);
        else DenseCuda.ConvBackwardWeight(L, g, P(x), P(dy), P(dw), accumulate);
    }

    public override void Conv2dBackwardBias(in ConvGeometry g, Tensor dy, Tensor db, bool accumulate)
    {
        if (Context.Dnn is { } dnn) dnn.BackwardBias(g, P(dy), P(db), accumulate);
        else DenseCuda.ConvBackwardBias(L, g, P(dy), P(db), accumulate);
    }

    private static (int Planes, int H, int W) Planes(Tensor t) => (t.Numel / (t.Shape[-2] * t.Shape[-1]), t.Shape[-2], t.Shape[-1]);

    public override void Pad2d(PadMode mode, Tensor x, int top, int bottom, int left, int right, Tensor y)
    {
        var (p, h, w) = Planes(x);
        SpatialCuda.Pad(L, mode == PadMode.Reflect, P(x), p, h, w, top, bottom, left, right, P(y));
    }

    public override void Pad2dBackward(PadMode mode, Tensor dy, int top, int bottom, int left, int right, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        SpatialCuda.PadBackward(L, mode == PadMode.Reflect, P(dy), p, h, w, top, bottom, left, right, P(dx), accumulate);
    }

    public override void NormStatistics(Tensor x, bool perInstance, double eps, Tensor mean, Tensor rstd)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        SpatialCuda.NormStatistics(L, P(x), n, c, hw, perInstance, (float)eps, P(mean), P(rstd));
    }

    public override void NormApply(Tensor x, bool perInstance, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor y)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        SpatialCuda.NormApply(L, P(x), n, c, hw, perInstance, P(mean), P(rstd), P(gamma, true), P(beta, true), P(y));
    }

    public override void NormBackward(Tensor x, Tensor dy, bool perInstance, bool batchStatistics, Tensor mean, Tensor rstd, Tensor? gamma,
        Tensor? dx, bool accumulateDx, Tensor? dGamma, bool accumulateDGamma, Tensor? dBeta, bool accumulateDBeta)
    {
        int n = x.Shape[0], c = x.Shape[1], hw = x.Numel / (n * c);
        using DeviceBlock sums = Context.Allocator.Allocate(2L * SpatialCuda.Groups(n, c, perInstance) * sizeof(double));
        SpatialCuda.NormBackward(L, P(x), P(dy), n, c, hw, perInstance, batchStatistics, P(mean), P(rstd), P(gamma, true), sums.Pointer,
            P(dx, true), accumulateDx, P(dGamma, true), accumulateDGamma, P(dBeta, true), accumulateDBeta);
    }

    public override void AvgPool(Tensor x, int k, int s, int pad, bool countIncludePad, Tensor y)
    {
        var (p, h, w) = Planes(x);
        SpatialCuda.AvgPool(L, P(x), p, h, w, k, s, pad, countIncludePad, P(y));
    }

    public override void AvgPoolBackward(Tensor dy, int k, int s, int pad, bool countIncludePad, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        SpatialCuda.AvgPoolBackward(L, P(dy), p, h, w, k, s, pad, countIncludePad, P(dx), accumulate);
    }

    /// <remarks>The contract keeps argmax on the host, so this copies it back (a stream synchronisation) unless no
    /// backward will run (argmax null).</remarks>
    public override unsafe void MaxPool(Tensor x, int k, int s, int pad, Tensor y, int[]? argmax)
    {
        var (p, h, w) = Planes(x);
        using DeviceBlock idx = Context.Allocator.Allocate((long)y.Numel * sizeof(int));
        SpatialCuda.MaxPool(L, P(x), p, h, w, k, s, pad, P(y), idx.Pointer);
        if (argmax is null) return;
        fixed (int* a = argmax) Context.CopyToHost(a, idx.Pointer, (long)y.Numel * sizeof(int));
    }

    public override unsafe void MaxPoolBackward(Tensor dy, int[] argmax, int k, int s, int pad, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        using DeviceBlock idx = Context.Allocator.Allocate((long)dy.Numel * sizeof(int));
        fixed (int* a = argmax) Context.CopyToDevice(idx.Pointer, a, (long)dy.Numel * sizeof(int));
        SpatialCuda.MaxPoolBackward(L, P(dy), idx.Pointer, p, h, w, k, s, pad, P(dx), accumulate);
    }

    public override void Upsample(bool bilinear, Tensor x, Tensor y)
    {
        var (p, h, w) = Planes(x);
        SpatialCuda.Resize(L, bilinear, P(x), p, h, w, y.Shape[-2], y.Shape[-1], P(y));
    }

    public override void UpsampleBackward(bool bilinear, Tensor dy, Tensor dx, bool accumulate)
    {
        var (p, h, w) = Planes(dx);
        SpatialCuda.ResizeBackward(L, bilinear, P(dy), p, h, w, dy.Shape[-2], dy.Shape[-1], P(dx), accumulate);
    }

    public override void Softmax(bool log, Tensor x, int outer, int axis, int inner, Tensor y)
        => SpatialCuda.Softmax(L, log, P(x), outer, axis, inner, P(y));

    public override void SoftmaxBackward(bool log, Tensor y, Tensor dy, int outer, int axis, int inner, Tensor dx, bool accumulate)
        => SpatialCuda.SoftmaxBackward(L, log, P(y), P(dy), outer, axis, inner, P(dx), accumulate);

    public override void CopyBlocks(Tensor src, int srcOffset, int srcStride, Tensor dst, int dstOffset, int dstStride, int rows, int length, bool accumulate)
        => BroadcastCuda.CopyBlocks(L, P(src), srcOffset, srcStride, P(dst), dstOffset, dstStride, rows, length, accumulate);
}
