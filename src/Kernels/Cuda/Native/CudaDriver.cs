// [LibraryImport] declarations for the CUDA driver API (libcuda.so.1, logical name "cuda", resolved by
// CudaLibraryResolver). Blittable signatures only; every versioned entry point is named explicitly in
// EntryPoint (cuMemAlloc_v2 ...): the unsuffixed legacy symbols are still exported with the old ABI
// and would bind silently (CUDA.md, pitfall 1). Tests check the EntryPoint strings against a list.
// All functions return CUresult (see CudaResult). Handles (CUcontext, CUmodule, CUfunction, CUstream,
// CUevent) are nint; CUdeviceptr is ulong; CUdevice is int.
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cuda.Native;

internal static unsafe partial class CudaDriver
{
    public const string Library = "cuda";

    // The resolver must be registered before the first import binds; an explicit static constructor
    // runs before any static member of this class is touched.
    static CudaDriver() => CudaLibraryResolver.EnsureRegistered();

    // Initialisation and devices
    [LibraryImport(Library, EntryPoint = "cuInit")] public static partial int Init(uint flags);
    [LibraryImport(Library, EntryPoint = "cuDriverGetVersion")] public static partial int DriverGetVersion(out int version);
    [LibraryImport(Library, EntryPoint = "cuDeviceGetCount")] public static partial int DeviceGetCount(out int count);
    [LibraryImport(Library, EntryPoint = "cuDeviceGet")] public static partial int DeviceGet(out int device, int ordinal);
    [LibraryImport(Library, EntryPoint = "cuDeviceGetName")] public static partial int DeviceGetName(byte* name, int length, int device);
    [LibraryImport(Library, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int DeviceTotalMem(out nuint bytes, int device);
    [LibraryImport(Library, EntryPoint = "cuDeviceGetAttribute")] public static partial int DeviceGetAttribute(out int value, int attribute, int device);

    // Primary context (cuBLAS/cuDNN run on it); current-ness is per thread
    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRetain")] public static partial int DevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial int DevicePrimaryCtxRelease(int device);
    [LibraryImport(Library, EntryPoint = "cuCtxSetCurrent")] public static partial int CtxSetCurrent(nint context);
    [LibraryImport(Library, EntryPoint = "cuCtxGetCurrent")] public static partial int CtxGetCurrent(out nint context);
    [LibraryImport(Library, EntryPoint = "cuCtxSynchronize")] public static partial int CtxSynchronize();

    // Modules and launches (PTX images must be NUL-terminated)
    [LibraryImport(Library, EntryPoint = "cuModuleLoadDataEx")]
    public static partial int ModuleLoadDataEx(out nint module, byte* image, uint optionCount, int* options, void** optionValues);
    [LibraryImport(Library, EntryPoint = "cuModuleGetFunction")] public static partial int ModuleGetFunction(out nint function, nint module, byte* name);
    [LibraryImport(Library, EntryPoint = "cuModuleUnload")] public static partial int ModuleUnload(nint module);
    [LibraryImport(Library, EntryPoint = "cuLaunchKernel")]
    public static partial int LaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, nint stream, void** kernelParams, void** extra);

    // Memory (copies count bytes; cuMemsetD32 counts 32-bit words)
    [LibraryImport(Library, EntryPoint = "cuMemGetInfo_v2")] public static partial int MemGetInfo(out nuint free, out nuint total);
    [LibraryImport(Library, EntryPoint = "cuMemAlloc_v2")] public static partial int MemAlloc(out ulong devicePtr, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cuMemFree_v2")] public static partial int MemFree(ulong devicePtr);
    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoD_v2")] public static partial int MemcpyHtoD(ulong dst, void* src, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoH_v2")] public static partial int MemcpyDtoH(void* dst, ulong src, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoD_v2")] public static partial int MemcpyDtoD(ulong dst, ulong src, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial int MemcpyHtoDAsync(ulong dst, void* src, nuint bytes, nint stream);
    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial int MemcpyDtoHAsync(void* dst, ulong src, nuint bytes, nint stream);
    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoDAsync_v2")] public static partial int MemcpyDtoDAsync(ulong dst, ulong src, nuint bytes, nint stream);
    [LibraryImport(Library, EntryPoint = "cuMemsetD32_v2")] public static partial int MemsetD32(ulong dst, uint value, nuint words);
    [LibraryImport(Library, EntryPoint = "cuMemsetD32Async")] public static partial int MemsetD32Async(ulong dst, uint value, nuint words, nint stream);

    // Streams and events
    [LibraryImport(Library, EntryPoint = "cuStreamCreate")] public static partial int StreamCreate(out nint stream, uint flags);
    [LibraryImport(Library, EntryPoint = "cuStreamSynchronize")] public static partial int StreamSynchronize(nint stream);
    [LibraryImport(Library, EntryPoint = "cuStreamWaitEvent")] public static partial int StreamWaitEvent(nint stream, nint evt, uint flags);
    [LibraryImport(Library, EntryPoint = "cuStreamDestroy_v2")] public static partial int StreamDestroy(nint stream);
    [LibraryImport(Library, EntryPoint = "cuEventCreate")] public static partial int EventCreate(out nint evt, uint flags);
    [LibraryImport(Library, EntryPoint = "cuEventRecord")] public static partial int EventRecord(nint evt, nint stream);
    [LibraryImport(Library, EntryPoint = "cuEventSynchronize")] public static partial int EventSynchronize(nint evt);
    [LibraryImport(Library, EntryPoint = "cuEventElapsedTime")] public static partial int EventElapsedTime(out float milliseconds, nint start, nint end);
    [LibraryImport(Library, EntryPoint = "cuEventDestroy_v2")] public static partial int EventDestroy(nint evt);

    // Errors: the strings are static, never free them
    [LibraryImport(Library, EntryPoint = "cuGetErrorName")] public static partial int GetErrorName(int error, out nint name);
    [LibraryImport(Library, EntryPoint = "cuGetErrorString")] public static partial int GetErrorString(int error, out nint text);
}

/// <summary>CUresult values the engine handles by name (CUDA.md §1.5).</summary>
internal static class CudaResult
{
    public const int Success = 0, InvalidValue = 1, OutOfMemory = 2, NotInitialized = 3, Deinitialized = 4, StubLibrary = 34,
        NoDevice = 100, InvalidDevice = 101, InvalidImage = 200, InvalidContext = 201, NoBinaryForGpu = 209, InvalidPtx = 218,
        JitCompilerNotFound = 221, UnsupportedPtxVersion = 222, NotFound = 500, IllegalAddress = 700, LaunchFailed = 719;
}

/// <summary>CUjit_option and CUdevice_attribute values used here (CUDA.md §1.5).</summary>
internal static class CudaConstants
{
    public const int JitInfoLogBuffer = 3, JitInfoLogBufferSizeBytes = 4, JitErrorLogBuffer = 5, JitErrorLogBufferSizeBytes = 6;
    public const int AttributeMultiprocessorCount = 16, AttributeComputeCapabilityMajor = 75, AttributeComputeCapabilityMinor = 76;
}
