// One CUDA device and its primary context (cuBLAS/cuDNN share it). TryOpen never throws for "no GPU":
// it returns null with one sentence saying why (no driver library, no device, driver error), which is
// what CPU-only machines and CI report; real-GPU tests turn that sentence into Assert.Ignore.
// The context is current per thread: every public GPU entry point calls MakeCurrent first.
using System.Runtime.InteropServices;
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CudaDevice : IDisposable
{
    private bool _disposed;

    private CudaDevice(int ordinal, int handle, nint context)
    {
        Ordinal = ordinal;
        Handle = handle;
        Context = context;
    }

    public int Ordinal { get; }

    internal int Handle { get; }

    internal nint Context { get; }

    public string Name { get; private set; } = "";

    public int DriverVersion { get; private set; }

    public (int Major, int Minor) ComputeCapability { get; private set; }

    public int MultiprocessorCount { get; private set; }

    public ulong TotalMemoryBytes { get; private set; }

    /// <summary>Opens device <paramref name="ordinal"/> (cuInit, primary context, made current on this
    /// thread), or returns null and a one-sentence <paramref name="reason"/>.</summary>
    public static CudaDevice? TryOpen(out string reason, int ordinal = 0)
    {
        int status;
        try
        {
            status = CudaDriver.Init(0);
        }
        catch (DllNotFoundException)
        {
            reason = "no CUDA driver: libcuda.so.1 was not found on this machine" +
                     (CudaLibraryResolver.Diagnostics.Length > 0 ? $" (tried {CudaLibraryResolver.Diagnostics})." : ".");
            return null;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"the CUDA driver library is unusable: {e.Message}";
            return null;
        }
        if (status == CudaResult.NoDevice)
        {
            reason = "the CUDA driver is installed but reports no device (cuInit: CUDA_ERROR_NO_DEVICE).";
            return null;
        }
        if (status != CudaResult.Success)
        {
            reason = $"cuInit failed with {CudaException.Describe(status)}.";
            return null;
        }
        if (CudaDriver.DeviceGetCount(out int count) != 0 || ordinal < 0 || ordinal >= count)
        {
            reason = count == 0 ? "the CUDA driver reports no device." : $"there is no CUDA device {ordinal} (the driver reports {count}).";
            return null;
        }
        try
        {
            CudaException.Check(CudaDriver.DeviceGet(out int handle, ordinal), "cuDeviceGet");
            CudaException.Check(CudaDriver.DevicePrimaryCtxRetain(out nint context, handle), "cuDevicePrimaryCtxRetain");
            var device = new CudaDevice(ordinal, handle, context);
            device.MakeCurrent();
            device.ReadProperties();
            reason = "";
            return device;
        }
        catch (CudaException e)
        {
            reason = $"CUDA device {ordinal} could not be opened: {e.Message}";
            return null;
        }
    }

    /// <summary>Makes the primary context current on the calling thread (it is thread-local).</summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CudaException.Check(CudaDriver.CtxSetCurrent(Context), "cuCtxSetCurrent");
    }

    public void Synchronize()
    {
        MakeCurrent();
        CudaException.Check(CudaDriver.CtxSynchronize(), "cuCtxSynchronize");
    }

    public (ulong Free, ulong Total) MemoryInfo()
    {
        MakeCurrent();
        CudaException.Check(CudaDriver.MemGetInfo(out nuint free, out nuint total), "cuMemGetInfo_v2");
        return (free, total);
    }

    public override string ToString()
        => $"{Name} (sm_{ComputeCapability.Major}{ComputeCapability.Minor}, {MultiprocessorCount} SMs, {TotalMemoryBytes >> 20} MiB, driver {DriverVersion / 1000}.{DriverVersion % 1000 / 10})";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int status = CudaDriver.DevicePrimaryCtxRelease(Handle);
        if (status != CudaResult.Success && status != CudaResult.Deinitialized)
            throw new CudaException("cuDevicePrimaryCtxRelease_v2", status);
    }

    private unsafe void ReadProperties()
    {
        byte* name = stackalloc byte[256];
        CudaException.Check(CudaDriver.DeviceGetName(name, 256, Handle), "cuDeviceGetName");
        Name = Marshal.PtrToStringUTF8((nint)name) ?? "";
        CudaException.Check(CudaDriver.DriverGetVersion(out int version), "cuDriverGetVersion");
        DriverVersion = version;
        ComputeCapability = (Attribute(CudaConstants.AttributeComputeCapabilityMajor), Attribute(CudaConstants.AttributeComputeCapabilityMinor));
        MultiprocessorCount = Attribute(CudaConstants.AttributeMultiprocessorCount);
        CudaException.Check(CudaDriver.DeviceTotalMem(out nuint bytes, Handle), "cuDeviceTotalMem_v2");
        TotalMemoryBytes = bytes;
    }

    private int Attribute(int attribute)
    {
        CudaException.Check(CudaDriver.DeviceGetAttribute(out int value, attribute, Handle), "cuDeviceGetAttribute");
        return value;
    }
}
