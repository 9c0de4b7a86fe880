// Coupled Newton-Schulz trace of a matrix square root, tr sqrt(M) for symmetric PSD M (d x d, float64), with the
// stopping rule, divergence guard and residual check of FID_KID.md 8.3. One loop for every backend: the matrix
// work sits behind INewtonSchulzSteps (HostNewtonSchulzSteps here, with our Dgemm or GemmReference; the CUDA
// steps in Kernels/Cuda/NewtonSchulzCuda.cs with cuBLAS DGEMM, or the host DGEMM in the emulator).
//   c = ||M||_F (FP64), Y0 = M/c, Z0 = I; T = (3I - ZY)/2, Y <- YT, Z <- TZ; value = sqrt(c) tr(Y_k).
//   Stop: t_k - t_{k-1} <= tol * t_k on two consecutive iterations (Converged), or k = MaxIterations.
//   Guard: a non-finite trace, or t_k < t_{k-1} - DecreaseTolerance * |t_k| (a real decrease: impossible in exact
//   arithmetic for PSD M, it signals a negative-eigenvalue blow-up) returns sqrt(c) t_{k-1} with GuardTripped.
//   Deviation from the doc's strict t_k < t_{k-1}, measured: once a spectrum down to ~1e-11 c has converged, tr(Y)
//   wobbles down by rounding of up to a few 1e-13 relative (d = 64, geometric 1..1e-6 pairs), which tripped a strict
//   (or tol = 1e-13) guard on results that were correct to 4e-13 relative. A smaller decrease counts as a
//   no-progress step. A blow-up grows ~x1.5 per step in the trace, so it passes 1e-10 t within a few steps of
//   becoming visible, and the returned t_{k-1} is off by at most ~1e-10 relative from it. MaxRelativeDecrease
//   reports the largest decrease seen.
//   Residual: r = ||Y^2 - M/c||_F every ResidualEvery iterations and at the end (piq's check: it weights each
//   eigen-direction by its eigenvalue, unlike ||I - ZY||_F, which stays ~sqrt(d - rank) for singular M);
//   FallbackAdvised when the final r > ResidualLimit (1e-10 for FP64): take the exact route (TraceSqrtProduct).
//   A non-finite periodic residual (a NaN/inf off the diagonal of Y while tr(Y) is still finite) trips the guard too.
// Defaults: tol 1e-13, MaxIterations 45, ResidualEvery 5, ResidualLimit 1e-10 (FP64 values of 8.3), DecreaseTolerance 1e-10.
// NS under-estimates tr sqrt(M) when eigenvalues far below c have not converged (FID_KID.md 5.4): after K steps an
// eigenvalue a = lambda/c has converged only if K >~ 2.9 log10(1/a) + 5.
// Tested in tests/Opacity.Kernels.Tests/Linalg/NewtonSchulzTests.cs against TraceSqrtProduct (calibration suite)
// and in Cuda/EmulatorNewtonSchulzLoopTests.cs (device loop vs this one).
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Cpu.Linalg;

/// <summary>Why the Newton-Schulz loop stopped.</summary>
public enum NewtonSchulzStop
{
    /// <summary>Two consecutive increments of tr(Y) at or below tol * tr(Y).</summary>
    Converged = 0,
    /// <summary>MaxIterations reached before that (the value may under-estimate tr sqrt(M)).</summary>
    MaxIterations = 1,
    /// <summary>Non-finite or decreasing trace: the previous trace was returned.</summary>
    Diverged = 2,
    /// <summary>M = 0: tr sqrt(M) = 0 without iterating.</summary>
    ZeroMatrix = 3,
}

/// <summary>Stopping rule and checks (FID_KID.md 8.3; FP64 defaults).</summary>
public sealed record NewtonSchulzOptions
{
    public double Tolerance { get; init; } = 1e-13;
    public int MaxIterations { get; init; } = 45;
    /// <summary>Residual every this many iterations (0: only at the end).</summary>
    public int ResidualEvery { get; init; } = 5;
    public double ResidualLimit { get; init; } = 1e-10;
    /// <summary>A trace decrease above this (relative) trips the guard; smaller ones are rounding.</summary>
    public double DecreaseTolerance { get; init; } = 1e-10;
    public static NewtonSchulzOptions Default { get; } = new();
}

/// <summary>tr sqrt(M) = <see cref="Value"/> after <see cref="Iterations"/> steps; <see cref="Residual"/> is the final
/// ||Y^2 - M/c||_F (NaN if not finite) and <see cref="FallbackAdvised"/> says it exceeded the limit (or the guard
/// tripped); <see cref="MaxRelativeDecrease"/> is the largest (t_{k-1} - t_k) / t_k seen (0 if the trace never fell).</summary>
public readonly record struct NewtonSchulzResult(
    double Value, int Iterations, NewtonSchulzStop Stop, bool GuardTripped, double Residual, bool FallbackAdvised,
    double FrobeniusNorm, double MaxRelativeDecrease);

/// <summary>The matrix work of one Newton-Schulz run (state Y, Z live in the implementation).</summary>
public interface INewtonSchulzSteps
{
    /// <summary>Y = M * invNorm, Z = I; returns tr(Y).</summary>
    double Start(double invNorm);
    /// <summary>T = (3I - ZY)/2, Y = YT, Z = TZ; returns tr(Y) (FP64 accumulation).</summary>
    double Step();
    /// <summary>||Y^2 - M * invNorm||_F.</summary>
    double Residual(double invNorm);
}

/// <summary>Square row-major product <c>C = alpha A B + beta C</c> (d x d).</summary>
public delegate void SquareProduct(int d, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double beta, Span<double> c);

public static class NewtonSchulz
{
    /// <summary>Our blocked, threaded DGEMM.</summary>
    public static readonly SquareProduct BlockedDgemm = (d, alpha, a, b, beta, c)
        => Dgemm.Multiply(false, false, d, d, d, alpha, a, d, b, d, beta, c, d);

    /// <summary>The scalar GEMM oracle (small d only).</summary>
    public static readonly SquareProduct ScalarReference = (d, alpha, a, b, beta, c)
        => GemmReference.Gemm(false, false, d, d, d, alpha, a, d, b, d, beta, c, d);

    /// <summary>tr sqrt(M) on the CPU; <paramref name="product"/> picks how the GEMMs run (default <see cref="BlockedDgemm"/>).</summary>
    public static NewtonSchulzResult TraceSqrt(ReadOnlySpan<double> m, int d, NewtonSchulzOptions? options = null,
        SquareProduct? product = null)
    {
        if (d < 1 || m.Length < (long)d * d)
            throw new ArgumentException($"NewtonSchulz: the matrix has {m.Length} values, fewer than d x d = {(long)d * d}.");
        double norm = NewtonSchulzReference.FrobeniusNorm(m[..(d * d)]);
        return Run(new HostNewtonSchulzSteps(m, d, product ?? BlockedDgemm), norm, options ?? NewtonSchulzOptions.Default);
    }

    /// <summary>The loop of the file header over any backend; <paramref name="frobeniusNorm"/> = ||M||_F in FP64.</summary>
    public static NewtonSchulzResult Run(INewtonSchulzSteps steps, double frobeniusNorm, NewtonSchulzOptions options)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(frobeniusNorm))
            throw new ArgumentException($"NewtonSchulz: ||M||_F = {frobeniusNorm} is not finite.");
        if (frobeniusNorm == 0)
            return new NewtonSchulzResult(0, 0, NewtonSchulzStop.ZeroMatrix, false, 0, false, 0, 0);
        double inv = 1 / frobeniusNorm, scale = Math.Sqrt(frobeniusNorm), tol = options.Tolerance;
        double previous = steps.Start(inv);
        int quiet = 0, k = 0;
        double residual = double.NaN;
        int residualAt = -1;
        NewtonSchulzStop stop = NewtonSchulzStop.MaxIterations;
        bool guard = false;
        double maxDecrease = 0;
        while (k < options.MaxIterations)
        {
            double t = steps.Step();
            k++;
            if (double.IsFinite(t) && t < previous)
                maxDecrease = Math.Max(maxDecrease, (previous - t) / Math.Abs(t));
            if (!double.IsFinite(t) || t < previous - options.DecreaseTolerance * Math.Abs(t))
            {
                guard = true;
                stop = NewtonSchulzStop.Diverged;
                k--;   // the returned value is that of the previous iterate
                break;
            }
            quiet = t - previous <= tol * t ? quiet + 1 : 0;
            double before = previous;
            previous = t;
            if (options.ResidualEvery > 0 && k % options.ResidualEvery == 0)
            {
                residual = steps.Residual(inv);
                residualAt = k;
                if (!double.IsFinite(residual))
                {
                    // Y holds a non-finite value off the diagonal while its trace is still finite: diverged.
                    guard = true;
                    stop = NewtonSchulzStop.Diverged;
                    previous = before;
                    k--;
                    break;
                }
            }
            if (quiet >= 2)
            {
                stop = NewtonSchulzStop.Converged;
                break;
            }
        }
        // After a guard trip Y already holds the bad iterate, so its residual is what is reported (it explains the trip).
        if (residualAt != k || guard)
            residual = steps.Residual(inv);
        if (!double.IsFinite(residual)) residual = double.NaN;
        bool fallback = guard || double.IsNaN(residual) || residual > options.ResidualLimit;
        return new NewtonSchulzResult(scale * previous, k, stop, guard, residual, fallback, frobeniusNorm, maxDecrease);
    }
}

/// <summary>CPU steps over d x d float64 buffers with a pluggable GEMM.</summary>
public sealed class HostNewtonSchulzSteps : INewtonSchulzSteps
{
    private readonly double[] _m;
    private readonly int _d;
    private readonly SquareProduct _gemm;
    private double[] _y, _z, _t, _tmp;

    public HostNewtonSchulzSteps(ReadOnlySpan<double> m, int d, SquareProduct gemm)
    {
        _d = d;
        _m = m[..(d * d)].ToArray();
        _gemm = gemm;
        _y = new double[d * d]; _z = new double[d * d]; _t = new double[d * d]; _tmp = new double[d * d];
    }

    public double Start(double invNorm)
    {
        NewtonSchulzReference.Init<double>(_m, _y, _z, _d, invNorm);
        return NewtonSchulzReference.Trace<double>(_y, _d);
    }

    public double Step()
    {
        _gemm(_d, 1, _z, _y, 0, _tmp);                               // ZY
        NewtonSchulzReference.HalfThreeMinus<double>(_tmp, _t, _d);
        _gemm(_d, 1, _y, _t, 0, _tmp);                               // Y <- YT
        (_y, _tmp) = (_tmp, _y);
        _gemm(_d, 1, _t, _z, 0, _tmp);                               // Z <- TZ
        (_z, _tmp) = (_tmp, _z);
        return NewtonSchulzReference.Trace<double>(_y, _d);
    }

    public double Residual(double invNorm)
    {
        for (int i = 0; i < _m.Length; i++) _tmp[i] = _m[i] * invNorm;
        _gemm(_d, 1, _y, _y, -1, _tmp);                              // Y^2 - M/c
        return NewtonSchulzReference.FrobeniusNorm<double>(_tmp);
    }
}
