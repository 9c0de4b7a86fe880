// The fused Adam / AdamW parameter update, one pass over p, g, m, v (PyTorch's formulation):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Adam adds weightDecay * p to g first (L2); AdamW scales p by (1 - lr * weightDecay) (decoupled).
// One generic version (float and double); it is also its own reference (scalar, no tiling).
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class AdamUpdate
{
    public static void Step<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, double lr, double beta1, double beta2, double eps,
        double weightDecay, bool decoupled, long step) where T : IFloatingPointIeee754<T>
    {
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        for (int i = 0; i < p.Length; i++)
        {
            double pi = double.CreateTruncating(p[i]), gi = double.CreateTruncating(g[i]);
            if (weightDecay != 0)
            {
                if (decoupled) pi *= 1 - lr * weightDecay;
                else gi += weightDecay * pi;
            }
            double mi = beta1 * double.CreateTruncating(m[i]) + (1 - beta1) * gi;
            double vi = beta2 * double.CreateTruncating(v[i]) + (1 - beta2) * gi * gi;
            m[i] = T.CreateTruncating(mi); v[i] = T.CreateTruncating(vi);
            p[i] = T.CreateTruncating(pi - lr * (mi / bc1) / (Math.Sqrt(vi / bc2) + eps));
        }
    }

    /// <summary>SGD with momentum (PyTorch's): buf = mu buf + g (first step: buf = g); p -= lr buf.</summary>
    public static void Sgd<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> buf, double lr, double momentum, double weightDecay, bool firstStep)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            double gi = double.CreateTruncating(g[i]) + weightDecay * double.CreateTruncating(p[i]);
            double b = momentum == 0 ? gi : firstStep ? gi : momentum * double.CreateTruncating(buf[i]) + gi;
            buf[i] = T.CreateTruncating(b);
            p[i] = T.CreateTruncating(double.CreateTruncating(p[i]) - lr * b);
        }
    }
}
