// Weight initialisation. CycleGAN's default is N(0, 0.02) for conv weights and zero biases;
// Kaiming (He) normal suits ReLU classifiers. All draws come from a seeded Rng.
using Opacity.Tensors;

namespace Opacity.Nn;

public static class Init
{
    public static void Normal(Tensor t, Rng rng, double mean = 0, double std = 0.02) => Fill(t, () => mean + std * rng.NextNormal());

    /// <summary>He normal: std = gain / sqrt(fanIn), gain = sqrt(2) for ReLU (PyTorch's kaiming_normal_, fan_in mode).</summary>
    public static void KaimingNormal(Tensor t, Rng rng, double gain = 1.4142135623730951)
    {
        int fanIn = t.Numel / t.Shape[0];
        double std = gain / Math.Sqrt(fanIn);
        Fill(t, () => std * rng.NextNormal());
    }

    public static void Uniform(Tensor t, Rng rng, double low, double high) => Fill(t, () => low + (high - low) * rng.NextDouble());
    public static void Constant(Tensor t, double value) => Fill(t, () => value);

    private static void Fill(Tensor t, Func<double> next)
    {
        if (t.DType == DType.F32) { Span<float> s = t.AsSpan(); for (int i = 0; i < s.Length; i++) s[i] = (float)next(); }
        else { Span<double> s = t.AsSpanF64(); for (int i = 0; i < s.Length; i++) s[i] = next(); }
    }

    /// <summary>Applies CycleGAN's init_weights('normal', 0.02) to every parameter of <paramref name="module"/>:
    /// weights of rank >= 2 get N(0, 0.02), norm-layer weights N(1, 0.02), biases 0.</summary>
    public static void CycleGanNormal(Module module, Rng rng, double std = 0.02)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            bool isNormWeight = name.EndsWith("norm.weight", StringComparison.Ordinal) || (p.Value.Rank == 1 && name.EndsWith("weight", StringComparison.Ordinal));
            if (name.EndsWith("bias", StringComparison.Ordinal)) Constant(p.Value, 0);
            else if (isNormWeight) Normal(p.Value, rng, 1.0, std);
            else Normal(p.Value, rng, 0, std);
        }
    }
}
