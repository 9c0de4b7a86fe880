// Householder tridiagonalisation of a dense symmetric matrix, A = Q T Q^T, and the explicit Q^T.
// Versions: v1 (the only one) is LAPACK's blocked DSYTRD/DLATRD (lower) and DORGTR/DLARFT/DLARFB: panels of
// Nb columns, each column updated with the panel's earlier reflectors (rank-2 corrections with V and W), a
// matrix-vector product with the not-yet-updated trailing block (SymmetricMatVec.cs), and after each panel a
// rank-2*Nb trailing update A22 -= V W^T + W V^T on the upper triangle's tiles only (DGEMM core, SYR2K-like;
// until 2026-11-25 it was one full DGEMM, twice the flops). Q is accumulated backwards in blocks of compact WY
// reflectors (I - V T V^T), two DGEMMs per block.
// Layout: A is symmetric, so LAPACK's column j (column-major) is our row j (row-major) and is contiguous.
// Reflector i (i = 0 .. n-2) acts on indices i+1 .. n-1, v[i+1] = 1 (stored explicitly), v[r] = A[i, r].
// Tested in SymmetricEigenTests against Reference/SymmetricEigenReference (Jacobi) and by A Z^T = Z^T diag(w).
using System.Numerics.Tensors;

namespace Opacity.Kernels.Cpu.Linalg;

public static class Tridiagonal
{
    private const int Nb = 32;
    // Q is formed with wider blocks: each block is two GEMMs over the whole trailing Z, so the pass count
    // (and the memory traffic of Z) falls with the width while the small T factor stays cheap.
    private const int NbQ = 128;
    // Tiles of the trailing SYR2K update: small enough that the diagonal tiles' wasted lower halves stay a small
    // share (and there are many tiles to share between threads), large enough to amortise the packing.
    private const int UpdateTile = 256;

    /// <summary>Reduces symmetric <paramref name="a"/> (n x n, row-major, overwritten with the reflectors) to
    /// tridiagonal form: diagonal <paramref name="d"/> (n), sub-diagonal <paramref name="e"/> (n - 1) and the
    /// reflector scalars <paramref name="tau"/> (n - 1). Only the upper triangle is read (row r from column r on);
    /// the strict lower triangle is neither read nor kept up to date.</summary>
    public static void Reduce(Span<double> a, int n, Span<double> d, Span<double> e, Span<double> tau)
    {
        if (a.Length < n * n || d.Length < n || e.Length < Math.Max(n - 1, 0) || tau.Length < Math.Max(n - 1, 0))
            throw new ArgumentException("Tridiagonal.Reduce: buffers are smaller than n.");
        var wt = new double[Nb * n];   // row t = panel column t of LAPACK's W
        var t1 = new double[Nb];
        var t2 = new double[Nb];
        for (int p0 = 0; p0 < n; p0 += Nb)
        {
            int kb = Math.Min(Nb, n - p0);
            for (int j = 0; j < kb; j++)
                PanelColumn(a, n, p0, j, wt, t1, t2, d, e, tau);
            int p1 = p0 + kb;
            if (p1 < n)
                TrailingUpdate(a, n, p0, kb, wt);
        }
    }

    private static void PanelColumn(Span<double> a, int n, int p0, int j, double[] wt, double[] t1, double[] t2,
        Span<double> d, Span<double> e, Span<double> tau)
    {
        int i = p0 + j;
        int len = n - i;
        Span<double> col = a.Slice(i * n + i, len);
        // Bring column i up to date with the panel's earlier reflectors: A(i:, i) -= V W(i,:)^T + W V(i,:)^T.
        for (int t = 0; t < j; t++)
        {
            ReadOnlySpan<double> vt = a.Slice((p0 + t) * n + i, len);
            ReadOnlySpan<double> wtt = wt.AsSpan(t * n + i, len);
            TensorPrimitives.MultiplyAdd(vt, -wt[t * n + i], col, col);
            TensorPrimitives.MultiplyAdd(wtt, -a[(p0 + t) * n + i], col, col);
        }
        d[i] = col[0];
        if (i == n - 1)
            return;
        // Reflector H(i) = I - tau v v^T annihilates A(i+2:, i).
        double alpha = col[1];
        Span<double> x = col[2..];
        double xnorm = x.Length == 0 ? 0 : TensorPrimitives.Norm(x);
        double beta, tauI;
        if (xnorm == 0)
        {
            beta = alpha;
            tauI = 0;
        }
        else
        {
            beta = -Math.CopySign(double.Hypot(alpha, xnorm), alpha);
            tauI = (beta - alpha) / beta;
            TensorPrimitives.Multiply(x, 1.0 / (alpha - beta), x);
        }
        e[i] = beta;
        tau[i] = tauI;
        col[1] = 1.0;
        ReadOnlySpan<double> v = col[1..];
        int m = len - 1;
        Span<double> w = wt.AsSpan(j * n + i + 1, m);
        // w = tau * (A22 - V W^T - W V^T) v, with A22 the trailing block before this panel's update.
        SymmetricMatVec.Multiply(a, n, i + 1, v, w);
        for (int t = 0; t < j; t++)
        {
            t1[t] = TensorPrimitives.Dot(wt.AsSpan(t * n + i + 1, m), v);
            t2[t] = TensorPrimitives.Dot(a.Slice((p0 + t) * n + i + 1, m), v);
        }
        for (int t = 0; t < j; t++)
        {
            TensorPrimitives.MultiplyAdd(a.Slice((p0 + t) * n + i + 1, m), -t1[t], w, w);
            TensorPrimitives.MultiplyAdd(wt.AsSpan(t * n + i + 1, m), -t2[t], w, w);
        }
        TensorPrimitives.Multiply(w, tauI, w);
        double alpha2 = -0.5 * tauI * TensorPrimitives.Dot(w, v);
        TensorPrimitives.MultiplyAdd(v, alpha2, w, w);
    }

    /// <summary>A[p1:, p1:] -= V W^T + W V^T (a SYR2K with k = 2 kb through the DGEMM core), on the tiles on and
    /// above the diagonal only: nothing below the diagonal is read again (rows r are read from column r on), so
    /// the strict lower triangle is left stale and the update costs half a full DGEMM.</summary>
    private static unsafe void TrailingUpdate(Span<double> a, int n, int p0, int kb, double[] wt)
    {
        int p1 = p0 + kb;
        int m = n - p1;
        int k = 2 * kb;
        var left = new double[k * m];
        var right = new double[k * m];
        for (int t = 0; t < kb; t++)
        {
            ReadOnlySpan<double> vt = a.Slice((p0 + t) * n + p1, m);
            ReadOnlySpan<double> wtt = wt.AsSpan(t * n + p1, m);
            vt.CopyTo(left.AsSpan(t * m, m));
            wtt.CopyTo(left.AsSpan((kb + t) * m, m));
            wtt.CopyTo(right.AsSpan(t * m, m));
            vt.CopyTo(right.AsSpan((kb + t) * m, m));
        }
        int tiles = (m + UpdateTile - 1) / UpdateTile;
        int jobs = tiles * (tiles + 1) / 2;
        fixed (double* pl = left)
        fixed (double* pr = right)
        fixed (double* pa = a)
        {
            nint il = (nint)pl, ir = (nint)pr, ic = (nint)(pa + (nint)p1 * n + p1);
            void Tile(int job)
            {
                // job -> (ti, tj), tj >= ti, row-major over the upper triangle of tiles.
                int ti = 0, rest = job;
                while (rest >= tiles - ti)
                {
                    rest -= tiles - ti;
                    ti++;
                }
                int i0 = ti * UpdateTile, j0 = (ti + rest) * UpdateTile;
                int mm = Math.Min(UpdateTile, m - i0), nn = Math.Min(UpdateTile, m - j0);
                Dgemm.Serial(true, false, mm, nn, k, -1.0, (double*)il + i0, m, (double*)ir + j0, m, 1.0,
                    (double*)ic + (nint)i0 * n + j0, n);
            }
            if (jobs > 1 && (double)m * m * k > 4e6)
                Parallel.For(0, jobs, Tile);
            else
                for (int t = 0; t < jobs; t++)
                    Tile(t);
        }
    }

    /// <summary>Forms Z = Q^T (n x n, row-major; row j is column j of Q) from the reflectors that
    /// <see cref="Reduce"/> left in <paramref name="a"/>, so that A = Z^T T Z.</summary>
    public static void FormQTransposed(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> tau, Span<double> z)
    {
        z[..(n * n)].Clear();
        for (int i = 0; i < n; i++)
            z[i * n + i] = 1.0;
        if (n < 2)
            return;
        var tt = new double[NbQ * NbQ];
        var tmp = new double[NbQ];
        for (int b0 = (n - 2) / NbQ * NbQ; b0 >= 0; b0 -= NbQ)
        {
            int b1 = Math.Min(b0 + NbQ, n - 1);
            int kb = b1 - b0, r0 = b0 + 1, m = n - r0;
            // Dense panel of the block's reflectors over indices r0 .. n-1 (zeros above each leading 1).
            var vrm = new double[kb * m];
            for (int t = 0; t < kb; t++)
            {
                int lead = b0 + t + 1;
                vrm[t * m + lead - r0] = 1.0;
                for (int r = lead + 1; r < n; r++)
                    vrm[t * m + r - r0] = a[(b0 + t) * n + r];
            }
            // DLARFT (forward, columnwise): H(b0) ... H(b1-1) = I - V T V^T, T upper triangular.
            Array.Clear(tt);
            for (int q = 0; q < kb; q++)
            {
                double tq = tau[b0 + q];
                if (tq != 0)
                {
                    ReadOnlySpan<double> vq = vrm.AsSpan(q * m, m);
                    for (int s = 0; s < q; s++)
                        tmp[s] = -tq * TensorPrimitives.Dot(vrm.AsSpan(s * m, m), vq);
                    for (int s = 0; s < q; s++)
                    {
                        double sum = 0;
                        for (int u = s; u < q; u++)
                            sum += tt[s * kb + u] * tmp[u];
                        tt[s * kb + q] = sum;
                    }
                }
                tt[q * kb + q] = tq;
            }
            // Zsub <- Zsub - (Zsub V) T^T V^T, with Zsub = Z[r0:, r0:].
            Span<double> zsub = z.Slice(r0 * n + r0);
            var x = new double[m * kb];
            var y = new double[m * kb];
            Dgemm.Multiply(false, true, m, kb, m, 1.0, zsub, n, vrm, m, 0.0, x, kb);
            Dgemm.Multiply(false, true, m, kb, kb, 1.0, x, kb, tt, kb, 0.0, y, kb);
            Dgemm.Multiply(false, false, m, m, kb, -1.0, y, kb, vrm, m, 1.0, zsub, n);
        }
    }
}
