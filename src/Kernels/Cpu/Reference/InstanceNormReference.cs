// Scalar oracle for instance normalisation (kernels/cu/instance_norm.cu), STYLE.md G4: plain loops over
// each (n, c) plane of an NCHW tensor, double accumulation, biased variance (divide by HW, as
// PyTorch's InstanceNorm2d), rstd = 1/sqrt(var + eps). gamma/beta empty = no affine (1 and 0).
// Tested against the CUDA kernels by tests/Opacity.Kernels.Tests/Cuda/EmulatorInstanceNormTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class InstanceNormReference
{
    /// <summary><c>y = gamma[c]*(x - mean)*rstd + beta[c]</c> per plane; writes mean and rstd
    /// (N*C each) for the backward. gamma/beta: C elements or empty.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> mean, Span<T> rstd, int n, int c, int hw, double eps) where T : IFloatingPointIeee754<T>
    {
        Check(x.Length, gamma.Length, n, c, hw);
        ReferenceChecks.OptionalLength(beta.Length, c, nameof(beta));
        ReferenceChecks.Length(y.Length, (long)n * c * hw, nameof(y));
        ReferenceChecks.Length(mean.Length, (long)n * c, nameof(mean));
        ReferenceChecks.Length(rstd.Length, (long)n * c, nameof(rstd));
        for (int plane = 0; plane < n * c; plane++)
        {
            int ch = plane % c, offset = plane * hw;
            double sum = 0;
            for (int p = 0; p < hw; p++) sum += D(x[offset + p]);
            double mu = sum / hw, sq = 0;
            for (int p = 0; p < hw; p++) { double d = D(x[offset + p]) - mu; sq += d * d; }
            double r = 1 / Math.Sqrt(sq / hw + eps);
            double g = gamma.IsEmpty ? 1 : D(gamma[ch]), b = beta.IsEmpty ? 0 : D(beta[ch]);
            for (int p = 0; p < hw; p++) y[offset + p] = T.CreateTruncating(g * (D(x[offset + p]) - mu) * r + b);
            mean[plane] = T.CreateTruncating(mu);
            rstd[plane] = T.CreateTruncating(r);
        }
    }

    /// <summary>Backward from the saved mean/rstd, per plane with <c>xhat = (x - mean)*rstd</c>:
    /// <c>dx = gamma*rstd*(dy - mean(dy) - xhat*mean(dy*xhat))</c>, <c>dgamma[c] = Σ_n,p dy*xhat</c>,
    /// <c>dbeta[c] = Σ_n,p dy</c>. Writes <c>d = (accumulate ? d : 0) + local</c>; empty spans are skipped.</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        ReadOnlySpan<T> dy, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int n, int c, int hw,
        bool accumulateDx, bool accumulateParams) where T : IFloatingPointIeee754<T>
    {
        Check(x.Length, gamma.Length, n, c, hw);
        ReferenceChecks.Length(mean.Length, (long)n * c, nameof(mean));
        ReferenceChecks.Length(rstd.Length, (long)n * c, nameof(rstd));
        ReferenceChecks.Length(dy.Length, (long)n * c * hw, nameof(dy));
        ReferenceChecks.OptionalLength(dx.Length, (long)n * c * hw, nameof(dx));
        ReferenceChecks.OptionalLength(dgamma.Length, c, nameof(dgamma));
        ReferenceChecks.OptionalLength(dbeta.Length, c, nameof(dbeta));
        var dgammaSum = new double[c];
        var dbetaSum = new double[c];
        for (int plane = 0; plane < n * c; plane++)
        {
            int ch = plane % c, offset = plane * hw;
            double mu = D(mean[plane]), r = D(rstd[plane]), g = gamma.IsEmpty ? 1 : D(gamma[ch]);
            double sumDy = 0, sumDyXhat = 0;
            for (int p = 0; p < hw; p++)
            {
                double d = D(dy[offset + p]);
                sumDy += d;
                sumDyXhat += d * (D(x[offset + p]) - mu) * r;
            }
            dbetaSum[ch] += sumDy;
            dgammaSum[ch] += sumDyXhat;
            if (dx.IsEmpty) continue;
            for (int p = 0; p < hw; p++)
            {
                double xhat = (D(x[offset + p]) - mu) * r;
                double local = g * r * (D(dy[offset + p]) - sumDy / hw - xhat * sumDyXhat / hw);
                dx[offset + p] = T.CreateTruncating((accumulateDx ? D(dx[offset + p]) : 0) + local);
            }
        }
        for (int ch = 0; ch < c; ch++)
        {
            if (!dgamma.IsEmpty) dgamma[ch] = T.CreateTruncating((accumulateParams ? D(dgamma[ch]) : 0) + dgammaSum[ch]);
            if (!dbeta.IsEmpty) dbeta[ch] = T.CreateTruncating((accumulateParams ? D(dbeta[ch]) : 0) + dbetaSum[ch]);
        }
    }

    private static double D<T>(T v) where T : IFloatingPointIeee754<T> => double.CreateTruncating(v);

    private static void Check(int xLength, int gammaLength, int n, int c, int hw)
    {
        ReferenceChecks.Positive(n, nameof(n));
        ReferenceChecks.Positive(c, nameof(c));
        ReferenceChecks.Positive(hw, nameof(hw));
        ReferenceChecks.Length(xLength, (long)n * c * hw, "x");
        ReferenceChecks.OptionalLength(gammaLength, c, "gamma");
    }
}
