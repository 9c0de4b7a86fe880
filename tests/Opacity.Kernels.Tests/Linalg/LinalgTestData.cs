// Small helpers for the float64 linear-algebra tests: seeded random matrices and max-abs comparisons.
namespace Opacity.Kernels.Tests.Linalg;

internal static class LinalgTestData
{
    public static double[] Random(int count, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var a = new double[count];
        for (int i = 0; i < a.Length; i++)
            a[i] = lo + (hi - lo) * rng.NextDouble();
        return a;
    }

    /// <summary>Random symmetric n x n (entries in [-1, 1]).</summary>
    public static double[] Symmetric(int n, int seed)
    {
        double[] a = Random(n * n, seed);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                a[i * n + j] = a[j * n + i];
        return a;
    }

    /// <summary>PSD X X^T / k with X n x k, so rank min(n, k).</summary>
    public static double[] Psd(int n, int k, int seed)
    {
        double[] x = Random(n * k, seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += x[i * k + p] * x[j * k + p];
                a[i * n + j] = s / k;
            }
        return a;
    }

    /// <summary>Orthonormal DCT-II matrix (row-major, rows are the basis vectors), FID_KID.md 8.5 test 4.</summary>
    public static double[] Dct(int d)
    {
        var q = new double[d * d];
        for (int j = 0; j < d; j++)
            for (int k = 0; k < d; k++)
                q[j * d + k] = Math.Sqrt(2.0 / d) * (k == 0 ? 1 / Math.Sqrt(2) : 1) * Math.Cos(Math.PI * (2 * j + 1) * k / (2.0 * d));
        return q;
    }

    /// <summary>Q diag(a) Q^T for the DCT Q (columns of Q as eigenvectors).</summary>
    public static double[] Rotated(double[] q, double[] diag, int d)
    {
        var o = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++)
                    s += q[i * d + k] * diag[k] * q[j * d + k];
                o[i * d + j] = s;
            }
        return o;
    }

    public static double MaxAbs(ReadOnlySpan<double> a)
    {
        double m = 0;
        foreach (double v in a)
            m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
