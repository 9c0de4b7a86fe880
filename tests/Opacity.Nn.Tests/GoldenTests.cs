// PyTorch golden fixtures (tests/fixtures/make_goldens.py): same inputs and weights in, same outputs
// and gradients out. These catch convention bugs a gradient check cannot see: NCHW order, the
// ConvTranspose2d weight layout (in, out, kH, kW), reflection padding, InstanceNorm's biased
// variance, Adam's bias correction. Checked in float64 (tight) and float32 (the fast kernels).
using Opacity.Nn;
using Opacity.Nn.Optim;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Nn.Tests;

[TestFixture]
public sealed class GoldenTests
{
    private static Dictionary<string, T> Load(string name) => GoldenFixtures.Load(name);

    private static T Leaf(Dictionary<string, T> f, string key, DType dtype)
    {
        T t = f[key].To(dtype).Clone();
        t.RequiresGrad = true;
        return t;
    }

    private static void Check(string fixture, DType dtype, Func<Func<string, T>, T> build, double tol)
    {
        using var scope = TensorScope.Begin();
        var f = Load(fixture);
        var leaves = new Dictionary<string, T>();
        T Get(string key) => leaves.TryGetValue(key, out T? t) ? t : leaves[key] = Leaf(f, key, dtype);
        T y = build(Get);
        TensorAssert.Close(f["out"], y, tol, tol, $"{fixture} ({dtype.Name()}) output");
        (y * f["weights"].To(dtype)).Sum().Backward();
        foreach (var (key, leaf) in leaves)
            TensorAssert.Close(f["grad." + key], leaf.Grad!, tol, tol, $"{fixture} ({dtype.Name()}) grad of {key}");
    }

    private static readonly object[] Precisions = [new object[] { DType.F64, 1e-9 }, new object[] { DType.F32, 1e-3 }];

    [TestCaseSource(nameof(Precisions))]
    public void Conv2d_matches_pytorch(DType dtype, double tol)
    {
        Check("conv2d", dtype, g => F.Conv2d(g("in.x"), g("param.weight"), g("param.bias"), stride: 1, padding: 1), tol);
        Check("conv2d_s2", dtype, g => F.Conv2d(g("in.x"), g("param.weight"), g("param.bias"), stride: 2, padding: 1), tol);
    }

    [TestCaseSource(nameof(Precisions))]
    public void ConvTranspose2d_matches_pytorch(DType dtype, double tol)
        => Check("conv_transpose2d", dtype, g => F.ConvTranspose2d(g("in.x"), g("param.weight"), g("param.bias"), stride: 2, padding: 1, outputPadding: 1), tol);

    [TestCaseSource(nameof(Precisions))]
    public void InstanceNorm_matches_pytorch(DType dtype, double tol)
        => Check("instance_norm", dtype, g => F.InstanceNorm(g("in.x"), g("param.weight"), g("param.bias")), tol);

    [TestCaseSource(nameof(Precisions))]
    public void ResnetBlock_matches_pytorch(DType dtype, double tol)
        => Check("resnet_block", dtype, g =>
        {
            T x = g("in.x");
            T h = F.Conv2d(F.ReflectionPad2d(x, 1), g("param.conv_block.1.weight"), g("param.conv_block.1.bias"));
            h = F.Relu(F.InstanceNorm(h));
            h = F.Conv2d(F.ReflectionPad2d(h, 1), g("param.conv_block.5.weight"), g("param.conv_block.5.bias"));
            return x + F.InstanceNorm(h);
        }, tol);

    // Each Adam step moves a weight by about lr = 2e-4, so float32 must be held far below that.
    private static readonly object[] AdamPrecisions = [new object[] { DType.F64, 1e-10 }, new object[] { DType.F32, 2e-6 }];

    [TestCaseSource(nameof(AdamPrecisions))]
    public void Three_adam_steps_match_pytorch(DType dtype, double tol)
    {
        var f = Load("adam_3_steps");
        var w = new Parameter(f["param.weight"].To(dtype).Clone());
        var b = new Parameter(f["param.bias"].To(dtype).Clone());
        var adam = new Adam([w, b], lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8);
        T x = f["in.x"].To(dtype), target = f["in.target"].To(dtype);
        for (int k = 0; k < 3; k++)
        {
            using var scope = TensorScope.Begin();
            adam.ZeroGrad();
            T d = F.Conv2d(x, w, b, padding: 1) - target;
            T loss = (d * d).Mean();
            loss.Backward();
            adam.Step();
            TensorAssert.Close(f[$"step{k}.loss"], loss.Reshape(1), tol, tol, $"loss at step {k}");
            TensorAssert.Close(f[$"step{k}.param.weight"], w.Value, tol, tol, $"weight after step {k}");
            TensorAssert.Close(f[$"step{k}.param.bias"], b.Value, tol, tol, $"bias after step {k}");
        }
    }
}
