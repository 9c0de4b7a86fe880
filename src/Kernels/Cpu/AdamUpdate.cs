// The fused Adam / AdamW parameter update, one pass over p, g, m, v (PyTorch's formulation):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Adam adds weightDecay * p to g first (L2); AdamW scales p by (1 - lr * weightDecay) (decoupled).
// Versions: v1 Step (generic, scalar, double arithmetic per element: the reference, and the path for double
// tensors); v2 StepSimd (float tensors, the default): the same double arithmetic in the same order, 4 doubles per
// Vector<double> (widened from 8 floats, narrowed back with the same round-to-nearest), no FMA contraction, so
// every element comes out bit for bit as v1's; tensors of >= ParallelMin elements are cut into one range per core.
// Why v2: two divisions and a square root per element ran at ~20 ns an element, and the update of the demo's two
// U-Net generators took 19.6 ms of a ~170 ms training step (train --profile-steps).
// Also here: the moving average of a generator's weights (WeightAverage), v1 scalar / v2 SIMD likewise.
// Tested by AdamUpdateTests (v2 against v1 bit for bit: lengths with tails, both weight decays, threaded sizes);
// timed by ElementwiseBench (AdamStep, MovingAverage).
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class AdamUpdate
{
    /// <summary>Below this many elements one thread (a Parallel.For costs ~10 us; v2 does ~1 ns an element).</summary>
    internal const int ParallelMin = 1 << 15;

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

    /// <summary>v2: <see cref="Step{T}"/> for float tensors, vectorised and threaded, bit for bit the same.</summary>
    public static unsafe void StepSimd(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, double lr, double beta1,
        double beta2, double eps, double weightDecay, bool decoupled, long step)
    {
        if (g.Length != p.Length || m.Length != p.Length || v.Length != p.Length)
            throw new ArgumentException($"Adam needs p, g, m and v of one length; got {p.Length}, {g.Length}, {m.Length}, {v.Length}.");
        var c = new AdamConstants(lr, beta1, beta2, eps, weightDecay, decoupled, step);
        fixed (float* pp = p) fixed (float* pg = g) fixed (float* pm = m) fixed (float* pv = v)
        {
            nint a = (nint)pp, b = (nint)pg, d = (nint)pm, e = (nint)pv;
            ForRanges(p.Length, (lo, hi) => AdamRange((float*)a, (float*)b, (float*)d, (float*)e, lo, hi, c));
        }
    }

    /// <summary>v1 of the weight average: avg = (float)(d avg + (1 - d) theta), in double per element.</summary>
    public static void MovingAverage(Span<float> average, ReadOnlySpan<float> theta, double decay)
    {
        double d = decay, e = 1 - decay;
        for (int j = 0; j < average.Length; j++) average[j] = (float)(d * average[j] + e * theta[j]);
    }

    /// <summary>v2 of the weight average: vectorised and threaded, bit for bit v1.</summary>
    public static unsafe void MovingAverageSimd(Span<float> average, ReadOnlySpan<float> theta, double decay)
    {
        if (theta.Length != average.Length)
            throw new ArgumentException($"The average has {average.Length} elements, the weights {theta.Length}.");
        fixed (float* pa = average) fixed (float* pt = theta)
        {
            nint a = (nint)pa, t = (nint)pt;
            ForRanges(average.Length, (lo, hi) => AverageRange((float*)a, (float*)t, lo, hi, decay));
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

    // One range per core for large tensors, cut at multiples of 16 elements (the ranges' vector loops stay whole).
    private static void ForRanges(int n, Action<int, int> range)
    {
        int parts = n < ParallelMin ? 1 : Math.Min(Environment.ProcessorCount, n / (ParallelMin / 2));
        if (parts <= 1) { range(0, n); return; }
        int chunk = (n / parts + 15) & ~15;
        Parallel.For(0, parts, t => range(Math.Min(n, t * chunk), t == parts - 1 ? n : Math.Min(n, (t + 1) * chunk)));
    }

    private readonly struct AdamConstants(double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, long step)
    {
        public readonly double Lr = lr, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay;
        public readonly bool Decoupled = decoupled;
        public readonly long StepCount = step;
        public readonly double Bc1 = 1 - Math.Pow(beta1, step), Bc2 = 1 - Math.Pow(beta2, step);
    }

    private static unsafe void AdamRange(float* p, float* g, float* m, float* v, int lo, int hi, in AdamConstants c)
    {
        int i = lo, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= hi - w; i += w)
            {
                Vector.Widen(Vector.Load(p + i), out Vector<double> p0, out Vector<double> p1);
                Vector.Widen(Vector.Load(g + i), out Vector<double> g0, out Vector<double> g1);
                Vector.Widen(Vector.Load(m + i), out Vector<double> m0, out Vector<double> m1);
                Vector.Widen(Vector.Load(v + i), out Vector<double> v0, out Vector<double> v1);
                AdamLanes(ref p0, ref g0, ref m0, ref v0, c);
                AdamLanes(ref p1, ref g1, ref m1, ref v1, c);
                Vector.Store(Vector.Narrow(m0, m1), m + i);
                Vector.Store(Vector.Narrow(v0, v1), v + i);
                Vector.Store(Vector.Narrow(p0, p1), p + i);
            }
        }
        // the tail: v1's loop body on the remaining elements
        Step(new Span<float>(p + i, hi - i), new ReadOnlySpan<float>(g + i, hi - i), new Span<float>(m + i, hi - i),
            new Span<float>(v + i, hi - i), c.Lr, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.Decoupled, c.StepCount);
    }

    // v1's expression tree, operation for operation (each a correctly rounded IEEE double op, as in the scalar loop).
    private static void AdamLanes(ref Vector<double> p, ref Vector<double> g, ref Vector<double> m, ref Vector<double> v, in AdamConstants c)
    {
        if (c.WeightDecay != 0)
        {
            if (c.Decoupled) p *= new Vector<double>(1 - c.Lr * c.WeightDecay);
            else g += new Vector<double>(c.WeightDecay) * p;
        }
        m = new Vector<double>(c.Beta1) * m + new Vector<double>(1 - c.Beta1) * g;
        v = new Vector<double>(c.Beta2) * v + new Vector<double>(1 - c.Beta2) * g * g;
        p -= new Vector<double>(c.Lr) * (m / new Vector<double>(c.Bc1)) / (Vector.SquareRoot(v / new Vector<double>(c.Bc2)) + new Vector<double>(c.Eps));
    }

    private static unsafe void AverageRange(float* a, float* t, int lo, int hi, double decay)
    {
        int j = lo, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var d = new Vector<double>(decay);
            var e = new Vector<double>(1 - decay);
            for (; j <= hi - w; j += w)
            {
                Vector.Widen(Vector.Load(a + j), out Vector<double> a0, out Vector<double> a1);
                Vector.Widen(Vector.Load(t + j), out Vector<double> t0, out Vector<double> t1);
                Vector.Store(Vector.Narrow(d * a0 + e * t0, d * a1 + e * t1), a + j);
            }
        }
        MovingAverage(new Span<float>(a + j, hi - j), new ReadOnlySpan<float>(t + j, hi - j), decay);
    }
}
