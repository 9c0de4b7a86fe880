// The symmetric PSD matrix M whose eigenvalues are those of S1 S2 (FID_KID.md 8.2), formed explicitly in float64
// so a matrix square root (Newton-Schulz on the CPU or the GPU, 8.3) can run on it instead of on the non-symmetric
// S1 S2. Routes (the same ones TraceSqrtProduct uses, here with M kept):
//   Cholesky (S1 positive definite, pivots above d * eps * max diag): M = L^T S2 L, two full DGEMMs, symmetrised.
//   Eigen (otherwise): S1 = Z^T diag(l) Z, l < 0 clamped, rows with l = 0 dropped, M = D Z S2 Z^T D (r x r,
//   r = rank kept), symmetrised: the null space of S1 contributes nothing to tr sqrt(S1 S2), so it is left out.
// Tested in tests/Opacity.Kernels.Tests/Linalg/NewtonSchulzTests.cs (NS on this M vs TraceSqrtProduct).
namespace Opacity.Kernels.Cpu.Linalg;

/// <summary>M (<see cref="Order"/> x <see cref="Order"/>, row-major) and whether the Cholesky route formed it.</summary>
public sealed record SymmetricProductMatrix(double[] M, int Order, bool Cholesky);

public static class SymmetricProduct
{
    /// <summary>Symmetric M similar to S1 S2 on its non-null part (see the file header).</summary>
    public static SymmetricProductMatrix Form(ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d)
    {
        if (d < 1 || sigma1.Length < (long)d * d || sigma2.Length < (long)d * d)
            throw new ArgumentException("SymmetricProduct: buffers are smaller than d x d.");
        var s1 = new double[d * d];
        var s2 = new double[d * d];
        Symmetrise.Average(sigma1, s1, d, ReadOnlySpan<double>.Empty);
        Symmetrise.Average(sigma2, s2, d, ReadOnlySpan<double>.Empty);
        var l = (double[])s1.Clone();
        double maxDiag = 0;
        for (int i = 0; i < d; i++) maxDiag = Math.Max(maxDiag, s1[i * d + i]);
        var t = new double[d * d];
        if (Cholesky.Factor(l, d, d * Math.Pow(2.0, -52.0) * maxDiag) < 0)
        {
            Dgemm.Multiply(false, false, d, d, d, 1.0, s2, d, l, d, 0.0, t, d);     // S2 L
            var m = new double[d * d];
            Dgemm.Multiply(true, false, d, d, d, 1.0, l, d, t, d, 0.0, m, d);      // L^T (S2 L)
            Symmetrise.Average(m, m, d, ReadOnlySpan<double>.Empty);
            return new SymmetricProductMatrix(m, d, true);
        }
        var lambda = new double[d];
        var z = new double[d * d];
        SymmetricEigen.Decompose(s1, d, lambda, z);
        var keep = Enumerable.Range(0, d).Where(i => lambda[i] > 0).ToArray();
        int r = keep.Length;
        if (r == 0) return new SymmetricProductMatrix(new double[1], 1, false);
        var zr = new double[r * d];
        var sq = new double[r];
        for (int q = 0; q < r; q++)
        {
            z.AsSpan(keep[q] * d, d).CopyTo(zr.AsSpan(q * d, d));
            sq[q] = Math.Sqrt(lambda[keep[q]]);
        }
        Dgemm.Multiply(false, false, r, d, d, 1.0, zr, d, s2, d, 0.0, t, d);
        var mr = new double[r * r];
        Dgemm.Multiply(false, true, r, r, d, 1.0, t, d, zr, d, 0.0, mr, r);
        Symmetrise.Average(mr, mr, r, sq);
        return new SymmetricProductMatrix(mr, r, false);
    }
}
