// The CUDA implementation of the op contract, float32 only. Every method enqueues kernels on the
// context's one stream (hand kernels from kernels/cu through the launchers in Opacity.Kernels.Cuda;
// GEMM through cuBLAS when it loads, else the hand kernel); nothing here waits for the GPU except
// the copies the host reads (Download) and max pooling's argmax, which the op contract keeps on the
// host (one device-to-host copy per max-pool forward, one upload per backward).
// The same code runs on the emulated device (EmulatedContext): that is how it is tested without a GPU
// (tests/Opacity.Tensor.Tests/DeviceCatalogTests.cs, fixture "emulated-cuda").
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Tensors.Backends;

internal sealed partial class CudaBackend(GpuContext context, Device device) : Backend
{
    public GpuContext Context { get; } = context;
    public Device Device { get; } = device;
    private IKernelLauncher L => Context.Launcher;

    private static ulong P(Tensor t) => t.Storage.DevicePointer;
    private static ulong P(Tensor? t, bool _) => t is null ? 0 : t.Storage.DevicePointer;

    public override Storage Allocate(DType dtype, int length, bool zero)
    {
        if (dtype != DType.F32)
            throw new NotSupportedException($"{dtype.Name()} tensors are not supported on {Device}: the CUDA kernels are float32; keep float64 work on the CPU.");
        Storage s = Storage.AllocateDevice(Context.Allocator, Device, dtype, length);
        if (zero) Context.Memset32(s.DevicePointer, 0, length);
        return s;
    }

    /// <summary>Host to device (src on the CPU, dst here).</summary>
    public unsafe void Upload(Tensor src, Tensor dst)
    {
        Tensor s = src.DType == DType.F32 ? src : src.To(DType.F32);
        fixed (float* p = s.AsSpan()) Context.CopyToDevice(P(dst), p, (long)dst.Numel * sizeof(float));
    }

    /// <summary>Device to host: waits for the stream.</summary>
    public unsafe void Download(Tensor src, Tensor dst)
    {
        if (dst.DType == DType.F32)
        {
            fixed (float* p = dst.AsSpan()) Context.CopyToHost(p, P(src), (long)src.Numel * sizeof(float));
            return;
        }
        var tmp = new float[src.Numel];
        fixed (float* p = tmp) Context.CopyToHost(p, P(src), (long)src.Numel * sizeof(float));
        Span<double> d = dst.AsSpanF64();
        for (int i = 0; i < tmp.Length; i++) d[i] = tmp[i];
    }

    public override void Copy(Tensor src, Tensor dst)
    {
        if (src.Device.IsCpu) Upload(src, dst);
        else Context.CopyOnDevice(P(dst), P(src), (long)src.Numel * sizeof(float));
    }

    public override void AddInPlace(Tensor dst, Tensor src) => ElementwiseCuda.Add(L, P(dst), P(src), P(dst), dst.Numel);

    public override void Fill(Tensor dst, double value) => Context.Memset32(P(dst), BitConverter.SingleToUInt32Bits((float)value), dst.Numel);

    public override void Binary(BinaryKind kind, Tensor a, int[] aStrides, Tensor b, int[] bStrides, Tensor y)
        => BroadcastCuda.Binary(L, (int)kind, P(a), aStrides, P(b), bStrides, P(y), y.Shape.ToArray());

    /// <summary>From this many inputs a sum to one element takes reduce.cu's two-pass sum (1024 blocks of partials):
    /// reduce-to gives each output one block, which leaves a GPU idle when there is one output (8M inputs: ms, not µs).</summary>
    private const int WholeSumMin = 1 << 16;

    public override void ReduceTo(Tensor src, Tensor dst, int[] dstStrides, bool accumulate)
    {
        if (dst.Numel == 1 && src.Numel >= WholeSumMin)
        {
            using DeviceBlock partials = Context.Allocator.Allocate((long)ReduceCuda.PartialCount(src.Numel) * sizeof(float));
            if (!accumulate) { ReduceCuda.Sum(L, P(src), src.Numel, partials.Pointer, P(dst)); return; }
            using DeviceBlock total = Context.Allocator.Allocate(sizeof(float));
            ReduceCuda.Sum(L, P(src), src.Numel, partials.Pointer, total.Pointer);
            ElementwiseCuda.Add(L, P(dst), total.Pointer, P(dst), 1);
            return;
        }
        BroadcastCuda.ReduceTo(L, P(src), src.Shape.ToArray(), P(dst), dstStrides, accumulate);
    }

    public override void Unary(UnaryKind kind, Tensor x, Tensor y, double p1, double p2)
    {
        switch (kind)
        {
            // the pre-existing hand kernels of elementwise.cu where they exist
            case UnaryKind.Relu: ElementwiseCuda.ReluForward(L, P(x), P(y), x.Numel); break;
            case UnaryKind.LeakyRelu: ElementwiseCuda.LeakyReluForward(L, P(x), (float)p1, P(y), x.Numel); break;
            case UnaryKind.Tanh: ElementwiseCuda.TanhForward(L, P(x), P(y), x.Numel); break;
            case UnaryKind.Sigmoid: ElementwiseCuda.SigmoidForward(L, P(x), P(y), x.Numel); break;
            default: BroadcastCuda.Unary(L, (int)kind, P(x), P(y), x.Numel, (float)p1, (float)p2); break;
        }
    }

    public override void UnaryBackward(UnaryKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate, double p1, double p2)
    {
        switch (kind)
        {
            case UnaryKind.Relu: ElementwiseCuda.ReluBackward(L, P(x), P(dy), P(dx), x.Numel, accumulate); break;
            case UnaryKind.LeakyRelu: ElementwiseCuda.LeakyReluBackward(L, P(x), P(dy), (float)p1, P(dx), x.Numel, accumulate); break;
            case UnaryKind.Tanh: ElementwiseCuda.TanhBackward(L, P(y), P(dy), P(dx), x.Numel, accumulate); break;
            case UnaryKind.Sigmoid: ElementwiseCuda.SigmoidBackward(L, P(y), P(dy), P(dx), x.Numel, accumulate); break;
            default: BroadcastCuda.UnaryBackward(L, (int)kind, P(x), P(y), P(dy), P(dx), x.Numel, accumulate, (float)p1, (float)p2); break;
        }
    }

    public override void MulAccumulate(Tensor b, Tensor c, Tensor r, bool accumulate)
        => BroadcastCuda.MulAccumulate(L, P(b), P(c), P(r), r.Numel, accumulate);

    public override void DivDenominatorGrad(Tensor a, Tensor b, Tensor dy, Tensor r, bool accumulate)
        => BroadcastCuda.DivDenominatorGrad(L, P(a), P(b), P(dy), P(r), r.Numel, accumulate);

    public override void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        if (Context.Blas is { } blas) blas.Sgemm(transA, transB, m, n, k, 1f, P(a), P(b), accumulate ? 1f : 0f, P(c));
        else DenseCuda.Gemm(L, transA, transB, m, n, k, P(a), P(b), P(c), accumulate);
    }

    /// <summary>t *= factor in place.</summary>
    public void Scale(Tensor t, double factor) => ElementwiseCuda.Scale(L, P(t), (float)factor, P(t), t.Numel);

    /// <summary>The fused Adam update (kernels/cu/adam.cu) on p, g, m, v of this device.</summary>
    /// <remarks>Decoupled weight decay (AdamW) is p *= 1 - lr·wd before the plain Adam step, as torch.optim.AdamW.</remarks>
    public void Adam(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, long step)
    {
        if (decoupled && weightDecay != 0) ElementwiseCuda.Scale(L, P(p), (float)(1 - lr * weightDecay), P(p), p.Numel);
        AdamCuda.Step(L, P(p), P(g), P(m), P(v), p.Numel, checked((int)step), (float)lr, (float)beta1, (float)beta2, (float)eps,
            decoupled ? 0f : (float)weightDecay);
    }
}
