// Symmetric eigendecomposition A = Z^T diag(w) Z in float64 (the LAPACK DSYEV route): blocked Householder
// tridiagonalisation (Tridiagonal.Reduce), explicit Q^T (Tridiagonal.FormQTransposed), implicit QL with
// batched rotations (TridiagonalQl), eigenvalues sorted ascending like numpy.linalg.eigh.
// One version. Tested in SymmetricEigenTests against Reference/SymmetricEigenReference (cyclic Jacobi) at
// n = 1, 2, 7, 65, 130, rank-deficient inputs, and by residual ||A Z^T - Z^T diag(w)|| and orthogonality.
namespace Opacity.Kernels.Cpu.Linalg;

public static class SymmetricEigen
{
    /// <summary>Eigenvalues <paramref name="w"/> (ascending) and, when <paramref name="z"/> is not empty,
    /// eigenvectors as the rows of <paramref name="z"/> (n x n): row i is the unit vector of w[i].
    /// Only the matrix as given is read; it should be symmetric (the lower triangle's role is taken by rows).</summary>
    public static void Decompose(ReadOnlySpan<double> a, int n, Span<double> w, Span<double> z)
    {
        if (n < 0 || a.Length < n * n || w.Length < n || (!z.IsEmpty && z.Length < n * n))
            throw new ArgumentException("SymmetricEigen.Decompose: buffers are smaller than n.");
        if (n == 0)
            return;
        var work = a[..(n * n)].ToArray();
        var e = new double[Math.Max(n - 1, 1)];
        var tau = new double[Math.Max(n - 1, 1)];
        Span<double> d = w[..n];
        Tridiagonal.Reduce(work, n, d, e, tau);
        bool vectors = !z.IsEmpty;
        if (vectors)
            Tridiagonal.FormQTransposed(work, n, tau, z);
        TridiagonalQl.Solve(d, e, n, vectors ? z[..(n * n)] : Span<double>.Empty);
        SortAscending(d, vectors ? z[..(n * n)] : Span<double>.Empty, n);
    }

    private static void SortAscending(Span<double> w, Span<double> z, int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        var keys = w[..n].ToArray();
        Array.Sort(keys, order);
        bool identity = true;
        for (int i = 0; i < n && identity; i++)
            identity = order[i] == i;
        keys.CopyTo(w);
        if (identity || z.IsEmpty)
            return;
        var copy = z[..(n * n)].ToArray();
        for (int i = 0; i < n; i++)
            copy.AsSpan(order[i] * n, n).CopyTo(z.Slice(i * n, n));
    }
}
