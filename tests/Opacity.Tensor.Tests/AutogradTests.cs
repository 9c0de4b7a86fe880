// Engine behaviour beyond single ops: deep graphs, fan-out, detach, no-grad, scopes, bad input.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Tensor.Tests;

[TestFixture]
public sealed class AutogradTests
{
    [Test]
    public void Backward_through_a_graph_fifty_thousand_ops_deep_does_not_recurse()
    {
        using var scope = TensorScope.Begin();
        T x = T.FromArray([1.0f], 1).RequireGrad();
        T y = x;
        for (int i = 0; i < 50_000; i++) y = y * 1.0;
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray()[0], Is.EqualTo(1f));
    }

    [Test]
    public void Fan_out_accumulates_gradients()
    {
        using var scope = TensorScope.Begin();
        T x = T.FromArray([2f, 3f], 2).RequireGrad();
        T y = x * x + x * 3.0 + x; // dy/dx = 2x + 4
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 8f, 10f }).AsCollection);
    }

    [Test]
    public void Leaf_gradients_accumulate_across_backward_calls_until_zeroed()
    {
        T x = T.FromArray([1f], 1).RequireGrad();
        using (TensorScope.Begin()) (x * 2.0).Sum().Backward();
        using (TensorScope.Begin()) (x * 3.0).Sum().Backward();
        Assert.That(x.Grad!.ToArray()[0], Is.EqualTo(5f));
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Detach_and_no_grad_cut_the_graph()
    {
        using var scope = TensorScope.Begin();
        T x = T.FromArray([1f, 2f], 2).RequireGrad();
        T d = (x * 2.0).Detach();
        Assert.That(d.RequiresGrad, Is.False);
        T y = x * d; // d is a constant: dy/dx = d
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 2f, 4f }).AsCollection);
        using (GradMode.NoGrad())
            Assert.That((x * 2.0).RequiresGrad, Is.False);
    }

    [Test]
    public void Scope_frees_intermediates_and_keep_moves_results_out()
    {
        T kept;
        T inner;
        using (var scope = TensorScope.Begin())
        {
            T x = T.Ones(new Shape(4));
            inner = x + 1.0;
            kept = scope.Keep(x * 3.0);
        }
        Assert.That(kept.ToArray(), Is.EqualTo(new[] { 3f, 3f, 3f, 3f }).AsCollection);
        var e = Assert.Throws<ObjectDisposedException>(() => inner.ToArray());
        Assert.That(e!.Message, Does.Contain("disposed"));
    }

    [Test]
    public void Backward_from_a_non_scalar_needs_a_gradient()
    {
        using var scope = TensorScope.Begin();
        T x = T.Ones(new Shape(2, 3)).RequireGrad();
        T y = x * 2.0;
        var e = Assert.Throws<ShapeMismatchException>(() => y.Backward());
        Assert.That(e!.Message, Does.Contain("non-scalar").And.Contain("[2, 3]"));
        y.Backward(T.Ones(new Shape(2, 3)));
        Assert.That(x.Grad!.ToArray(), Is.All.EqualTo(2f));
    }

    [Test]
    public void Shape_dtype_and_device_mix_are_refused_with_both_shapes()
    {
        using var scope = TensorScope.Begin();
        T a = T.Ones(new Shape(2, 3)), b = T.Ones(new Shape(4, 3));
        a.Name = "a"; b.Name = "b";
        Assert.That(Assert.Throws<ShapeMismatchException>(() => _ = a + b)!.Message, Does.Contain("[2, 3]").And.Contain("[4, 3]"));
        T c = T.Ones(new Shape(2, 3), DType.F64);
        Assert.That(Assert.Throws<TensorMixException>(() => _ = a * c)!.Message, Does.Contain("float32").And.Contain("float64"));
        T w = T.Ones(new Shape(4, 5, 3, 3)), x = T.Ones(new Shape(1, 3, 8, 8));
        Assert.That(Assert.Throws<ShapeMismatchException>(() => F.Conv2d(x, w))!.Message, Does.Contain("3 channels").And.Contain("expects 5"));
        // without a usable CUDA device, asking for one is one sentence and the CPU stays usable
        if (!CudaRuntime.IsAvailable(out _))
            Assert.That(Assert.Throws<DeviceUnavailableException>(() => T.Zeros(new Shape(2), device: Device.Cuda))!.Message, Does.Contain("CUDA"));
        Assert.That(T.Zeros(new Shape(2)).Device, Is.EqualTo(Device.Cpu));
    }

    [Test]
    public void Rng_is_deterministic_and_seed_sensitive()
    {
        float[] a = T.Randn(new Shape(64), 42).ToArray(), b = T.Randn(new Shape(64), 42).ToArray(), c = T.Randn(new Shape(64), 43).ToArray();
        Assert.That(b, Is.EqualTo(a).AsCollection);
        Assert.That(c, Is.Not.EqualTo(a).AsCollection);
        double mean = a.Average(), sd = Math.Sqrt(T.Randn(new Shape(20000), 1).ToArray().Select(v => (double)v * v).Average());
        Assert.That(Math.Abs(mean), Is.LessThan(0.5));
        Assert.That(sd, Is.EqualTo(1.0).Within(0.03));
    }

    [Test]
    public void Profiler_records_forward_and_backward_per_op()
    {
        Profiler.Reset();
        Profiler.Enabled = true;
        try
        {
            using var scope = TensorScope.Begin();
            T x = T.Randn(new Shape(1, 2, 8, 8), 1).RequireGrad();
            F.Relu(F.Conv2d(x, T.Randn(new Shape(3, 2, 3, 3), 2))).Sum().Backward();
        }
        finally { Profiler.Enabled = false; }
        var names = Profiler.Snapshot().Select(t => t.Name).ToList();
        Assert.That(names, Does.Contain("Conv2d.fwd").And.Contain("Conv2d.bwd").And.Contain("Relu.bwd"));
    }
}
