// Gradient check in float64 (STYLE.md G8): central differences against the engine's backward, on a
// scalar loss sum(f(x) * R) with a fixed random R so the upstream gradient is not all ones. Large
// inputs are checked along random directions instead of element by element.
using NUnit.Framework;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.TestSupport;

public static class GradCheck
{
    /// <summary>Checks d(sum(f(inputs) * R))/d(input) for every input that requires a gradient.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3,
        int elementwiseLimit = 600, int directions = 3, ulong seed = 7, string name = "op")
    {
        foreach (Tensor t in inputs)
            if (t.DType != DType.F64) NUnit.Framework.Assert.Fail($"{name}: gradcheck needs float64 inputs, got {t.Describe()}.");

        using var scope = TensorScope.Begin();
        Tensor probe;
        using (GradMode.NoGrad()) probe = f(inputs);
        Tensor weights = Tensor.Normal(probe.Shape, new Rng(seed), dtype: DType.F64);

        double Loss()
        {
            using var inner = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                Tensor y = f(inputs);
                double[] yv = y.ToArrayF64(), wv = weights.ToArrayF64();
                double s = 0;
                for (int i = 0; i < yv.Length; i++) s += yv[i] * wv[i];
                return s;
            }
        }

        foreach (Tensor t in inputs) t.ZeroGrad();
        Tensor output = f(inputs);
        (output * weights).Sum().Backward();

        var rng = new Rng(seed + 1);
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor x = inputs[k];
            if (!x.RequiresGrad) continue;
            double[] analytic = x.Grad?.ToArrayF64() ?? new double[x.Numel];
            Span<double> data = x.AsSpanF64();
            if (x.Numel <= elementwiseLimit)
            {
                var numeric = new double[x.Numel];
                for (int i = 0; i < x.Numel; i++)
                {
                    double orig = data[i];
                    data[i] = orig + eps; double plus = Loss();
                    data = x.AsSpanF64(); data[i] = orig - eps; double minus = Loss();
                    data = x.AsSpanF64(); data[i] = orig;
                    numeric[i] = (plus - minus) / (2 * eps);
                }
                TensorAssert.Close(numeric, analytic, atol, rtol, $"{name}: d/d(input {k})");
            }
            else
            {
                for (int d = 0; d < directions; d++)
                {
                    var v = new double[x.Numel];
                    for (int i = 0; i < v.Length; i++) v[i] = rng.NextNormal();
                    double[] orig = x.ToArrayF64();
                    for (int i = 0; i < v.Length; i++) x.AsSpanF64()[i] = orig[i] + eps * v[i];
                    double plus = Loss();
                    for (int i = 0; i < v.Length; i++) x.AsSpanF64()[i] = orig[i] - eps * v[i];
                    double minus = Loss();
                    orig.CopyTo(x.AsSpanF64());
                    double numeric = (plus - minus) / (2 * eps), dot = 0;
                    for (int i = 0; i < v.Length; i++) dot += analytic[i] * v[i];
                    TensorAssert.Close([numeric], [dot], atol * Math.Sqrt(v.Length), rtol, $"{name}: directional derivative {d} of input {k}");
                }
            }
        }
        foreach (Tensor t in inputs) t.ZeroGrad();
    }
}
