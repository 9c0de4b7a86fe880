// A cuBLAS v2 handle bound to one stream, and row-major SGEMM on it. cuBLAS is column-major; a
// row-major C = op(A)·op(B) is the column-major C^T = op(B)^T·op(A)^T, so the call swaps the operands
// and m/n (CUDA.md §2.3) and keeps the row-major leading dimensions. The math mode is set explicitly:
// CUBLAS_DEFAULT_MATH (no TF32) unless AllowTf32 is set, which switches to CUBLAS_TF32_TENSOR_OP_MATH
// (about 10-bit mantissa products: faster on Ampere+, not bitwise comparable with the CPU).
// Dgemm (FP64, same mapping) serves the Newton-Schulz FID step (NewtonSchulzCuda.TraceSqrt).
// A missing library is CudaLibraryMissingException with the sonames and folders tried.
// Tested: not on a GPU yet (no GPU in CI); the argument mapping is checked against the CPU GEMM by
// `opacity selftest --device cuda` on a lent GPU.
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CublasHandle : IDisposable
{
    private readonly CudaDevice _device;
    private nint _handle;
    private bool _allowTf32;

    public CublasHandle(CudaDevice device, nint stream)
    {
        _device = device;
        device.MakeCurrent();
        int status;
        try
        {
            status = CuBlas.Create(out _handle);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new CudaLibraryMissingException("cuBLAS", "libcublas.so.13 / libcublas.so.12 (with libcublasLt)", CudaLibraryResolver.Diagnostics);
        }
        Check(status, "cublasCreate_v2");
        Check(CuBlas.SetStream(_handle, stream), "cublasSetStream_v2");
        Check(CuBlas.SetPointerMode(_handle, CublasConstants.PointerModeHost), "cublasSetPointerMode_v2");
        Check(CuBlas.SetMathMode(_handle, CublasConstants.MathDefault), "cublasSetMathMode");
    }

    /// <summary>False by default (exact FP32 products); true allows TF32 tensor-core math.</summary>
    public bool AllowTf32
    {
        get => _allowTf32;
        set
        {
            _device.MakeCurrent();
            Check(CuBlas.SetMathMode(_handle, value ? CublasConstants.MathTf32TensorOp : CublasConstants.MathDefault), "cublasSetMathMode");
            _allowTf32 = value;
        }
    }

    /// <summary>Row-major <c>C[m×n] = alpha·op(A)·op(B) + beta·C</c>; A is m×k (k×m when transA), B is k×n (n×k when transB).</summary>
    public unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, ulong b, float beta, ulong c)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        _device.MakeCurrent();
        Check(CuBlas.Sgemm(_handle, transB ? CublasConstants.OpT : CublasConstants.OpN, transA ? CublasConstants.OpT : CublasConstants.OpN,
            n, m, k, &alpha, b, ldb, a, lda, &beta, c, n), "cublasSgemm_v2");
    }

    /// <summary>Row-major FP64 <c>C[m×n] = alpha·op(A)·op(B) + beta·C</c> (same mapping as <see cref="Sgemm"/>; the
    /// math mode does not affect DGEMM).</summary>
    public unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ulong a, ulong b, double beta, ulong c)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        _device.MakeCurrent();
        Check(CuBlas.Dgemm(_handle, transB ? CublasConstants.OpT : CublasConstants.OpN, transA ? CublasConstants.OpT : CublasConstants.OpN,
            n, m, k, &alpha, b, ldb, a, lda, &beta, c, n), "cublasDgemm_v2");
    }

    /// <summary><see cref="Sgemm"/> over <paramref name="batch"/> matrices at element strides strideA/B/C.</summary>
    public unsafe void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, long strideA,
        ulong b, long strideB, float beta, ulong c, long strideC, int batch)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        _device.MakeCurrent();
        Check(CuBlas.SgemmStridedBatched(_handle, transB ? CublasConstants.OpT : CublasConstants.OpN, transA ? CublasConstants.OpT : CublasConstants.OpN,
            n, m, k, &alpha, b, ldb, strideB, a, lda, strideA, &beta, c, n, strideC, batch), "cublasSgemmStridedBatched");
    }

    public void Dispose()
    {
        if (_handle == 0) return;
        _device.MakeCurrent();
        int status = CuBlas.Destroy(_handle);
        _handle = 0;
        Check(status, "cublasDestroy_v2");
    }

    private static void Check(int status, string call)
    {
        if (status != CublasStatus.Success) throw new CudaException($"{call} failed with cuBLAS status {status}.");
    }
}

/// <summary>A CUDA library (cuBLAS, cuDNN) could not be loaded; the message says what and where it looked.</summary>
public sealed class CudaLibraryMissingException : Exception
{
    public CudaLibraryMissingException() { }

    public CudaLibraryMissingException(string message) : base(message) { }

    public CudaLibraryMissingException(string message, Exception inner) : base(message, inner) { }

    public CudaLibraryMissingException(string library, string sonames, string tried)
        : base($"{library} is not available: {sonames} could not be loaded" + (tried.Length > 0 ? $" (tried {tried})." : " (set OPACITY_CUDA_LIBDIR to its folder)."))
    {
    }
}
