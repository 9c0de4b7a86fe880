// The catalog-driven op tests: every op of OpCatalog is gradient-checked in float64, its float32
// path (SIMD / packed GEMM / im2col conv) is compared with the float64 reference path, and two runs
// must be bit-identical.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.Tensors.Diagnostics;
using Opacity.TestSupport;

namespace Opacity.Tensor.Tests;

[TestFixture]
public sealed class CatalogTests
{
    public static IEnumerable<OpCase> Cases() => OpCatalog.All();

    [TestCaseSource(nameof(Cases))]
    public void Gradient_matches_central_differences_in_float64(OpCase op)
    {
        using var scope = TensorScope.Begin();
        Tensors.Tensor[] inputs = op.MakeInputs(DType.F64);
        GradCheck.Assert(op.Fn, inputs, name: op.Name);
    }

    [TestCaseSource(nameof(Cases))]
    public void Float32_path_matches_float64_reference(OpCase op)
    {
        using var scope = TensorScope.Begin();
        Tensors.Tensor[] x32 = op.MakeInputs(DType.F32), x64 = op.MakeInputs(DType.F64);
        Tensors.Tensor y32 = op.Fn(x32), y64 = op.Fn(x64);
        TensorAssert.Close(y64, y32, op.Atol32, op.Rtol32, $"{op.Name} forward");
        Tensors.Tensor w = Tensors.Tensor.Normal(y32.Shape, new Rng(3), dtype: DType.F64);
        (y64 * w).Sum().Backward();
        (y32 * w.To(DType.F32)).Sum().Backward();
        for (int i = 0; i < x32.Length; i++)
        {
            if (!x32[i].RequiresGrad) continue;
            Assert.That(x32[i].Grad, Is.Not.Null, $"{op.Name}: input {i} got no gradient");
            TensorAssert.Close(x64[i].Grad!, x32[i].Grad!, op.Atol32 * 10, op.Rtol32 * 10, $"{op.Name} d/d(input {i})");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Two_runs_are_bit_identical(OpCase op)
    {
        using var scope = TensorScope.Begin();
        float[] Run()
        {
            Tensors.Tensor[] x = op.MakeInputs(DType.F32);
            Tensors.Tensor y = op.Fn(x);
            y.Sum().Backward();
            return [.. y.ToArray(), .. x.Where(t => t.RequiresGrad).SelectMany(t => t.Grad!.ToArray())];
        }
        float[] first = Run(), second = Run();
        Assert.That(second, Is.EqualTo(first).AsCollection, op.Name);
    }
}
