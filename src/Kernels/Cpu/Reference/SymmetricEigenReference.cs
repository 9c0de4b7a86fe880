// Scalar oracle for the symmetric eigenproblem: cyclic Jacobi rotations (Golub & Van Loan 8.5), accumulated
// in double, never optimised (STYLE.md G4). O(n^3) per sweep; meant for the test sizes (n up to a few hundred).
// Output convention as Linalg.SymmetricEigen: eigenvalues ascending, row i of z is the vector of w[i].
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class SymmetricEigenReference
{
    public static void Decompose<T>(ReadOnlySpan<T> a, int n, Span<T> w, Span<T> z)
        where T : IFloatingPointIeee754<T>
    {
        var m = new double[n, n];
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
            for (int j = 0; j < n; j++)
                m[i, j] = 0.5 * (double.CreateTruncating(a[i * n + j]) + double.CreateTruncating(a[j * n + i]));
        }
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    total += m[i, j] * m[i, j];
                    if (i != j)
                        off += m[i, j] * m[i, j];
                }
            if (off <= 1e-30 * total || off == 0)
                break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (m[p, q] == 0)
                        continue;
                    // Rotation that zeroes m[p, q]: t = tan(theta), the smaller root.
                    double theta = (m[q, q] - m[p, p]) / (2 * m[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double mkp = m[k, p], mkq = m[k, q];
                        m[k, p] = c * mkp - s * mkq;
                        m[k, q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double mpk = m[p, k], mqk = m[q, k];
                        m[p, k] = c * mpk - s * mqk;
                        m[q, k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderBy(i => m[i, i]).ToArray();
        for (int r = 0; r < n; r++)
        {
            w[r] = T.CreateTruncating(m[order[r], order[r]]);
            if (!z.IsEmpty)
                for (int k = 0; k < n; k++)
                    z[r * n + k] = T.CreateTruncating(v[k, order[r]]);
        }
    }
}
