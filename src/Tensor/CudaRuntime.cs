// Which CUDA device backs Device.Cuda in this process, and its statistics. By default Device.Cuda is
// the real GPU (CudaDevice.TryOpen, opened on first use, one context + one stream per ordinal); when
// no driver or device is there, using it throws DeviceUnavailableException with one sentence and the
// process stays usable on the CPU. UseEmulator routes Device.Cuda to the host emulator instead
// (EmulatedContext: device memory is host memory, kernels run in libopk_emu.so, GEMM runs the hand
// kernel instead of cuBLAS): the tests and `opacity selftest --device emulated-cuda` use it; it is
// never chosen silently. Switch modes only when no CUDA tensor is alive.
using Opacity.Kernels.Cuda.Runtime;
using Opacity.Tensors.Backends;

namespace Opacity.Tensors;

public static class CudaRuntime
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, CudaBackend> Hardware = [];
    private static readonly Dictionary<int, string> Failures = [];
    private static CudaBackend? _emulated;
    private static bool _useEmulator;

    /// <summary>True while Device.Cuda is routed to the host emulator.</summary>
    public static bool IsEmulated => _useEmulator;

    /// <summary>Routes Device.Cuda to the host emulator library at <paramref name="libraryPath"/>
    /// (default: $OPACITY_CUDA_EMULATOR, else build/native/libopk_emu.so above the application folder).</summary>
    public static bool TryUseEmulator(out string reason, string? libraryPath = null)
    {
        lock (Gate)
        {
            if (_emulated is null)
            {
                string path = libraryPath ?? DefaultEmulatorPath();
                EmulatedContext? context = EmulatedContext.TryOpen(path, out reason);
                if (context is null) return false;
                _emulated = new CudaBackend(context, Device.Cuda);
            }
            _useEmulator = true;
            reason = "";
            return true;
        }
    }

    /// <summary>Routes Device.Cuda back to the real GPU (the default).</summary>
    public static void UseHardware()
    {
        lock (Gate) _useEmulator = false;
    }

    /// <summary>True when Device.Cuda (ordinal <paramref name="ordinal"/>) can be used now; otherwise the one-sentence reason.</summary>
    public static bool IsAvailable(out string reason, int ordinal = 0)
    {
        try
        {
            BackendFor(new Device(DeviceKind.Cuda, ordinal));
            reason = "";
            return true;
        }
        catch (DeviceUnavailableException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>One line: the device and what runs GEMM and convolution.</summary>
    public static string Describe(Device device) => BackendFor(device).Context.Description;

    /// <summary>The caching allocator of the device (bytes in use, cached, peak, hit counts).</summary>
    public static CachingAllocator Allocator(Device device) => BackendFor(device).Context.Allocator;

    /// <summary>Waits until every queued kernel and copy of the device has finished.</summary>
    public static void Synchronize(Device device) => BackendFor(device).Context.Synchronize();

    /// <summary>Allows TF32 tensor-core math in cuBLAS GEMM (off by default; no effect without cuBLAS).</summary>
    public static void SetAllowTf32(Device device, bool allow)
    {
        if (BackendFor(device).Context.Blas is { } blas) blas.AllowTf32 = allow;
    }

    /// <summary>The context behind a device (for diagnostics and benchmarks).</summary>
    public static GpuContext Context(Device device) => BackendFor(device).Context;

    internal static CudaBackend BackendFor(Device device)
    {
        lock (Gate)
        {
            if (_useEmulator) return _emulated!;
            if (Hardware.TryGetValue(device.Index, out CudaBackend? backend)) return backend;
            if (Failures.TryGetValue(device.Index, out string? why)) throw new DeviceUnavailableException(why);
            HardwareContext? context = HardwareContext.TryOpen(out string reason, device.Index);
            if (context is null)
            {
                Failures[device.Index] = reason;
                throw new DeviceUnavailableException(reason);
            }
            return Hardware[device.Index] = new CudaBackend(context, device);
        }
    }

    private static string DefaultEmulatorPath()
    {
        if (Environment.GetEnvironmentVariable("OPACITY_CUDA_EMULATOR") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "build", "native", "libopk_emu.so");
            if (File.Exists(candidate)) return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "libopk_emu.so");
    }
}
