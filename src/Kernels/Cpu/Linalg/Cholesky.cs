// Cholesky factorisation S = L L^T of a symmetric positive definite matrix in float64, row-major, in place
// (LAPACK DPOTRF, lower, right-looking and blocked). Versions: v1 (the only one): panels of Nb columns; the
// diagonal block is factored by dot products of contiguous row segments, the rows below it are solved against
// it (a TRSM by forward substitution on the transposed panel: long axpys, column chunks spread over the cores),
// and the trailing matrix gets the rank-Nb update A22 -= L21 L21^T through Syrk (DGEMM core).
// A pivot that is not above the caller's threshold (a singular or indefinite S, e.g. covariances of N <= d
// samples) stops the factorisation and is reported, so the caller can take another route; nothing is thrown.
// Tested in CholeskyTests against a scalar loop (odd sizes 1, 2, 7, 65, 130, 300: several panels and a partial
// one), L L^T = S, and the failure index on singular and indefinite matrices.
using System.Numerics.Tensors;

namespace Opacity.Kernels.Cpu.Linalg;

public static class Cholesky
{
    private const int Nb = 128;

    /// <summary>Overwrites <paramref name="a"/> (n x n, row-major, symmetric; both triangles are read) with L:
    /// the lower triangle holds L and the strict upper triangle is set to 0, so L can go straight into DGEMM.
    /// Returns -1 on success, or the index of the first pivot (the Schur complement's diagonal value) that was not
    /// above <paramref name="minPivot"/>; <paramref name="a"/> is then partly overwritten.</summary>
    public static int Factor(Span<double> a, int n, double minPivot)
    {
        if (n < 0 || a.Length < (long)n * n)
            throw new ArgumentException("Cholesky.Factor: the buffer is smaller than n x n.");
        var xt = new double[Math.Min(Nb, n) * Math.Max(n - Math.Min(Nb, n), 1)];
        for (int k0 = 0; k0 < n; k0 += Nb)
        {
            int kb = Math.Min(Nb, n - k0);
            int failed = FactorDiagonalBlock(a, n, k0, kb, minPivot);
            if (failed >= 0)
                return failed;
            int m = n - k0 - kb;
            if (m == 0)
                break;
            SolvePanel(a, n, k0, kb, xt);
            // A22 -= L21 L21^T = (X^T)^T X^T (Syrk reads the upper triangle of A22 and writes both).
            Syrk.Multiply(true, m, kb, -1.0, xt, m, a[((k0 + kb) * n + k0 + kb)..], n, beta: 1.0);
        }
        for (int i = 0; i < n; i++)
            a.Slice(i * n + i + 1, n - i - 1).Clear();
        return -1;
    }

    /// <summary>Unblocked Cholesky of the kb x kb diagonal block at (k0, k0), row by row: row j of L needs only
    /// rows 0..j-1 of the block, and each entry is a dot product of two contiguous row segments.</summary>
    private static int FactorDiagonalBlock(Span<double> a, int n, int k0, int kb, double minPivot)
    {
        for (int j = 0; j < kb; j++)
        {
            Span<double> row = a.Slice((k0 + j) * n + k0, j + 1);
            for (int c = 0; c < j; c++)
            {
                ReadOnlySpan<double> rc = a.Slice((k0 + c) * n + k0, c + 1);
                row[c] = (row[c] - TensorPrimitives.Dot(row[..c], rc[..c])) / rc[c];
            }
            double pivot = row[j] - TensorPrimitives.Dot(row[..j], row[..j]);
            if (!(pivot > minPivot))   // also catches NaN
                return k0 + j;
            row[j] = Math.Sqrt(pivot);
        }
        return -1;
    }

    /// <summary>L21 = A21 L11^-T for the rows below the diagonal block, by forward substitution on the transposed
    /// panel X^T (kb x m, <paramref name="xt"/>): row c of X^T is (A21^T[c, :] - sum_t L11[c, t] X^T[t, :]) / L11[c, c],
    /// i.e. long contiguous axpys instead of m * kb short dot products. Column chunks of X^T (L2-sized) run in
    /// parallel; X^T is then written back into the panel and is also what the trailing Syrk reads.</summary>
    private static unsafe void SolvePanel(Span<double> a, int n, int k0, int kb, double[] xt)
    {
        int r0 = k0 + kb, m = n - r0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = a.Slice((r0 + i) * n + k0, kb);
            for (int c = 0; c < kb; c++)
                xt[c * m + i] = row[c];
        }
        const int chunk = 256;
        int chunks = (m + chunk - 1) / chunk;
        fixed (double* pa = a)
        {
            nint ia = (nint)pa;
            void Chunk(int q)
            {
                var l = new ReadOnlySpan<double>((double*)ia, n * n);
                int j0 = q * chunk, w = Math.Min(chunk, m - j0);
                for (int c = 0; c < kb; c++)
                {
                    Span<double> xc = xt.AsSpan(c * m + j0, w);
                    ReadOnlySpan<double> lc = l.Slice((k0 + c) * n + k0, c + 1);
                    for (int t = 0; t < c; t++)
                        TensorPrimitives.MultiplyAdd(xt.AsSpan(t * m + j0, w), -lc[t], xc, xc);
                    TensorPrimitives.Divide(xc, lc[c], xc);
                }
            }
            if (chunks > 1 && (double)m * kb * kb > 1e6)
                Parallel.For(0, chunks, Chunk);
            else
                for (int q = 0; q < chunks; q++)
                    Chunk(q);
        }
        for (int i = 0; i < m; i++)
        {
            Span<double> row = a.Slice((r0 + i) * n + k0, kb);
            for (int c = 0; c < kb; c++)
                row[c] = xt[c * m + i];
        }
    }
}
