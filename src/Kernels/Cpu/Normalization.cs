// Instance norm and batch norm on NCHW, forward and backward, one kernel for both: a "group" is the
// set of elements that share one mean and variance. Instance norm: group = one (n, c) plane (N*C
// groups). Batch norm: group = one channel across the batch (C groups of N planes). Variance is the
// biased one (divide by M), as PyTorch normalises with; the backward is the standard three-term form:
//   dx = rstd * (g*dy - mean(g*dy) - xhat * mean(g*dy * xhat)),  xhat = (x - mean) * rstd, g = gamma[c]
// rewritten as dx = k1*dy + k2*x + k3 per group so it is one SIMD pass. Tested against NormalizationReference.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu;

public static class Normalization
{
    /// <summary>Plane p of group g: instance norm has one plane per group, batch norm N planes per channel.</summary>
    private static int PlaneOf(bool perInstance, int n, int c, int g, int i) => perInstance ? g : i * c + g;

    /// <summary>Statistics of every group: mean and rstd = 1/sqrt(var + eps) (biased variance).</summary>
    public static void Statistics<T>(ReadOnlySpan<T> x, int n, int c, int hw, bool perInstance, double eps, Span<T> mean, Span<T> rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = perInstance ? n * c : c, planes = perInstance ? 1 : n;
        double m = (double)planes * hw;
        for (int g = 0; g < groups; g++)
        {
            double sum = 0;
            for (int i = 0; i < planes; i++) sum += double.CreateTruncating(TensorPrimitives.Sum(x.Slice(PlaneOf(perInstance, n, c, g, i) * hw, hw)));
            double mu = sum / m, sq = 0;
            for (int i = 0; i < planes; i++)
            {
                ReadOnlySpan<T> p = x.Slice(PlaneOf(perInstance, n, c, g, i) * hw, hw);
                sq += SumSquaredDeviation(p, T.CreateTruncating(mu));
            }
            mean[g] = T.CreateTruncating(mu);
            rstd[g] = T.CreateTruncating(1.0 / Math.Sqrt(sq / m + eps));
        }
    }

    private static double SumSquaredDeviation<T>(ReadOnlySpan<T> p, T mu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        var acc = Vector512<T>.Zero;
        var vm = Vector512.Create(mu);
        for (; i <= p.Length - Vector512<T>.Count; i += Vector512<T>.Count)
        {
            var d = Vector512.Create(p.Slice(i, Vector512<T>.Count)) - vm;
            acc += d * d;
        }
        double s = double.CreateTruncating(Vector512.Sum(acc));
        for (; i < p.Length; i++) { double d = double.CreateTruncating(p[i] - mu); s += d * d; }
        return s;
    }

    /// <summary>y = (x - mean[g]) * rstd[g] * gamma[ch] + beta[ch]; gamma/beta empty means 1/0.</summary>
    public static void Apply<T>(ReadOnlySpan<T> x, int n, int c, int hw, bool perInstance, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = perInstance ? n * c : c, planes = perInstance ? 1 : n;
        for (int g = 0; g < groups; g++)
        {
            int ch = perInstance ? g % c : g;
            T scale = rstd[g] * (gamma.IsEmpty ? T.One : gamma[ch]);
            T shift = (beta.IsEmpty ? T.Zero : beta[ch]) - mean[g] * scale;
            for (int i = 0; i < planes; i++)
            {
                int off = PlaneOf(perInstance, n, c, g, i) * hw;
                Combine(x.Slice(off, hw), x.Slice(off, hw), scale, T.Zero, shift, y.Slice(off, hw), accumulate: false);
            }
        }
    }

    /// <summary>Backward. With <paramref name="batchStatistics"/> the mean/var depend on x (training);
    /// without, they are constants (batch norm in eval mode) and dx = dy * gamma * rstd.</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int hw, bool perInstance, bool batchStatistics,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd, ReadOnlySpan<T> gamma,
        Span<T> dx, bool accumulateDx, Span<T> dGamma, Span<T> dBeta, bool accumulateParams)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = perInstance ? n * c : c, planes = perInstance ? 1 : n;
        if (!accumulateParams) { dGamma.Clear(); dBeta.Clear(); }
        double m = (double)planes * hw;
        for (int g = 0; g < groups; g++)
        {
            int ch = perInstance ? g % c : g;
            double sumDy = 0, sumDyX = 0;
            for (int i = 0; i < planes; i++)
            {
                int off = PlaneOf(perInstance, n, c, g, i) * hw;
                sumDy += double.CreateTruncating(TensorPrimitives.Sum(dy.Slice(off, hw)));
                sumDyX += double.CreateTruncating(TensorPrimitives.Dot(dy.Slice(off, hw), x.Slice(off, hw)));
            }
            double mu = double.CreateTruncating(mean[g]), rs = double.CreateTruncating(rstd[g]);
            double sumDyXhat = rs * (sumDyX - mu * sumDy);
            if (!dGamma.IsEmpty) dGamma[ch] += T.CreateTruncating(sumDyXhat);
            if (!dBeta.IsEmpty) dBeta[ch] += T.CreateTruncating(sumDy);
            if (dx.IsEmpty) continue;
            double gm = gamma.IsEmpty ? 1.0 : double.CreateTruncating(gamma[ch]);
            double k1 = rs * gm, k2 = 0, k3 = 0;
            if (batchStatistics)
            {
                k2 = -rs * rs * gm * sumDyXhat / m;
                k3 = -rs * gm * sumDy / m - k2 * mu;
            }
            for (int i = 0; i < planes; i++)
            {
                int off = PlaneOf(perInstance, n, c, g, i) * hw;
                Combine(dy.Slice(off, hw), x.Slice(off, hw), T.CreateTruncating(k1), T.CreateTruncating(k2), T.CreateTruncating(k3), dx.Slice(off, hw), accumulateDx);
            }
        }
    }

    // r (+)= k1*dy + k2*x + k3
    private static void Combine<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, T k1, T k2, T k3, Span<T> r, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        var v1 = Vector512.Create(k1); var v2 = Vector512.Create(k2); var v3 = Vector512.Create(k3);
        for (; i <= r.Length - Vector512<T>.Count; i += Vector512<T>.Count)
        {
            var v = Vector512.Create(dy.Slice(i, Vector512<T>.Count)) * v1 + Vector512.Create(x.Slice(i, Vector512<T>.Count)) * v2 + v3;
            if (accumulate) v += Vector512.Create((ReadOnlySpan<T>)r.Slice(i, Vector512<T>.Count));
            v.CopyTo(r.Slice(i, Vector512<T>.Count));
        }
        for (; i < r.Length; i++) { T v = k1 * dy[i] + k2 * x[i] + k3; r[i] = accumulate ? r[i] + v : v; }
    }
}
