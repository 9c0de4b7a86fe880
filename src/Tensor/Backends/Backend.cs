// The op contract: every kernel an op needs, on tensors of one device. The CPU backend implements it
// with the kernels of Opacity.Kernels (float32 -> fast SIMD paths, float64 -> the same generic code or
// the scalar references, for gradient checks); CudaBackend implements it on the GPU (float32) or on the
// host emulator (CudaRuntime.TryUseEmulator).
// Backward methods follow the accumulate contract (STYLE.md G3).
using Opacity.Kernels.Cpu;

namespace Opacity.Tensors.Backends;

internal abstract class Backend
{
    public static Backend For(Device device) => device.Kind switch
    {
        DeviceKind.Cpu => CpuBackend.Instance,
        DeviceKind.Cuda => CudaRuntime.BackendFor(device),
        _ => throw new NotSupportedException($"Device {device} has no backend in this build."),
    };

    /// <summary>Copies between devices (same shape): CPU to CPU, host to device, device to host, device to device.</summary>
    public static void CopyAcross(Tensor src, Tensor dst)
    {
        if (src.Device.IsCpu && dst.Device.IsCpu) { CpuBackend.Instance.Copy(src, dst); return; }
        if (src.Device.IsCpu) { ((CudaBackend)dst.Backend).Upload(src, dst); return; }
        if (dst.Device.IsCpu) { ((CudaBackend)src.Backend).Download(src, dst); return; }
        if (src.Device == dst.Device) { src.Backend.Copy(src, dst); return; }
        throw new NotSupportedException($"Copy from {src.Device} to {dst.Device}: peer copies between GPUs are not implemented; go through the CPU.");
    }

    public abstract Storage Allocate(DType dtype, int length, bool zero);
    public abstract void Copy(Tensor src, Tensor dst);
    public abstract void AddInPlace(Tensor dst, Tensor src);
    public abstract void Fill(Tensor dst, double value);

    public abstract void Binary(BinaryKind kind, Tensor a, int[] aStrides, Tensor b, int[] bStrides, Tensor y);

    /// <summary>y = src broadcast to y's shape (<paramref name="srcStrides"/> 0 on the broadcast dimensions). The default
    /// clears y and adds; a backend with a one-pass broadcast copy overrides it.</summary>
    public virtual void Expand(Tensor src, int[] srcStrides, Tensor y)
    {
        Fill(y, 0);
        Binary(BinaryKind.Add, y, y.Shape.Strides(), src, srcStrides, y);
    }
    public abstract void ReduceTo(Tensor src, Tensor dst, int[] dstStrides, bool accumulate);
    public abstract void Unary(UnaryKind kind, Tensor x, Tensor y, double p1, double p2);
    public abstract void UnaryBackward(UnaryKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate, double p1, double p2);
    /// <summary>r (+)= b * c elementwise (same shapes): the product-rule term of mul's backward.</summary>
    public abstract void MulAccumulate(Tensor b, Tensor c, Tensor r, bool accumulate);
    /// <summary>r (+)= -dy * a / b^2: the denominator term of div's backward.</summary>
    public abstract void DivDenominatorGrad(Tensor a, Tensor b, Tensor dy, Tensor r, bool accumulate);

    public abstract void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c, bool accumulate);

    public abstract void Conv2dForward(in ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y, bool accumulate);
    public abstract void Conv2dBackwardInput(in ConvGeometry g, Tensor w, Tensor dy, Tensor dx, bool accumulate);
    public abstract void Conv2dBackwardWeight(in ConvGeometry g, Tensor x, Tensor dy, Tensor dw, bool accumulate);
    public abstract void Conv2dBackwardBias(in ConvGeometry g, Tensor dy, Tensor db, bool accumulate);

    public abstract void Pad2d(PadMode mode, Tensor x, int top, int bottom, int left, int right, Tensor y);
    public abstract void Pad2dBackward(PadMode mode, Tensor dy, int top, int bottom, int left, int right, Tensor dx, bool accumulate);

    public abstract void NormStatistics(Tensor x, bool perInstance, double eps, Tensor mean, Tensor rstd);
    public abstract void NormApply(Tensor x, bool perInstance, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor y);
    public abstract void NormBackward(Tensor x, Tensor dy, bool perInstance, bool batchStatistics, Tensor mean, Tensor rstd, Tensor? gamma,
        Tensor? dx, bool accumulateDx, Tensor? dGamma, bool accumulateDGamma, Tensor? dBeta, bool accumulateDBeta);

    /// <summary>Square window k, stride s, zero padding <paramref name="pad"/> on every side (floor output); the divisor counts
    /// the padding when <paramref name="countIncludePad"/>. Max pooling treats the padding as -inf; its argmax is null
    /// when no backward will run (then only the values are computed, and the GPU keeps its indices to itself).</summary>
    public abstract void AvgPool(Tensor x, int k, int s, int pad, bool countIncludePad, Tensor y);
    public abstract void AvgPoolBackward(Tensor dy, int k, int s, int pad, bool countIncludePad, Tensor dx, bool accumulate);
    public abstract void MaxPool(Tensor x, int k, int s, int pad, Tensor y, int[]? argmax);
    // k, s, pad: the forward's. A scatter needs only argmax; a gather (CUDA v2) walks the windows that hold each pixel.
    public abstract void MaxPoolBackward(Tensor dy, int[] argmax, int k, int s, int pad, Tensor dx, bool accumulate);

    public abstract void Upsample(bool bilinear, Tensor x, Tensor y);
    public abstract void UpsampleBackward(bool bilinear, Tensor dy, Tensor dx, bool accumulate);

    public abstract void Softmax(bool log, Tensor x, int outer, int axis, int inner, Tensor y);
    public abstract void SoftmaxBackward(bool log, Tensor y, Tensor dy, int outer, int axis, int inner, Tensor dx, bool accumulate);

    /// <summary>Copies <paramref name="rows"/> blocks of <paramref name="length"/> elements from src (stride srcStride, start srcOffset)
    /// to dst (stride dstStride, start dstOffset), adding when <paramref name="accumulate"/>: the kernel behind concat and slice.</summary>
    public abstract void CopyBlocks(Tensor src, int srcOffset, int srcStride, Tensor dst, int dstOffset, int dstStride, int rows, int length, bool accumulate);
}

/// <summary>Elementwise unary ops; p1/p2 carry the parameter (LeakyRelu slope, Clamp bounds, Pow exponent).</summary>
public enum UnaryKind
{
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Tanh,
    Sigmoid,
    Relu,
    LeakyRelu,
    Clamp,
    Pow,
}
