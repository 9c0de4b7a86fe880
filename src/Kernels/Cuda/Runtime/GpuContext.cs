// One CUDA device as the tensor backend sees it: a stream, a kernel launcher, raw device memory and
// copies, behind a caching allocator. Two implementations: HardwareContext (driver API, one stream per
// device, cuBLAS for GEMM) and EmulatedContext (device memory is host memory, launches go to the host
// emulator libopk_emu.so, GEMM runs the hand kernel): the same launchers and the same backend run on
// both, which is how the backend is tested on machines without a GPU.
// Synchronisation: launches and device-to-device copies are enqueued on the stream; only CopyToHost
// (and Synchronize) wait, which is where the host reads (Tensor.ToArray / Item).
namespace Opacity.Kernels.Cuda.Runtime;

public abstract class GpuContext : IDisposable
{
    protected GpuContext() => Allocator = new CachingAllocator(this);

    /// <summary>True for the host emulator (no GPU involved).</summary>
    public abstract bool IsEmulated { get; }

    /// <summary>One line: the device name and what runs GEMM ("cuBLAS" or "emulated: hand GEMM kernel").</summary>
    public abstract string Description { get; }

    public abstract IKernelLauncher Launcher { get; }

    /// <summary>The stream every launch and copy of this context goes to (0 for the emulator).</summary>
    public abstract nint StreamHandle { get; }

    public CachingAllocator Allocator { get; }

    /// <summary>cuBLAS on a real GPU when the library loads; null on the emulator or when it is missing
    /// (then GEMM runs the hand kernel and <see cref="BlasUnavailableReason"/> says why).</summary>
    public CublasHandle? Blas { get; protected set; }

    public string BlasUnavailableReason { get; protected set; } = "";

    /// <summary>cuDNN convolution when enabled (OPACITY_CUDNN=1 on a real GPU) and loadable; null otherwise
    /// (then convolution runs the hand kernels of dense.cu and <see cref="DnnStatus"/> says why).</summary>
    public CudnnConvolution? Dnn { get; protected set; }

    public string DnnStatus { get; protected set; } = "not available on this context";

    /// <summary>Raw allocation (no caching); throws <see cref="CudaException"/> when out of memory.</summary>
    protected internal abstract ulong RawAllocate(long bytes);

    protected internal abstract void RawFree(ulong pointer);

    /// <summary>Host to device; returns when the host memory may be reused.</summary>
    public abstract unsafe void CopyToDevice(ulong dst, void* src, long bytes);

    /// <summary>Device to host; waits for the stream (the one place the host blocks).</summary>
    public abstract unsafe void CopyToHost(void* dst, ulong src, long bytes);

    /// <summary>Device to device, enqueued on the stream.</summary>
    public abstract void CopyOnDevice(ulong dst, ulong src, long bytes);

    /// <summary>Sets <paramref name="words"/> 32-bit words to <paramref name="value"/>, enqueued.</summary>
    public abstract void Memset32(ulong dst, uint value, long words);

    public abstract void Synchronize();

    public virtual void Dispose()
    {
        Allocator.ReleaseCached();
        GC.SuppressFinalize(this);
    }
}
