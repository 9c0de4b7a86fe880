// Module-level behaviour: frozen modules pass gradients through, optimisers, schedules, clipping, losses.
using Opacity.Nn.Layers;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Nn.Tests;

[TestFixture]
public sealed class TrainingTests
{
    [Test]
    public void Frozen_classifier_keeps_its_weights_but_passes_gradient_to_its_input()
    {
        var generator = new Conv2d(1, 1, 3, padding: 1, rng: new Rng(1));
        var classifier = new Sequential(new Conv2d(1, 2, 3, rng: new Rng(2)), Lambda.LeakyRelu(), new Conv2d(2, 1, 3, rng: new Rng(3)));
        classifier.Eval();
        classifier.SetRequiresGrad(false);
        float[] frozenBefore = classifier.Parameters().SelectMany(p => p.Value.ToArray()).ToArray();
        var opt = new Adam([.. generator.Parameters(), .. classifier.Parameters()], lr: 1e-2);
        using (TensorScope.Begin())
        {
            T x = T.Randn(new Shape(1, 1, 8, 8), 5);
            T score = classifier.Forward(generator.Forward(x)).Mean();
            score.Backward();
            Assert.That(classifier.Parameters().All(p => p.Grad is null), "frozen parameters get no gradient");
            Assert.That(generator.Weight.Grad!.ToArray().Any(v => v != 0), "gradient reached the generator through the frozen classifier");
            opt.Step();
        }
        Assert.That(classifier.Parameters().SelectMany(p => p.Value.ToArray()).ToArray(), Is.EqualTo(frozenBefore).AsCollection);
    }

    [Test]
    public void Sgd_with_momentum_matches_the_hand_computed_steps()
    {
        var p = new Parameter(T.FromArray([1.0f], 1));
        var sgd = new Sgd([p], lr: 0.1, momentum: 0.9);
        // g = 2p. Step 1: buf = 2, p = 1 - 0.2 = 0.8. Step 2: g = 1.6, buf = 0.9*2 + 1.6 = 3.4, p = 0.8 - 0.34 = 0.46.
        float[] expected = [0.8f, 0.46f];
        for (int k = 0; k < 2; k++)
        {
            using var scope = TensorScope.Begin();
            sgd.ZeroGrad();
            (p.Value * p.Value).Sum().Backward();
            sgd.Step();
            Assert.That(p.Value.ToArray()[0], Is.EqualTo(expected[k]).Within(1e-6), $"step {k}");
        }
    }

    [Test]
    public void Linear_decay_schedule_is_constant_then_reaches_zero()
    {
        Assert.That(LrSchedule.ConstantThenLinear(2e-4, 0, 100, 100), Is.EqualTo(2e-4));
        Assert.That(LrSchedule.ConstantThenLinear(2e-4, 99, 100, 100), Is.EqualTo(2e-4));
        Assert.That(LrSchedule.ConstantThenLinear(2e-4, 150, 100, 100), Is.EqualTo(2e-4 * (1 - 51.0 / 101)).Within(1e-15));
        Assert.That(LrSchedule.ConstantThenLinear(2e-4, 200, 100, 100), Is.Zero);
        Assert.That(LrSchedule.Cosine(1.0, 50, 100), Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void Gradient_clipping_scales_to_the_max_norm()
    {
        var p = new Parameter(T.FromArray([3f, 4f], 2));
        using var scope = TensorScope.Begin();
        (p.Value * p.Value).Sum().Backward(); // grad (6, 8), norm 10
        double norm = GradClip.ClipGradNorm([p], 1.0);
        Assert.That(norm, Is.EqualTo(10).Within(1e-5));
        Assert.That(p.Grad!.ToArray(), Is.EqualTo(new[] { 0.6f, 0.8f }).AsCollection.Within(1e-5f));
    }

    private static readonly object[] LossCases =
    [
        new object[] { "l1", (Func<T[], T>)(x => Loss.L1(x[0], x[1])) },
        new object[] { "mse", (Func<T[], T>)(x => Loss.Mse(x[0], x[1])) },
        new object[] { "lsgan", (Func<T[], T>)(x => Loss.LeastSquares(x[0], 1.0)) },
        new object[] { "bce_with_logits", (Func<T[], T>)(x => Loss.BceWithLogits(x[0], F.Sigmoid(x[1]))) },
        new object[] { "bce_with_logits_pos_weight", (Func<T[], T>)(x => Loss.BceWithLogits(x[0], F.Sigmoid(x[1]), 5.0)) },
        new object[] { "cross_entropy", (Func<T[], T>)(x => Loss.CrossEntropy(x[0].Reshape(6, 5), F.Softmax(x[1].Reshape(6, 5), 1))) },
        new object[] { "dice", (Func<T[], T>)(x => Loss.Dice(F.Sigmoid(x[0]), F.Sigmoid(x[1]))) },
    ];

    [TestCaseSource(nameof(LossCases))]
    public void Loss_gradients_match_central_differences(string name, Func<T[], T> loss)
    {
        using var scope = TensorScope.Begin();
        var rng = new Rng(11);
        T a = T.Normal(new Shape(2, 3, 5), rng, dtype: DType.F64).RequireGrad();
        T b = T.Normal(new Shape(2, 3, 5), rng, dtype: DType.F64).RequireGrad();
        GradCheck.Assert(loss, [a, b], name: name);
    }

    [Test]
    public void Bce_with_logits_equals_the_textbook_formula_and_survives_large_logits()
    {
        T x = T.FromArray([-200.0, -1.0, 0.0, 2.0, 200.0], 5), z = T.FromArray([0.0, 1.0, 0.5, 0.0, 1.0], 5);
        double expected = new[] { (-200.0, 0.0), (-1.0, 1.0), (0.0, 0.5), (2.0, 0.0), (200.0, 1.0) }
            .Average(p => Math.Max(p.Item1, 0) - p.Item1 * p.Item2 + Math.Log(1 + Math.Exp(-Math.Abs(p.Item1))));
        Assert.That(Loss.BceWithLogits(x, z).Item(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Bce_with_a_positive_weight_equals_pytorchs_pos_weight_formula()
    {
        // -[w z log s(x) + (1 - z) log(1 - s(x))], PyTorch's BCEWithLogitsLoss(pos_weight=w), term by term;
        // weight 1 is the plain loss, and at |x| = 200 the stable form stays finite.
        (double X, double Z)[] cases = [(-200.0, 0.0), (-1.0, 1.0), (0.0, 0.5), (2.0, 0.0), (0.7, 1.0), (200.0, 1.0), (-3.0, 0.25)];
        T x = T.FromArray(cases.Select(c => c.X).ToArray(), cases.Length), z = T.FromArray(cases.Select(c => c.Z).ToArray(), cases.Length);
        static double LogSigmoid(double v) => v >= 0 ? -Math.Log(1 + Math.Exp(-v)) : v - Math.Log(1 + Math.Exp(v));
        foreach (double w in new[] { 1.0, 5.0, 0.5 })
        {
            double expected = cases.Average(c => -(w * c.Z * LogSigmoid(c.X) + (1 - c.Z) * LogSigmoid(-c.X)));
            Assert.That(Loss.BceWithLogits(x, z, w).Item(), Is.EqualTo(expected).Within(1e-12), $"weight {w}");
        }
        Assert.That(Loss.BceWithLogits(x, z, 1.0).Item(), Is.EqualTo(Loss.BceWithLogits(x, z).Item()).Within(1e-12));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.BceWithLogits(x, z, 0.0));
    }
}
