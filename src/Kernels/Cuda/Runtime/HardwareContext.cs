// GpuContext on a real GPU: the device's primary context, one stream, the PTX launcher, cuBLAS (when
// libcublas loads; otherwise GEMM falls back to the hand kernel and the reason is kept). Copies are
// cuMemcpy*Async on the stream; host-to-device and device-to-host wait for the stream because the host
// buffer is pageable managed memory. Convolution by cuDNN when libcudnn loads (OPACITY_CUDNN=0 keeps the hand
// kernels). CI has no GPU; verified on an H200 with scripts/gpu-check.sh (bench/results/nvidia-h200/).
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda.Runtime;

public sealed class HardwareContext : GpuContext
{
    private readonly CudaStream _stream;
    private readonly CudaLauncher _launcher;

    private HardwareContext(CudaDevice device)
    {
        Device = device;
        _stream = new CudaStream(device, nonBlocking: true);
        _launcher = new CudaLauncher(device, _stream);
        try
        {
            Blas = new CublasHandle(device, _stream.Handle);
        }
        catch (CudaLibraryMissingException e)
        {
            BlasUnavailableReason = e.Message;
        }
        if (Environment.GetEnvironmentVariable("OPACITY_CUDNN") == "0") DnnStatus = "disabled by OPACITY_CUDNN=0";
        else
        {
            try
            {
                Dnn = new CudnnConvolution(device, _stream.Handle, Allocator);
                DnnStatus = $"cuDNN {Dnn.Version}";
            }
            catch (Exception e) when (e is CudaLibraryMissingException or CudaException or DllNotFoundException or EntryPointNotFoundException)
            {
                // Any failure to bring cuDNN up leaves the hand kernels in charge; the reason shows in Description.
                DnnStatus = e.Message;
            }
        }
    }

    public CudaDevice Device { get; }

    /// <summary>Opens device <paramref name="ordinal"/>, or returns null with the one-sentence reason.</summary>
    public static HardwareContext? TryOpen(out string reason, int ordinal = 0)
    {
        CudaDevice? device = CudaDevice.TryOpen(out reason, ordinal);
        return device is null ? null : new HardwareContext(device);
    }

    public override bool IsEmulated => false;

    public override string Description => $"{Device}; GEMM: {(Blas is null ? $"hand kernel ({BlasUnavailableReason})" : "cuBLAS")}; conv: {(Dnn is null ? $"hand kernels ({DnnStatus})" : DnnStatus)}";

    public override IKernelLauncher Launcher => _launcher;

    public override nint StreamHandle => _stream.Handle;

    protected internal override ulong RawAllocate(long bytes)
    {
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemAlloc(out ulong p, (nuint)bytes), "cuMemAlloc_v2");
        return p;
    }

    protected internal override void RawFree(ulong pointer)
    {
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemFree(pointer), "cuMemFree_v2");
    }

    public override unsafe void CopyToDevice(ulong dst, void* src, long bytes)
    {
        if (bytes == 0) return;
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemcpyHtoDAsync(dst, src, (nuint)bytes, _stream.Handle), "cuMemcpyHtoDAsync_v2");
        _stream.Synchronize();
    }

    public override unsafe void CopyToHost(void* dst, ulong src, long bytes)
    {
        if (bytes == 0) return;
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemcpyDtoHAsync(dst, src, (nuint)bytes, _stream.Handle), "cuMemcpyDtoHAsync_v2");
        _stream.Synchronize();
    }

    public override void CopyOnDevice(ulong dst, ulong src, long bytes)
    {
        if (bytes == 0) return;
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemcpyDtoDAsync(dst, src, (nuint)bytes, _stream.Handle), "cuMemcpyDtoDAsync_v2");
    }

    public override void Memset32(ulong dst, uint value, long words)
    {
        if (words == 0) return;
        Device.MakeCurrent();
        CudaException.Check(CudaDriver.MemsetD32Async(dst, value, (nuint)words, _stream.Handle), "cuMemsetD32Async");
    }

    public override void Synchronize() => _stream.Synchronize();

    public override void Dispose()
    {
        _stream.Synchronize();
        base.Dispose();
        Blas?.Dispose();
        Dnn?.Dispose();
        _launcher.Dispose();
        _stream.Dispose();
        Device.Dispose();
    }
}
