// The Newton-Schulz square-root step of FID on a GpuContext (FID_KID.md 8.3): tr sqrt(M) for the symmetric PSD
// d x d float64 matrix M, in FP64 on the device, with the stopping rule, guard and residual check of
// Cpu/Linalg/NewtonSchulz.cs (the same loop object runs here; only the steps differ).
// Per iteration: three square DGEMMs (ZY, YT, TZ) plus ns_t and trace_f64 from kernels/cu/newton_schulz.cu;
// the trace (8 bytes) comes back to the host every iteration for the stopping rule. Y and Z are swapped with the
// scratch buffer instead of copied. The residual ||Y^2 - M/c||_F reuses ns_init (tmp = M/c, the T buffer as the
// identity scratch), one DGEMM with beta = -1 and the float64 squared sum of ReduceCuda; ||M||_F is that same sum.
// GEMMs (IDeviceSquareProduct): cuBLAS DGEMM when the context has cuBLAS (real GPU, CUBLAS_DEFAULT_MATH; TF32 does
// not apply to DGEMM); in the host emulator there is no cuBLAS and device memory is host memory, so the products run
// our CPU Dgemm on those pointers (HostPointerSquareProduct). A real GPU without cuBLAS is an error with the reason
// (there is no hand FP64 GEMM kernel).
// Versions: v1 only (default). Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorFidCudaTests.cs (emulator vs the CPU
// loop at d = 1, 7, 33, 130; the "cuda" fixture on a real GPU, Ignored with the reason without one).
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Kernels.Cuda;

/// <summary>Square row-major FP64 product on device pointers: <c>C = alpha A B + beta C</c> (d x d).</summary>
public interface IDeviceSquareProduct
{
    void Multiply(int d, double alpha, ulong a, ulong b, double beta, ulong c);
}

/// <summary>cuBLAS DGEMM.</summary>
public sealed class CublasSquareProduct(CublasHandle blas) : IDeviceSquareProduct
{
    public void Multiply(int d, double alpha, ulong a, ulong b, double beta, ulong c)
        => blas.Dgemm(false, false, d, d, d, alpha, a, b, beta, c);
}

/// <summary>Our CPU Dgemm on "device" pointers that are host memory (the emulator only).</summary>
public sealed class HostPointerSquareProduct : IDeviceSquareProduct
{
    public unsafe void Multiply(int d, double alpha, ulong a, ulong b, double beta, ulong c)
    {
        int n = checked(d * d);
        Dgemm.Multiply(false, false, d, d, d, alpha, new ReadOnlySpan<double>((void*)a, n), d,
            new ReadOnlySpan<double>((void*)b, n), d, beta, new Span<double>((void*)c, n), d);
    }
}

public static class FidCuda
{
    /// <summary>The GEMM this context can run: cuBLAS, or the host Dgemm on the emulator.</summary>
    public static IDeviceSquareProduct ProductFor(GpuContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Blas is { } blas) return new CublasSquareProduct(blas);
        if (context.IsEmulated) return new HostPointerSquareProduct();
        throw new CudaException($"The FP64 Newton-Schulz step needs cuBLAS DGEMM, which is unavailable: {context.BlasUnavailableReason}");
    }

    /// <summary>tr sqrt(M) by FP64 Newton-Schulz on the device (M uploaded from the host).</summary>
    public static NewtonSchulzResult TraceSqrt(GpuContext context, ReadOnlySpan<double> m, int d,
        NewtonSchulzOptions? options = null, IDeviceSquareProduct? product = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (d < 1 || m.Length < (long)d * d)
            throw new ArgumentException($"FidCuda.TraceSqrt: the matrix has {m.Length} values, fewer than d x d = {(long)d * d}.");
        using var steps = new DeviceNewtonSchulzSteps(context, m, d, product ?? ProductFor(context));
        return NewtonSchulz.Run(steps, steps.FrobeniusNorm(), options ?? NewtonSchulzOptions.Default);
    }
}

/// <summary>Device buffers M, Y, Z, T, scratch, reduction partials and one scalar; see the file header.</summary>
public sealed class DeviceNewtonSchulzSteps : INewtonSchulzSteps, IDisposable
{
    private readonly GpuContext _context;
    private readonly IDeviceSquareProduct _gemm;
    private readonly int _d;
    private readonly DeviceBlock[] _blocks;
    private readonly ulong _m, _t, _partials, _scalar;
    private ulong _y, _z, _tmp;

    public unsafe DeviceNewtonSchulzSteps(GpuContext context, ReadOnlySpan<double> m, int d, IDeviceSquareProduct gemm)
    {
        _context = context; _gemm = gemm; _d = d;
        long bytes = (long)d * d * sizeof(double);
        _blocks = [.. Enumerable.Range(0, 5).Select(_ => context.Allocator.Allocate(bytes)),
            context.Allocator.Allocate(ReduceCuda.PartialCount((long)d * d) * sizeof(double)), context.Allocator.Allocate(sizeof(double))];
        (_m, _y, _z, _t, _tmp, _partials, _scalar) = (_blocks[0].Pointer, _blocks[1].Pointer, _blocks[2].Pointer,
            _blocks[3].Pointer, _blocks[4].Pointer, _blocks[5].Pointer, _blocks[6].Pointer);
        fixed (double* p = m) context.CopyToDevice(_m, p, bytes);
    }

    /// <summary>||M||_F, summed in FP64 on the device.</summary>
    public double FrobeniusNorm() => Math.Sqrt(SquaredSum(_m));

    public double Start(double invNorm)
    {
        NewtonSchulzCuda.Init(_context.Launcher, _m, _y, _z, _d, invNorm);
        return TraceOf(_y);
    }

    public double Step()
    {
        _gemm.Multiply(_d, 1, _z, _y, 0, _tmp);                      // ZY
        NewtonSchulzCuda.HalfThreeMinus(_context.Launcher, _tmp, _t, _d);
        _gemm.Multiply(_d, 1, _y, _t, 0, _tmp);                      // Y <- YT
        (_y, _tmp) = (_tmp, _y);
        _gemm.Multiply(_d, 1, _t, _z, 0, _tmp);                      // Z <- TZ
        (_z, _tmp) = (_tmp, _z);
        return TraceOf(_y);
    }

    public double Residual(double invNorm)
    {
        NewtonSchulzCuda.Init(_context.Launcher, _m, _tmp, _t, _d, invNorm);   // tmp = M/c (T is scratch until the next Step)
        _gemm.Multiply(_d, 1, _y, _y, -1, _tmp);                    // Y^2 - M/c
        return Math.Sqrt(SquaredSum(_tmp));
    }

    public void Dispose()
    {
        foreach (DeviceBlock b in _blocks) b.Dispose();
    }

    private double TraceOf(ulong a)
    {
        NewtonSchulzCuda.Trace(_context.Launcher, a, _d, _scalar);
        return ReadScalar();
    }

    private double SquaredSum(ulong a)
    {
        ReduceCuda.SumF64(_context.Launcher, a, checked(_d * _d), squared: true, _partials, _scalar);
        return ReadScalar();
    }

    private unsafe double ReadScalar()
    {
        double v;
        _context.CopyToHost(&v, _scalar, sizeof(double));
        return v;
    }
}
