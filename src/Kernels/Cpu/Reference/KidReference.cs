// Scalar oracle for the Kernel Inception Distance pieces (FID_KID.md §8.4; kernels/cu/kid.cu), float64:
// the cubic polynomial kernel k(x, y) = (gamma x·y + coef0)^3 and the unbiased MMD² estimator
//   MMD² = Σ_{i≠j} k(x_i,x_j)/(m(m-1)) + Σ_{i≠j} k(y_i,y_j)/(m(m-1)) - 2 Σ_{i,j} k(x_i,y_j)/m².
// Features are row-major m x dim. Tested by tests/Opacity.Kernels.Tests/Cuda/EmulatorKidTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class KidReference
{
    /// <summary>In place over a Gram matrix: <c>g = (gamma*g + coef0)^3</c>.</summary>
    public static void PolynomialKernel<T>(Span<T> g, double gamma, double coef0) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < g.Length; i++)
        {
            double b = gamma * double.CreateTruncating(g[i]) + coef0;
            g[i] = T.CreateTruncating(b * b * b);
        }
    }

    /// <summary><c>Σ_{i≠j} K[i,j]</c> of an m x m matrix, in double.</summary>
    public static double OffDiagonalSum<T>(ReadOnlySpan<T> k, int m) where T : IFloatingPointIeee754<T>
    {
        ReferenceChecks.Positive(m, nameof(m));
        ReferenceChecks.Length(k.Length, (long)m * m, nameof(k));
        double sum = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                if (i != j) sum += double.CreateTruncating(k[i * m + j]);
        return sum;
    }

    /// <summary>Unbiased MMD² between two feature sets of m rows each (m ≥ 2), straight from the definition.
    /// gamma defaults to 1/dim and coef0 to 1, the KID defaults.</summary>
    public static double Mmd2Unbiased(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int m, int dim, double? gamma = null, double coef0 = 1)
    {
        if (m < 2) throw new ArgumentOutOfRangeException(nameof(m), m, "The unbiased MMD² needs at least 2 rows per set.");
        ReferenceChecks.Positive(dim, nameof(dim));
        ReferenceChecks.Length(x.Length, (long)m * dim, nameof(x));
        ReferenceChecks.Length(y.Length, (long)m * dim, nameof(y));
        double g = gamma ?? 1.0 / dim, kxx = 0, kyy = 0, kxy = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                if (i != j)
                {
                    kxx += Kernel(x.Slice(i * dim, dim), x.Slice(j * dim, dim), g, coef0);
                    kyy += Kernel(y.Slice(i * dim, dim), y.Slice(j * dim, dim), g, coef0);
                }
                kxy += Kernel(x.Slice(i * dim, dim), y.Slice(j * dim, dim), g, coef0);
            }
        return kxx / (m * (m - 1.0)) + kyy / (m * (m - 1.0)) - 2 * kxy / ((double)m * m);
    }

    private static double Kernel(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double gamma, double coef0)
    {
        double dot = 0;
        for (int i = 0; i < a.Length; i++) dot += a[i] * b[i];
        double v = gamma * dot + coef0;
        return v * v * v;
    }
}
