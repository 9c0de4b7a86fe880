// Scalar oracle for the Newton-Schulz trace of a matrix square root (FID_KID.md §8.3), row-major d x d,
// float64 throughout. The pieces mirror kernels/cu/newton_schulz.cu; TraceSqrt runs the whole coupled
// iteration Y0 = M/||M||_F, Z0 = I, T = (3I - ZY)/2, Y <- YT, Z <- TZ, with GemmReference products.
// Tested by tests/Opacity.Kernels.Tests/Cuda/EmulatorNewtonSchulzTests.cs (also against Σ√λ of a known spectrum).
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class NewtonSchulzReference
{
    /// <summary><c>Y = M * invNorm</c>, <c>Z = I</c>.</summary>
    public static void Init<T>(ReadOnlySpan<T> m, Span<T> y, Span<T> z, int d, T invNorm) where T : IFloatingPointIeee754<T>
    {
        Check(m.Length, d, nameof(m)); Check(y.Length, d, nameof(y)); Check(z.Length, d, nameof(z));
        for (int i = 0; i < d * d; i++)
        {
            y[i] = m[i] * invNorm;
            z[i] = i / d == i % d ? T.One : T.Zero;
        }
    }

    /// <summary><c>T = (3I - ZY) / 2</c>.</summary>
    public static void HalfThreeMinus<T>(ReadOnlySpan<T> zy, Span<T> t, int d) where T : IFloatingPointIeee754<T>
    {
        Check(zy.Length, d, nameof(zy)); Check(t.Length, d, nameof(t));
        T half = T.CreateTruncating(0.5), three = T.CreateTruncating(3);
        for (int i = 0; i < d * d; i++) t[i] = half * (i / d == i % d ? three - zy[i] : -zy[i]);
    }

    /// <summary><c>Σ_i A[i,i]</c>, accumulated in double.</summary>
    public static double Trace<T>(ReadOnlySpan<T> a, int d) where T : IFloatingPointIeee754<T>
    {
        Check(a.Length, d, nameof(a));
        double sum = 0;
        for (int i = 0; i < d; i++) sum += double.CreateTruncating(a[i * d + i]);
        return sum;
    }

    /// <summary><c>||M||_F</c> in double.</summary>
    public static double FrobeniusNorm<T>(ReadOnlySpan<T> m) where T : IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T v in m) sum += double.CreateTruncating(v) * double.CreateTruncating(v);
        return Math.Sqrt(sum);
    }

    /// <summary><c>tr sqrt(M) ≈ sqrt(||M||_F) * tr(Y_K)</c> after <paramref name="iterations"/> coupled NS steps;
    /// M symmetric positive semi-definite.</summary>
    public static double TraceSqrt(ReadOnlySpan<double> m, int d, int iterations)
    {
        Check(m.Length, d, nameof(m));
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        double norm = FrobeniusNorm(m);
        if (norm == 0) return 0;
        double[] y = new double[d * d], z = new double[d * d], t = new double[d * d], tmp = new double[d * d];
        Init<double>(m, y, z, d, 1 / norm);
        for (int k = 0; k < iterations; k++)
        {
            GemmReference.Gemm(false, false, d, d, d, 1.0, z, d, y, d, 0.0, tmp, d);   // ZY
            HalfThreeMinus<double>(tmp, t, d);
            GemmReference.Gemm(false, false, d, d, d, 1.0, y, d, t, d, 0.0, tmp, d);   // Y <- YT
            tmp.CopyTo(y, 0);
            GemmReference.Gemm(false, false, d, d, d, 1.0, t, d, z, d, 0.0, tmp, d);   // Z <- TZ
            tmp.CopyTo(z, 0);
        }
        return Math.Sqrt(norm) * Trace<double>(y, d);
    }

    private static void Check(int length, int d, string name)
    {
        ReferenceChecks.Positive(d, nameof(d));
        ReferenceChecks.Length(length, (long)d * d, name);
    }
}
