// [LibraryImport] declarations for cuBLAS (libcublas.so.13|12 + libcublasLt, logical name "cublas",
// resolved and preloaded by CudaLibraryResolver). The v2 API only: the unsuffixed cublasSgemm /
// cublasCreate are the legacy cublas.h API (char transa, no handle) and corrupt the stack when called
// with v2 arguments (CUDA.md §2.1). Row-major C = A·B is gemm(N, N, m = N, n = M, k = K, B, A) (§2.3).
// Status values are sparse (CublasStatus). Declarations only so far: no handle wrapper or GEMM launcher
// yet, and nothing here has run on a GPU.
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cuda.Native;

internal static unsafe partial class CuBlas
{
    public const string Library = "cublas";

    static CuBlas() => CudaLibraryResolver.EnsureRegistered();

    [LibraryImport(Library, EntryPoint = "cublasCreate_v2")] public static partial int Create(out nint handle);
    [LibraryImport(Library, EntryPoint = "cublasDestroy_v2")] public static partial int Destroy(nint handle);
    [LibraryImport(Library, EntryPoint = "cublasSetStream_v2")] public static partial int SetStream(nint handle, nint stream);
    [LibraryImport(Library, EntryPoint = "cublasSetWorkspace_v2")] public static partial int SetWorkspace(nint handle, ulong workspace, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cublasSetPointerMode_v2")] public static partial int SetPointerMode(nint handle, int mode);
    [LibraryImport(Library, EntryPoint = "cublasSetMathMode")] public static partial int SetMathMode(nint handle, int mode);
    [LibraryImport(Library, EntryPoint = "cublasGetVersion_v2")] public static partial int GetVersion(nint handle, out int version);
    [LibraryImport(Library, EntryPoint = "cublasGetStatusName")] public static partial nint GetStatusName(int status);
    [LibraryImport(Library, EntryPoint = "cublasGetStatusString")] public static partial nint GetStatusString(int status);

    [LibraryImport(Library, EntryPoint = "cublasSgemm_v2")]
    public static partial int Sgemm(nint handle, int transA, int transB, int m, int n, int k, float* alpha, ulong a, int lda,
        ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Library, EntryPoint = "cublasDgemm_v2")]
    public static partial int Dgemm(nint handle, int transA, int transB, int m, int n, int k, double* alpha, ulong a, int lda,
        ulong b, int ldb, double* beta, ulong c, int ldc);

    [LibraryImport(Library, EntryPoint = "cublasSgemmStridedBatched")]
    public static partial int SgemmStridedBatched(nint handle, int transA, int transB, int m, int n, int k, float* alpha,
        ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float* beta, ulong c, int ldc, long strideC, int batchCount);

    [LibraryImport(Library, EntryPoint = "cublasGemmEx")]
    public static partial int GemmEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha, ulong a, int aType,
        int lda, ulong b, int bType, int ldb, void* beta, ulong c, int cType, int ldc, int computeType, int algo);
}

/// <summary>cublasStatus_t (sparse values, CUDA.md §2.2).</summary>
internal static class CublasStatus
{
    public const int Success = 0, NotInitialized = 1, AllocFailed = 3, InvalidValue = 7, ArchMismatch = 8, MappingError = 11,
        ExecutionFailed = 13, InternalError = 14, NotSupported = 15, LicenseError = 16;
}

/// <summary>cuBLAS enum values used with the declarations above (CUDA.md §2.2).</summary>
internal static class CublasConstants
{
    public const int OpN = 0, OpT = 1;
    public const int PointerModeHost = 0, PointerModeDevice = 1;
    public const int MathDefault = 0, MathPedantic = 2, MathTf32TensorOp = 3;
    public const int Compute32F = 68, Compute32FPedantic = 69, Compute64F = 70, Compute32FFastTf32 = 77;
    public const int DataR32F = 0, DataR64F = 1;
    public const int GemmDefault = -1;
}
