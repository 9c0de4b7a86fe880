// Scalar Cholesky oracle: S = L L^T by the textbook row-by-row (Cholesky-Banachiewicz) loops, accumulated in
// double. Never optimised (STYLE.md G4). Row-major; L is returned in the lower triangle with zeros above.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class CholeskyReference
{
    /// <summary>Writes L (n x n) into <paramref name="l"/> from the lower triangle of <paramref name="a"/>.
    /// Returns -1 on success, or the index of the first pivot that was not above <paramref name="minPivot"/>.</summary>
    public static int Factor<T>(ReadOnlySpan<T> a, int n, Span<T> l, double minPivot)
        where T : IFloatingPointIeee754<T>
    {
        l[..(n * n)].Clear();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = double.CreateTruncating(a[i * n + j]);
                for (int k = 0; k < j; k++)
                    sum -= double.CreateTruncating(l[i * n + k]) * double.CreateTruncating(l[j * n + k]);
                if (i == j)
                {
                    if (!(sum > minPivot))
                        return i;
                    l[i * n + i] = T.CreateTruncating(Math.Sqrt(sum));
                }
                else
                    l[i * n + j] = T.CreateTruncating(sum / double.CreateTruncating(l[j * n + j]));
            }
        }
        return -1;
    }
}
