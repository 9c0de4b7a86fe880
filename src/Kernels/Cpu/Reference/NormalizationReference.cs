// Scalar oracle for instance/batch norm: the textbook formulas in double, element by element.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class NormalizationReference
{
    private static IEnumerable<int> Offsets(int n, int c, int hw, bool perInstance, int g)
    {
        int planes = perInstance ? 1 : n;
        for (int i = 0; i < planes; i++)
        {
            int plane = perInstance ? g : i * c + g;
            for (int k = 0; k < hw; k++) yield return plane * hw + k;
        }
    }

    public static void Forward<T>(ReadOnlySpan<T> x, int n, int c, int hw, bool perInstance, double eps,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y, Span<T> mean, Span<T> rstd) where T : IFloatingPointIeee754<T>
    {
        int groups = perInstance ? n * c : c;
        for (int g = 0; g < groups; g++)
        {
            int ch = perInstance ? g % c : g;
            double s = 0, cnt = 0;
            foreach (int o in Offsets(n, c, hw, perInstance, g)) { s += double.CreateTruncating(x[o]); cnt++; }
            double mu = s / cnt, v = 0;
            foreach (int o in Offsets(n, c, hw, perInstance, g)) { double d = double.CreateTruncating(x[o]) - mu; v += d * d; }
            double r = 1.0 / Math.Sqrt(v / cnt + eps);
            double gm = gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[ch]), bt = beta.IsEmpty ? 0 : double.CreateTruncating(beta[ch]);
            foreach (int o in Offsets(n, c, hw, perInstance, g)) y[o] = T.CreateTruncating((double.CreateTruncating(x[o]) - mu) * r * gm + bt);
            mean[g] = T.CreateTruncating(mu); rstd[g] = T.CreateTruncating(r);
        }
    }

    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int hw, bool perInstance,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd, ReadOnlySpan<T> gamma, Span<T> dx, Span<T> dGamma, Span<T> dBeta) where T : IFloatingPointIeee754<T>
    {
        int groups = perInstance ? n * c : c;
        for (int i = 0; i < dGamma.Length; i++) { dGamma[i] = T.Zero; dBeta[i] = T.Zero; }
        for (int g = 0; g < groups; g++)
        {
            int ch = perInstance ? g % c : g;
            double mu = double.CreateTruncating(mean[g]), r = double.CreateTruncating(rstd[g]);
            double gm = gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[ch]);
            double sdy = 0, sdyxh = 0, cnt = 0;
            foreach (int o in Offsets(n, c, hw, perInstance, g))
            {
                double xh = (double.CreateTruncating(x[o]) - mu) * r, d = double.CreateTruncating(dy[o]);
                sdy += d; sdyxh += d * xh; cnt++;
            }
            if (!dGamma.IsEmpty) { dGamma[ch] += T.CreateTruncating(sdyxh); dBeta[ch] += T.CreateTruncating(sdy); }
            foreach (int o in Offsets(n, c, hw, perInstance, g))
            {
                double xh = (double.CreateTruncating(x[o]) - mu) * r, d = double.CreateTruncating(dy[o]);
                // term 1: direct path; term 2: through the mean; term 3: through the variance
                dx[o] = T.CreateTruncating(r * gm * (d - sdy / cnt - xh * sdyxh / cnt));
            }
        }
    }
}
