// A CUDA stream (cuStreamCreate / cuStreamDestroy_v2) and an event for ordering and GPU timing
// (cuEventRecord / cuEventElapsedTime). All engine work is enqueued on an explicit stream; the host
// synchronises only where it reads (STYLE.md G11).
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CudaStream : IDisposable
{
    private readonly CudaDevice _device;

    /// <param name="nonBlocking">CU_STREAM_NON_BLOCKING: no implicit sync with the legacy stream; then read
    /// results with async copies on this stream plus <see cref="Synchronize"/> (CUDA.md pitfall 5).</param>
    public CudaStream(CudaDevice device, bool nonBlocking = false)
    {
        _device = device;
        device.MakeCurrent();
        CudaException.Check(CudaDriver.StreamCreate(out nint handle, nonBlocking ? 1u : 0u), "cuStreamCreate");
        Handle = handle;
    }

    public nint Handle { get; private set; }

    public void Synchronize()
    {
        _device.MakeCurrent();
        CudaException.Check(CudaDriver.StreamSynchronize(Handle), "cuStreamSynchronize");
    }

    public void Wait(CudaEvent evt) => CudaException.Check(CudaDriver.StreamWaitEvent(Handle, evt.Handle, 0), "cuStreamWaitEvent");

    public void Dispose()
    {
        if (Handle == 0) return;
        _device.MakeCurrent();
        int status = CudaDriver.StreamDestroy(Handle);
        Handle = 0;
        if (status != CudaResult.Success && status != CudaResult.Deinitialized) throw new CudaException("cuStreamDestroy_v2", status);
    }
}

public sealed class CudaEvent : IDisposable
{
    private readonly CudaDevice _device;

    public CudaEvent(CudaDevice device)
    {
        _device = device;
        device.MakeCurrent();
        CudaException.Check(CudaDriver.EventCreate(out nint handle, 0), "cuEventCreate");
        Handle = handle;
    }

    public nint Handle { get; private set; }

    public void Record(CudaStream stream) => CudaException.Check(CudaDriver.EventRecord(Handle, stream.Handle), "cuEventRecord");

    public void Synchronize() => CudaException.Check(CudaDriver.EventSynchronize(Handle), "cuEventSynchronize");

    /// <summary>GPU time from <paramref name="start"/> to this event (both recorded, this one synchronised).</summary>
    public float MillisecondsSince(CudaEvent start)
    {
        CudaException.Check(CudaDriver.EventElapsedTime(out float ms, start.Handle, Handle), "cuEventElapsedTime");
        return ms;
    }

    public void Dispose()
    {
        if (Handle == 0) return;
        _device.MakeCurrent();
        int status = CudaDriver.EventDestroy(Handle);
        Handle = 0;
        if (status != CudaResult.Success && status != CudaResult.Deinitialized) throw new CudaException("cuEventDestroy_v2", status);
    }
}
