// Scalar oracle for one Adam step (torch.optim.Adam semantics, L2 weight decay; kernels/cu/adam.cu),
// computed in double per element (STYLE.md G4). step is 1-based: bias corrections 1 - beta^step.
// Tested against the CUDA kernel by tests/Opacity.Kernels.Tests/Cuda/EmulatorAdamTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class AdamReference
{
    /// <summary>In place: <c>g' = g + weightDecay*p; m = β1 m + (1-β1) g'; v = β2 v + (1-β2) g'²;
    /// p -= lr/(1-β1^t) * m / (sqrt(v)/sqrt(1-β2^t) + eps)</c>.</summary>
    public static void Step<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, int step, double lr, double beta1,
        double beta2, double eps, double weightDecay) where T : IFloatingPointIeee754<T>
    {
        ReferenceChecks.Positive(step, nameof(step));
        ReferenceChecks.Length(g.Length, p.Length, nameof(g));
        ReferenceChecks.Length(m.Length, p.Length, nameof(m));
        ReferenceChecks.Length(v.Length, p.Length, nameof(v));
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        for (int i = 0; i < p.Length; i++)
        {
            double pi = double.CreateTruncating(p[i]);
            double grad = double.CreateTruncating(g[i]) + weightDecay * pi;
            double mi = beta1 * double.CreateTruncating(m[i]) + (1 - beta1) * grad;
            double vi = beta2 * double.CreateTruncating(v[i]) + (1 - beta2) * grad * grad;
            m[i] = T.CreateTruncating(mi);
            v[i] = T.CreateTruncating(vi);
            p[i] = T.CreateTruncating(pi - lr / bc1 * mi / (Math.Sqrt(vi) / Math.Sqrt(bc2) + eps));
        }
    }
}
