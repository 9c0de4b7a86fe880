// Linear algebra at the Tensor level: the facade that layers above Tensor (Gan's FID and KID) call instead of
// reaching into Kernels. It works on double[]/spans with explicit dimensions (no Tensor type yet) and today
// dispatches to the CPU float64 kernels in Opacity.Kernels.Cpu.Linalg. TraceSqrtProductNewtonSchulz is the
// Newton-Schulz square-root step of FID_KID.md 8.3 on Device.Cpu or Device.Cuda (FidCuda: FP64, cuBLAS DGEMM, or
// the host emulator); its symmetric M is formed on the CPU in float64 (Cholesky route, else the eigen route).
// Row-major throughout. Tested through the kernel tests (tests/Opacity.Kernels.Tests/Linalg) and the metric
// tests (tests/Opacity.Gan.Tests/Metrics).
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cuda;

namespace Opacity.Tensors;

public static class Linalg
{
    /// <summary><c>C = alpha * op(A) * op(B) + beta * C</c> in float64 (row-major; op(A) m x k, op(B) k x n).</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
        => Dgemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>Gram matrix of the rows: <c>G = X X^T</c> (X n x d, G n x n, exactly symmetric).</summary>
    public static void Gram(ReadOnlySpan<double> x, int n, int d, Span<double> g)
        => Syrk.Multiply(false, n, d, 1.0, x, d, g, n);

    /// <summary>Column means and unbiased covariance (ddof 1, two-pass, float64) of X (n x d); n at least 2.</summary>
    public static void MeanAndCovariance(ReadOnlySpan<double> x, int n, int d, Span<double> mean, Span<double> covariance)
        => Covariance.MeanAndCovariance(x, n, d, mean, covariance);

    /// <summary>Symmetric eigendecomposition: eigenvalues ascending; when <paramref name="eigenvectors"/> is not
    /// empty (n x n), its row i is the unit eigenvector of eigenvalue i.</summary>
    public static void SymmetricEigen(ReadOnlySpan<double> a, int n, Span<double> eigenvalues, Span<double> eigenvectors)
        => Kernels.Cpu.Linalg.SymmetricEigen.Decompose(a, n, eigenvalues, eigenvectors);

    /// <summary><c>tr sqrt(S1 S2)</c> for symmetric PSD d x d matrices (negative eigenvalues of the symmetric
    /// product clamped to 0), with diagnostics. <paramref name="method"/>: Auto (default) takes the Cholesky route
    /// when S1 or S2 is positive definite and the symmetric eigen route (the reference) otherwise.</summary>
    public static TraceSqrtResult TraceSqrtProduct(ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d,
        TraceSqrtMethod method = TraceSqrtMethod.Auto)
    {
        TraceSqrtRoute route = method switch
        {
            TraceSqrtMethod.Eigen => TraceSqrtRoute.Eigen,
            TraceSqrtMethod.Cholesky => TraceSqrtRoute.Cholesky,
            TraceSqrtMethod.Thin => throw new ArgumentException("The thin-factor route needs the factor: call TraceSqrtProductThin."),
            TraceSqrtMethod.NewtonSchulz => throw new ArgumentException("The Newton-Schulz route runs on a device: call TraceSqrtProductNewtonSchulz."),
            _ => TraceSqrtRoute.Auto,
        };
        return Result(Kernels.Cpu.Linalg.TraceSqrtProduct.Compute(sigma1, sigma2, d, route));
    }

    /// <summary><c>tr sqrt(S1 S2)</c> from a thin factor A (r x d) with A^T A = S1 (e.g. centred features over
    /// sqrt(N - 1)): the eigenvalues of the r x r matrix A S2 A^T. Exact, and the cheap route when r &lt; d.</summary>
    public static TraceSqrtResult TraceSqrtProductThin(ReadOnlySpan<double> factor1, int r, ReadOnlySpan<double> sigma2, int d)
        => Result(Kernels.Cpu.Linalg.TraceSqrtProduct.ComputeThin(factor1, r, sigma2, d));

    /// <summary><c>tr sqrt(S1 S2)</c> by FP64 coupled Newton-Schulz (FID_KID.md 8.3) on <paramref name="device"/>, applied
    /// to the symmetric PSD M similar to S1 S2 (formed on the CPU). The report carries iterations, stop reason,
    /// guard and residual; it is an approximation that under-estimates when M has eigenvalues below ~1e-12 ||M||_F.
    /// A CUDA device that is not there throws DeviceUnavailableException with the reason.</summary>
    public static (TraceSqrtResult Result, NewtonSchulzReport Report) TraceSqrtProductNewtonSchulz(
        ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d, Device device)
    {
        SymmetricProductMatrix p = SymmetricProduct.Form(sigma1, sigma2, d);
        NewtonSchulzResult r = device.IsCpu
            ? NewtonSchulz.TraceSqrt(p.M, p.Order)
            : FidCuda.TraceSqrt(CudaRuntime.BackendFor(device).Context, p.M, p.Order);
        var report = new NewtonSchulzReport(device, r.Iterations, r.Stop.ToString(), r.GuardTripped, r.Residual,
            r.FallbackAdvised, p.Order, p.Cholesky);
        return (new TraceSqrtResult(r.Value, 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, TraceSqrtMethod.NewtonSchulz), report);
    }

    private static TraceSqrtResult Result(TraceSqrtOutcome o)
        => new(o.Value, o.ClampedSigma1, o.ClampedMassSigma1, o.ClampedProduct, o.ClampedSqrtMassProduct,
            o.MinEigenvalueSigma1, o.MaxEigenvalueSigma1, o.MinEigenvalueProduct, o.MaxEigenvalueProduct,
            o.Route switch
            {
                TraceSqrtRoute.Cholesky => TraceSqrtMethod.Cholesky,
                TraceSqrtRoute.Thin => TraceSqrtMethod.Thin,
                _ => TraceSqrtMethod.Eigen,
            });
}

/// <summary>How <c>tr sqrt(S1 S2)</c> is evaluated (Kernels.Cpu.Linalg.TraceSqrtProduct's header has the details).</summary>
public enum TraceSqrtMethod
{
    /// <summary>Cholesky route when S1 or S2 is positive definite, else the eigen route.</summary>
    Auto = 0,
    /// <summary>Symmetric eigen route (the reference; any PSD input).</summary>
    Eigen = 1,
    /// <summary>Cholesky route, falling back like Auto when neither matrix is positive definite.</summary>
    Cholesky = 2,
    /// <summary>Thin-factor route from the features of a set with N - 1 &lt; d (TraceSqrtProductThin only).</summary>
    Thin = 3,
    /// <summary>FP64 Newton-Schulz on a device (TraceSqrtProductNewtonSchulz only; approximate, see its report).</summary>
    NewtonSchulz = 4,
}

/// <summary>How a Newton-Schulz square-root step went: the device, iterations, why it stopped (Converged,
/// MaxIterations, Diverged, ZeroMatrix), whether the divergence guard tripped, the final residual ||Y^2 - M/c||_F,
/// whether that residual (or the guard) advises the exact route, and the order and route of the matrix M.</summary>
public sealed record NewtonSchulzReport(Device Device, int Iterations, string Stop, bool GuardTripped, double Residual,
    bool FallbackAdvised, int Order, bool CholeskyProduct);

/// <summary><c>tr sqrt(S1 S2)</c> and what was clamped: eigenvalues of S1 below 0 (count, total magnitude) and
/// eigenvalues of the symmetric product M below 0 (count, sum of sqrt|mu|), plus the extreme eigenvalues (those of
/// S1 are NaN on the Cholesky route, which does not compute them). <c>Method</c> is the route actually taken.</summary>
public readonly record struct TraceSqrtResult(
    double Value,
    int ClampedSigma1,
    double ClampedMassSigma1,
    int ClampedProduct,
    double ClampedSqrtMassProduct,
    double MinEigenvalueSigma1,
    double MaxEigenvalueSigma1,
    double MinEigenvalueProduct,
    double MaxEigenvalueProduct,
    TraceSqrtMethod Method);
