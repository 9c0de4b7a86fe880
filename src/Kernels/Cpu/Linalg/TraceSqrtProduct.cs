// tr sqrt(S1 S2) for symmetric PSD S1, S2 (d x d, float64). All routes symmetrise the inputs, clamp negative
// eigenvalues of the final symmetric matrix M (similar to S1 S2) to 0 and return c = sum sqrt(mu), summed in
// ascending order. Clamping a negative eigenvalue to 0 is what "real part of the complex square root" gives in
// torchmetrics and torch-fidelity; for full-rank S1 the result equals trace(scipy.linalg.sqrtm(S1 S2)) to rounding.
// Versions (TraceSqrtRoute):
//   v1 Eigen, the reference (FID_KID.md 8.2): S1 = Z^T diag(l) Z with vectors, clamp l < 0 to 0,
//      M = D Z S2 Z^T D with D = diag(sqrt l). Rows of Z whose eigenvalue was clamped to exactly 0 give zero rows
//      and columns of M, so they are dropped (exact; M shrinks to rank(S1) when N < d). Works for any PSD input.
//   v2 Cholesky (FID_KID.md 8.2, "cross-check routes"): S1 = L L^T (blocked, Cholesky.cs),
//      M = L^T S2 L (similar to S1 S2; upper block triangles only, skipping L's zero blocks: about d^3 flops), then
//      the eigenvalues of M only. No eigenvectors at all, so it is roughly 2-3x cheaper than v1 at d = 2048.
//      It needs S1 positive definite: a pivot at or below d * eps * max diag(S1) (rank deficiency, e.g. N <= d
//      samples or repeated features) makes it try S2 in S1's place (tr sqrt(S1 S2) = tr sqrt(S2 S1)), and if
//      that fails too it falls back to v1. The route actually taken is reported in the outcome. A singular S can
//      still pass when its rounding-noise pivots happen to land above the threshold (one null direction, say);
//      that is harmless: Cholesky is backward stable, so M is exactly similar to (S1 + E) S2 with |E| ~ eps |S1|,
//      and the extra eigenvalue is as small as the ones the eigen route keeps for the same noise.
//   v3 Thin factor (FID_KID.md 8.2's feature route, for few samples): given A (r x d) with A^T A = S1, e.g.
//      A = Xc1 / sqrt(N1 - 1), the non-zero eigenvalues of S1 S2 = A^T A S2 are those of M = A S2 A^T (r x r),
//      exactly. About 2 r d^2 flops plus an r x r eigenvalue problem, so far cheaper than v1 when r << d, and it
//      needs no positive definiteness. Only through ComputeThin (it needs the features, not just S1).
//   Auto (the default) = v2 with those fallbacks: it meets the 1e-6 relative bar against the scipy fixtures and
//   is the faster route (bench/results/amd-epyc-2core/fid.md).
// Tested in TraceSqrtProductTests (closed forms of FID_KID.md 8.5 on v1, v2 and Auto: diagonal, commuting
// DCT-rotated, scaled, the 2 x 2 worked example; v2 against v1 at odd sizes; the fallbacks on singular inputs;
// v3 against v1 and Auto for r < d and r > d) and via the FID fixtures (tests/Opacity.Gan.Tests: Auto, v1 and,
// from features, v3 against scipy).
namespace Opacity.Kernels.Cpu.Linalg;

/// <summary>Which algorithm evaluates tr sqrt(S1 S2); see the file header.</summary>
public enum TraceSqrtRoute
{
    /// <summary>Cholesky route, falling back to S2's Cholesky and then to the eigen route.</summary>
    Auto = 0,
    /// <summary>v1: the symmetric eigen route (the reference).</summary>
    Eigen = 1,
    /// <summary>v2: the Cholesky route (S1 must be positive definite, else it falls back like Auto).</summary>
    Cholesky = 2,
    /// <summary>v3: the thin-factor route (<see cref="TraceSqrtProduct.ComputeThin"/> only).</summary>
    Thin = 3,
}

/// <summary>The trace and what was clamped on the way (for diagnostics: a large clamped mass means the
/// statistics were rank-deficient or not PSD; pytorch-fid's sqrtm route would then be unreliable). The
/// eigenvalue range of S1 is known only on the eigen route (NaN on the Cholesky route, where S1 was positive
/// definite, so nothing was clamped there). <see cref="Route"/> is the route that produced the value.</summary>
public readonly record struct TraceSqrtOutcome(
    double Value,
    int ClampedSigma1,
    double ClampedMassSigma1,
    int ClampedProduct,
    double ClampedSqrtMassProduct,
    double MinEigenvalueSigma1,
    double MaxEigenvalueSigma1,
    double MinEigenvalueProduct,
    double MaxEigenvalueProduct,
    TraceSqrtRoute Route);

public static class TraceSqrtProduct
{
    // Row/column blocks of the triangular products: skipping L's zero blocks at this granularity saves about
    // half of the two DGEMMs' flops, while each call stays large enough for the DGEMM's threading.
    private const int ProductBlock = 256;

    /// <summary><c>tr sqrt(S1 S2)</c>; <paramref name="route"/> picks the algorithm (Auto: the fastest that
    /// applies).</summary>
    public static TraceSqrtOutcome Compute(ReadOnlySpan<double> sigma1, ReadOnlySpan<double> sigma2, int d,
        TraceSqrtRoute route = TraceSqrtRoute.Auto)
    {
        if (d < 1 || sigma1.Length < d * d || sigma2.Length < d * d)
            throw new ArgumentException("TraceSqrtProduct: buffers are smaller than d x d.");
        if (route == TraceSqrtRoute.Thin)
            throw new ArgumentException("TraceSqrtProduct: the thin-factor route needs the factor; call ComputeThin.");
        if (route == TraceSqrtRoute.Eigen)
            return EigenRoute(Symmetrised(sigma1, d), Symmetrised(sigma2, d), d);
        // Cholesky overwrites its input: factor a symmetrised copy and symmetrise again only on a fallback.
        double[] l = Symmetrised(sigma1, d);
        double[] s2 = Symmetrised(sigma2, d);
        double threshold1 = PivotThreshold(l, d);
        if (Cholesky.Factor(l, d, threshold1) < 0)
            return CholeskyRoute(l, s2, d);
        double[] s1 = Symmetrised(sigma1, d);
        s2.AsSpan().CopyTo(l);
        if (Cholesky.Factor(l, d, PivotThreshold(s2, d)) < 0)
            return CholeskyRoute(l, s1, d);
        return EigenRoute(s1, s2, d);
    }

    /// <summary>v3: <c>tr sqrt(A^T A S2)</c> from a thin factor A (r x d, row-major) of S1, as the trace of the
    /// square root of M = A S2 A^T (r x r).</summary>
    public static TraceSqrtOutcome ComputeThin(ReadOnlySpan<double> a, int r, ReadOnlySpan<double> sigma2, int d)
    {
        if (r < 1 || d < 1 || a.Length < (long)r * d || sigma2.Length < (long)d * d)
            throw new ArgumentException("TraceSqrtProduct.ComputeThin: buffers are smaller than r x d and d x d.");
        double[] s2 = Symmetrised(sigma2, d);
        var t = new double[r * d];
        Dgemm.Multiply(false, false, r, d, d, 1.0, a, d, s2, d, 0.0, t, d);
        var m = new double[r * r];
        Dgemm.Multiply(false, true, r, r, d, 1.0, t, d, a, d, 0.0, m, r);
        Symmetrise.Average(m, m, r, ReadOnlySpan<double>.Empty);
        var mu = new double[r];
        SymmetricEigen.Decompose(m, r, mu, Span<double>.Empty);
        return Summed(mu, r, 0, 0, double.NaN, double.NaN, TraceSqrtRoute.Thin);
    }

    /// <summary>d * eps * max diag(S): LAPACK DPSTRF's default rank tolerance. Pivots at or below it are rounding
    /// noise of a singular matrix, whose square roots would feed sqrt(eps)-sized noise into the trace.</summary>
    private static double PivotThreshold(double[] s, int d)
    {
        double maxDiag = 0;
        for (int i = 0; i < d; i++)
            maxDiag = Math.Max(maxDiag, s[i * d + i]);
        return d * Math.Pow(2.0, -52.0) * maxDiag;
    }

    /// <summary>v2: eigenvalues of M = L^T S L, with L lower triangular (zero above the diagonal).</summary>
    private static unsafe TraceSqrtOutcome CholeskyRoute(double[] l, double[] s, int d)
    {
        // Only the upper block triangle of M is needed (Tridiagonal.Reduce reads rows from the diagonal on), and
        // it needs only the upper block triangle of WT = L^T S; both products skip L's zero blocks. That is about
        // d^3 flops in all (DSYGST's count), against 4 d^3 for two full DGEMMs. Tiles run as independent jobs.
        var wt = new double[d * d];
        var m = new double[d * d];
        int tiles = (d + ProductBlock - 1) / ProductBlock;
        var jobs = new List<(int I0, int J0)>();
        for (int ti = 0; ti < tiles; ti++)
            for (int tj = ti; tj < tiles; tj++)
                jobs.Add((ti * ProductBlock, tj * ProductBlock));
        // WT[I, K] = L[i0:, I]^T S[i0:, K] for K >= I (L[k, i] = 0 for k < i); largest inner dimension first.
        RunTiles(jobs.OrderBy(t => t.I0).ToList(), d, (i0, k0, ib, kb, pl, ps, pw, pm) =>
            Dgemm.Serial(true, false, ib, kb, d - i0, 1.0, pl + (nint)i0 * d + i0, d, ps + (nint)i0 * d + k0, d,
                0.0, pw + (nint)i0 * d + k0, d), l, s, wt, m);
        // M[I, J] = WT[I, j0:] L[j0:, J] for J >= I (L[k, j] = 0 for k < j; WT[I, j0:] lies in its upper part).
        // The lower triangle of M stays unset: Tridiagonal.Reduce does not read it.
        RunTiles(jobs.OrderBy(t => t.J0).ToList(), d, (i0, j0, ib, jb, pl, ps, pw, pm) =>
            Dgemm.Serial(false, false, ib, jb, d - j0, 1.0, pw + (nint)i0 * d + j0, d, pl + (nint)j0 * d + j0, d,
                0.0, pm + (nint)i0 * d + j0, d), l, s, wt, m);
        // Eigenvalues of M in place (M is ours to overwrite; SymmetricEigen would copy it first).
        var mu = new double[d];
        var e = new double[Math.Max(d - 1, 1)];
        var tau = new double[Math.Max(d - 1, 1)];
        Tridiagonal.Reduce(m, d, mu, e, tau);
        TridiagonalQl.Solve(mu, e, d, Span<double>.Empty);
        Array.Sort(mu);
        return Summed(mu, d, 0, 0, double.NaN, double.NaN, TraceSqrtRoute.Cholesky);
    }

    private unsafe delegate void TileProduct(int i0, int j0, int ib, int jb, double* l, double* s, double* wt, double* m);

    /// <summary>Runs one product per tile (row and column offsets of ProductBlock-sized tiles) on all cores.</summary>
    private static unsafe void RunTiles(List<(int I0, int J0)> jobs, int d, TileProduct product,
        double[] l, double[] s, double[] wt, double[] m)
    {
        fixed (double* pl = l)
        fixed (double* ps = s)
        fixed (double* pw = wt)
        fixed (double* pm = m)
        {
            nint il = (nint)pl, isp = (nint)ps, iw = (nint)pw, im = (nint)pm;
            void Run(int t)
            {
                (int i0, int j0) = jobs[t];
                product(i0, j0, Math.Min(ProductBlock, d - i0), Math.Min(ProductBlock, d - j0),
                    (double*)il, (double*)isp, (double*)iw, (double*)im);
            }
            if (jobs.Count > 1 && (double)d * d * d > 1e7)
                Parallel.For(0, jobs.Count, Run);
            else
                for (int t = 0; t < jobs.Count; t++)
                    Run(t);
        }
    }

    /// <summary>v1: the symmetric eigen route.</summary>
    private static TraceSqrtOutcome EigenRoute(double[] s1, double[] s2, int d)
    {
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
            return new TraceSqrtOutcome(0, clamped1, mass1, 0, 0, lambda[0], lambda[d - 1], 0, 0, TraceSqrtRoute.Eigen);
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
        return Summed(mu, r, clamped1, mass1, lambda[0], lambda[d - 1], TraceSqrtRoute.Eigen);
    }

    /// <summary>c = sum sqrt(mu) over the non-negative eigenvalues (ascending: small terms first), with the
    /// clamp diagnostics.</summary>
    private static TraceSqrtOutcome Summed(double[] mu, int r, int clamped1, double mass1, double min1, double max1,
        TraceSqrtRoute route)
    {
        int clamped2 = 0;
        double mass2 = 0, c = 0;
        for (int i = 0; i < r; i++)
        {
            if (mu[i] < 0)
            {
                clamped2++;
                mass2 += Math.Sqrt(-mu[i]);
            }
            else
                c += Math.Sqrt(mu[i]);
        }
        return new TraceSqrtOutcome(c, clamped1, mass1, clamped2, mass2, min1, max1, mu[0], mu[r - 1], route);
    }

    private static double[] Symmetrised(ReadOnlySpan<double> s, int d)
    {
        var o = new double[d * d];
        Symmetrise.Average(s, o, d, ReadOnlySpan<double>.Empty);
        return o;
    }
}
