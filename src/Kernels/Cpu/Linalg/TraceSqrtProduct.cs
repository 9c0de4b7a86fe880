// tr sqrt(S1 S2) for symmetric PSD S1, S2 (d x d, float64) by the symmetric eigen route of FID_KID.md 8.2:
//   1. symmetrise both; 2. S1 = Z^T diag(l) Z, clamp l < 0 to 0; 3. M = D Z S2 Z^T D with D = diag(sqrt l),
//   which is similar to S1^(1/2) S2 S1^(1/2) and so has the eigenvalues of S1 S2; 4. eigenvalues of M only,
//   clamp mu < 0 to 0, c = sum sqrt(mu) in ascending order.
// Clamping a negative eigenvalue to 0 is what "real part of the complex square root" gives in torchmetrics and
// torch-fidelity; for full-rank S1 the result equals trace(scipy.linalg.sqrtm(S1 S2)) to rounding.
// Rows of Z whose eigenvalue was clamped to exactly 0 give zero rows and columns of M, so they are dropped
// (exact, and it shrinks M to rank(S1) when N < d). One version. Tested in TraceSqrtProductTests (closed forms of
// FID_KID.md 8.5: diagonal, commuting DCT-rotated, scaled, the 2 x 2 worked example) and via the FID fixtures.
namespace Opacity.Kernels.Cpu.Linalg;

/// <summary>The trace and what was clamped on the way (for diagnostics: a large clamped mass means the
/// statistics were rank-deficient or not PSD; pytorch-fid's sqrtm route would then be unreliable).</summary>
public readonly record struct TraceSqrtOutcome(
    double Value,
    int ClampedSigma1,
    double ClampedMassSigma1,
    int ClampedProduct,
    double ClampedSqrtMassProduct,
    double MinEigenvalueSigma1,
    double MaxEigenvalueSigma1,
    double MinEigenvalueProduct,
    double MaxEigenvalueProduct);

public static class TraceSqrtProduct
{
    /// <summary><c>tr sqrt(S1 S2)</c> through the symmetric eigen route.</summary>
    public static TraceSqrtOutcome Compute(ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d)
    {
        if (d < 1 || sigma1.Length < d * d || sigma2.Length < d * d)
            throw new ArgumentException("TraceSqrtProduct: buffers are smaller than d x d.");
        double[] s1 = Symmetrised(sigma1, d);
        double[] s2 = Symmetrised(sigma2, d);
        var lambda = new double[d];
        var z = new double[d * d];
        SymmetricEigen.Decompose(s1, d, lambda, z);
        int clamped1 = 0;
        double mass1 = 0;
        var keep = new List<int>(d);
        for (int i = 0; i < d; i++)
        {
            if (lambda[i] < 0)
            {
                clamped1++;
                mass1 += -lambda[i];
            }
            if (lambda[i] > 0)
                keep.Add(i);
        }
        int r = keep.Count;
        if (r == 0)
            return new TraceSqrtOutcome(0, clamped1, mass1, 0, 0, lambda[0], lambda[d - 1], 0, 0);
        // Zr: the kept eigenvectors as rows (r x d); M = D (Zr S2 Zr^T) D.
        var zr = new double[r * d];
        var sq = new double[r];
        for (int q = 0; q < r; q++)
        {
            z.AsSpan(keep[q] * d, d).CopyTo(zr.AsSpan(q * d, d));
            sq[q] = Math.Sqrt(lambda[keep[q]]);
        }
        var t = new double[r * d];
        Dgemm.Multiply(false, false, r, d, d, 1.0, zr, d, s2, d, 0.0, t, d);
        var m = new double[r * r];
        Dgemm.Multiply(false, true, r, r, d, 1.0, t, d, zr, d, 0.0, m, r);
        Symmetrise.Average(m, m, r, sq);
        var mu = new double[r];
        SymmetricEigen.Decompose(m, r, mu, Span<double>.Empty);
        int clamped2 = 0;
        double mass2 = 0, c = 0;
        for (int i = 0; i < r; i++)   // ascending: small terms first
        {
            if (mu[i] < 0)
            {
                clamped2++;
                mass2 += Math.Sqrt(-mu[i]);
            }
            else
                c += Math.Sqrt(mu[i]);
        }
        return new TraceSqrtOutcome(c, clamped1, mass1, clamped2, mass2, lambda[0], lambda[d - 1], mu[0], mu[r - 1]);
    }

    private static double[] Symmetrised(ReadOnlySpan<double> s, int d)
    {
        var o = new double[d * d];
        Symmetrise.Average(s, o, d, ReadOnlySpan<double>.Empty);
        return o;
    }
}
