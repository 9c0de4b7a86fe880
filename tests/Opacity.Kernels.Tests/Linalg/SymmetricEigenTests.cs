// Symmetric eigendecomposition (blocked tridiagonalisation + QL with batched rotations) against the cyclic
// Jacobi reference, plus residual and orthogonality, at n = 1, 2, 7, 65, 130 and 200 (several panels),
// random symmetric (indefinite), rank-deficient PSD and repeated eigenvalues.
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class SymmetricEigenTests
{
    public enum Kind { Indefinite, RankDeficient, Repeated }

    private static double[] Matrix(int n, Kind kind) => kind switch
    {
        Kind.Indefinite => LinalgTestData.Symmetric(n, 10 + n),
        Kind.RankDeficient => LinalgTestData.Psd(n, Math.Max(1, n / 3), 20 + n),
        _ => LinalgTestData.Rotated(LinalgTestData.Dct(n), Enumerable.Range(0, n).Select(i => (double)(i % 3)).ToArray(), n),
    };

    [Test]
    public void Decomposition_matches_jacobi_and_has_small_residual(
        [Values(1, 2, 7, 65, 130)] int n, [Values] Kind kind)
    {
        double[] a = Matrix(n, kind);
        double scale = Math.Max(LinalgTestData.MaxAbs(a), 1e-300);
        var w = new double[n];
        var z = new double[n * n];
        SymmetricEigen.Decompose(a, n, w, z);
        var wr = new double[n];
        SymmetricEigenReference.Decompose<double>(a, n, wr, Span<double>.Empty);
        for (int i = 0; i < n; i++)
            Assert.That(w[i], Is.EqualTo(wr[i]).Within(1e-12 * n * scale), $"eigenvalue {i}");
        for (int i = 1; i < n; i++)
            Assert.That(w[i], Is.GreaterThanOrEqualTo(w[i - 1]), "ascending");
        // Residual A z_i - w_i z_i and orthonormality Z Z^T = I.
        double res = 0, orth = 0;
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < n; r++)
            {
                double s = 0;
                for (int c = 0; c < n; c++)
                    s += a[r * n + c] * z[i * n + c];
                res = Math.Max(res, Math.Abs(s - w[i] * z[i * n + r]));
            }
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int c = 0; c < n; c++)
                    s += z[i * n + c] * z[j * n + c];
                orth = Math.Max(orth, Math.Abs(s - (i == j ? 1 : 0)));
            }
        }
        Assert.That(res, Is.LessThan(1e-13 * n * scale + 1e-300), "residual");
        Assert.That(orth, Is.LessThan(1e-13 * n), "orthogonality");
    }

    [Test]
    public void Several_panels_and_values_only_agree_with_vectors()
    {
        const int n = 200;
        double[] a = LinalgTestData.Psd(n, 80, 7);
        var w1 = new double[n];
        var w2 = new double[n];
        var z = new double[n * n];
        SymmetricEigen.Decompose(a, n, w1, z);
        SymmetricEigen.Decompose(a, n, w2, Span<double>.Empty);
        var wr = new double[n];
        SymmetricEigenReference.Decompose<double>(a, n, wr, Span<double>.Empty);
        double scale = LinalgTestData.MaxAbs(a);
        for (int i = 0; i < n; i++)
        {
            Assert.That(w1[i], Is.EqualTo(wr[i]).Within(1e-12 * n * scale), $"with vectors, eigenvalue {i}");
            Assert.That(w2[i], Is.EqualTo(wr[i]).Within(1e-12 * n * scale), $"values only, eigenvalue {i}");
        }
        // 120 eigenvalues are zero in exact arithmetic.
        Assert.That(Math.Abs(w1[119]), Is.LessThan(1e-13 * n * scale));
        Assert.That(w1[120], Is.GreaterThan(1e-6));
    }

    [Test]
    public void Tridiagonal_reduction_reconstructs_the_matrix()
    {
        const int n = 70;
        double[] a = LinalgTestData.Symmetric(n, 3);
        double[] work = (double[])a.Clone();
        var d = new double[n];
        var e = new double[n - 1];
        var tau = new double[n - 1];
        Tridiagonal.Reduce(work, n, d, e, tau);
        var z = new double[n * n];
        Tridiagonal.FormQTransposed(work, n, tau, z);
        // A = Z^T T Z, element (r, c) = sum_ij Z[i, r] T[i, j] Z[j, c].
        for (int r = 0; r < n; r += 7)
            for (int c = 0; c < n; c += 5)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += z[i * n + r] * d[i] * z[i * n + c];
                    if (i + 1 < n)
                        s += z[i * n + r] * e[i] * z[(i + 1) * n + c] + z[(i + 1) * n + r] * e[i] * z[i * n + c];
                }
                Assert.That(s, Is.EqualTo(a[r * n + c]).Within(1e-13 * n), $"A[{r},{c}]");
            }
    }
}
