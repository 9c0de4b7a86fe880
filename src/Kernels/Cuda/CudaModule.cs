// One loaded PTX module (cuModuleLoadDataEx), with the JIT's error and info logs captured in 8 KiB
// buffers and put into the exception when loading fails (a bad PTX otherwise fails with a bare
// CUDA_ERROR_INVALID_PTX). Functions are looked up once and cached.
using System.Runtime.InteropServices;
using System.Text;
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CudaModule : IDisposable
{
    private const int LogBytes = 8192;
    private readonly CudaDevice _device;
    private readonly Dictionary<string, nint> _functions = new(StringComparer.Ordinal);

    private CudaModule(CudaDevice device, string name, nint handle)
    {
        _device = device;
        Name = name;
        Handle = handle;
    }

    public string Name { get; }

    public nint Handle { get; private set; }

    /// <summary>Loads the embedded <c>kernels/ptx/&lt;module&gt;.ptx</c>.</summary>
    public static CudaModule LoadEmbedded(CudaDevice device, string module) => Load(device, module, PtxModules.Bytes(module));

    /// <summary>Loads a NUL-terminated PTX image.</summary>
    public static unsafe CudaModule Load(CudaDevice device, string name, byte[] ptx)
    {
        if (ptx.Length == 0 || ptx[^1] != 0) throw new ArgumentException($"The PTX image of module '{name}' must end with a NUL byte.", nameof(ptx));
        device.MakeCurrent();
        byte* errorLog = stackalloc byte[LogBytes];
        byte* infoLog = stackalloc byte[LogBytes];
        errorLog[0] = 0;
        infoLog[0] = 0;
        int* options = stackalloc int[]
        {
            CudaConstants.JitErrorLogBuffer, CudaConstants.JitErrorLogBufferSizeBytes,
            CudaConstants.JitInfoLogBuffer, CudaConstants.JitInfoLogBufferSizeBytes,
        };
        // Option values go in the void* slots themselves; sizes are passed by value (CUDA.md pitfall 8).
        void** values = stackalloc void*[] { errorLog, (void*)LogBytes, infoLog, (void*)LogBytes };
        int status;
        nint handle;
        fixed (byte* image = ptx) status = CudaDriver.ModuleLoadDataEx(out handle, image, 4, options, values);
        if (status != CudaResult.Success)
        {
            string log = (Marshal.PtrToStringUTF8((nint)errorLog) ?? "").Trim();
            string info = (Marshal.PtrToStringUTF8((nint)infoLog) ?? "").Trim();
            string detail = $"module '{name}'" + (log.Length > 0 ? $", JIT error log: {log}" : ", the JIT error log is empty") +
                            (info.Length > 0 ? $", info log: {info}" : "");
            throw new CudaException("cuModuleLoadDataEx", status, detail);
        }
        return new CudaModule(device, name, handle);
    }

    /// <summary>The CUfunction of an <c>extern "C"</c> entry point (cached).</summary>
    public unsafe nint Function(string entryPoint)
    {
        ObjectDisposedException.ThrowIf(Handle == 0, this);
        if (_functions.TryGetValue(entryPoint, out nint f)) return f;
        byte[] name = Encoding.UTF8.GetBytes(entryPoint + "\0");
        int status;
        fixed (byte* p = name) status = CudaDriver.ModuleGetFunction(out f, Handle, p);
        if (status != CudaResult.Success) throw new CudaException("cuModuleGetFunction", status, $"no entry point '{entryPoint}' in module '{Name}'");
        _functions[entryPoint] = f;
        return f;
    }

    public void Dispose()
    {
        if (Handle == 0) return;
        _device.MakeCurrent();
        int status = CudaDriver.ModuleUnload(Handle);
        Handle = 0;
        if (status != CudaResult.Success && status != CudaResult.Deinitialized) throw new CudaException("cuModuleUnload", status);
    }
}
