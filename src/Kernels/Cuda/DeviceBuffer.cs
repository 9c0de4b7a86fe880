// A device allocation of float32 elements (cuMemAlloc_v2 / cuMemFree_v2) with synchronous copies.
// Owned and disposed explicitly (STYLE.md G11); in Debug builds a buffer that reaches the finalizer
// still allocated fails loudly, because the finalizer thread has no CUDA context to free it on.
using System.Diagnostics;
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class DeviceBuffer : IDisposable
{
    private readonly CudaDevice _device;

    public DeviceBuffer(CudaDevice device, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _device = device;
        Count = count;
        if (count == 0) return;
        device.MakeCurrent();
        CudaException.Check(CudaDriver.MemAlloc(out ulong ptr, (nuint)(count * sizeof(float))), "cuMemAlloc_v2");
        Pointer = ptr;
    }

    /// <summary>Element count (float32).</summary>
    public long Count { get; }

    /// <summary>CUdeviceptr; 0 after disposal or for an empty buffer.</summary>
    public ulong Pointer { get; private set; }

    public long Bytes => Count * sizeof(float);

    public unsafe void CopyFrom(ReadOnlySpan<float> host)
    {
        CheckLength(host.Length);
        _device.MakeCurrent();
        fixed (float* p = host) CudaException.Check(CudaDriver.MemcpyHtoD(Pointer, p, (nuint)Bytes), "cuMemcpyHtoD_v2");
    }

    public unsafe void CopyTo(Span<float> host)
    {
        CheckLength(host.Length);
        _device.MakeCurrent();
        fixed (float* p = host) CudaException.Check(CudaDriver.MemcpyDtoH(p, Pointer, (nuint)Bytes), "cuMemcpyDtoH_v2");
    }

    public void CopyFrom(DeviceBuffer source)
    {
        CheckLength(source.Count);
        _device.MakeCurrent();
        CudaException.Check(CudaDriver.MemcpyDtoD(Pointer, source.Pointer, (nuint)Bytes), "cuMemcpyDtoD_v2");
    }

    /// <summary>Sets every element to <paramref name="value"/> (cuMemsetD32 counts 32-bit words).</summary>
    public void Fill(float value)
    {
        _device.MakeCurrent();
        CudaException.Check(CudaDriver.MemsetD32(Pointer, BitConverter.SingleToUInt32Bits(value), (nuint)Count), "cuMemsetD32_v2");
    }

    public float[] ToArray()
    {
        var host = new float[Count];
        CopyTo(host);
        return host;
    }

    public void Dispose()
    {
        if (Pointer != 0)
        {
            _device.MakeCurrent();
            int status = CudaDriver.MemFree(Pointer);
            Pointer = 0;
            if (status != CudaResult.Success && status != CudaResult.Deinitialized) throw new CudaException("cuMemFree_v2", status);
        }
        GC.SuppressFinalize(this);
    }

#if DEBUG
    ~DeviceBuffer()
    {
        if (Pointer != 0) Debug.Fail($"A DeviceBuffer of {Count} floats was never disposed; GPU memory leaked.");
    }
#endif

    private void CheckLength(long length)
    {
        ObjectDisposedException.ThrowIf(Pointer == 0 && Count > 0, this);
        if (length != Count) throw new ArgumentException($"The host span has {length} elements but the device buffer has {Count}.");
    }
}
