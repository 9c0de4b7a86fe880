// Shapes, size checks, the CAM and the frozen use of the classifier (CDAM), and U-Net shapes.
using Opacity.Gan.Networks;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Gan.Tests.Networks;

[TestFixture]
public sealed class ClassifierUNetTests
{
    [TestCase(ClassifierKind.ResNet, 64)]
    [TestCase(ClassifierKind.Plain, 64)]
    [TestCase(ClassifierKind.ResNet, 48)]
    public void Classifier_gives_one_logit_and_three_feature_maps(ClassifierKind kind, int size)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var c = new OpacityClassifier(kind, width: 4, rng: new Rng(3));
        ClassifierOutput o = c.Classify(T.Randn(new Shape(3, 1, size, size), 1));
        Assert.That(o.Logit.Shape, Is.EqualTo(new Shape(3, 1)));
        Assert.That(o.Features, Has.Count.EqualTo(3));
        Shape[] expected = kind == ClassifierKind.ResNet
            ? [new(3, 4, size / 2, size / 2), new(3, 8, size / 4, size / 4), new(3, 16, size / 8, size / 8)]
            : [new(3, 8, size / 4, size / 4), new(3, 16, size / 8, size / 8), new(3, 32, size / 8, size / 8)];
        Assert.That(o.Features.Select(t => t.Shape), Is.EqualTo(expected).AsCollection);
        Assert.Throws<ShapeMismatchException>(() => c.Classify(T.Zeros(new Shape(1, 1, 36, 32))));
        Assert.Throws<ShapeMismatchException>(() => c.Classify(T.Zeros(new Shape(1, 3, 32, 32))));
    }

    [Test]
    public void Kinds_differ_in_architecture_and_seed_changes_weights()
    {
        var a = new OpacityClassifier(ClassifierKind.ResNet, 8, new Rng(1));
        var b = new OpacityClassifier(ClassifierKind.Plain, 8, new Rng(1));
        var a2 = new OpacityClassifier(ClassifierKind.ResNet, 8, new Rng(2));
        Assert.That(a.NamedParameters().Select(p => p.Name), Is.Not.EquivalentTo(b.NamedParameters().Select(p => p.Name)));
        Assert.That(a.NamedParameters().First().Param.Value.ToArray(), Is.Not.EqualTo(a2.NamedParameters().First().Param.Value.ToArray()));
    }

    [Test]
    public void Activation_map_is_in_unit_range_with_the_input_size_and_peaks_at_one()
    {
        using var scope = TensorScope.Begin();
        var c = new OpacityClassifier(ClassifierKind.ResNet, width: 4, rng: new Rng(5));
        c.Eval();
        T cam = c.ActivationMap(T.Randn(new Shape(2, 1, 32, 32), 9));
        Assert.That(cam.Shape, Is.EqualTo(new Shape(2, 1, 32, 32)));
        float[] v = cam.ToArray();
        Assert.That(v.All(f => f >= 0 && f <= 1));
        for (int i = 0; i < 2; i++)
        {
            float max = v.Skip(i * 1024).Take(1024).Max();
            Assert.That(max, Is.EqualTo(1f).Within(1e-6).Or.EqualTo(0f), $"image {i} normalised by its maximum");
        }
        Assert.That(cam.RequiresGrad, Is.False);
    }

    [Test]
    public void Activation_map_matches_the_logit_decomposition()
    {
        // With global average pooling, logit - bias = mean over locations of the (un-ReLU'd) CAM; where the CAM
        // is all positive the normalised map times its max integrates back to the logit.
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var c = new OpacityClassifier(ClassifierKind.Plain, width: 2, rng: new Rng(8));
        c.Eval();
        T x = T.Randn(new Shape(1, 1, 16, 16), 4);
        ClassifierOutput o = c.Classify(x);
        T last = o.Features[2];
        var fcW = c.NamedParameters().Single(p => p.Name == "fc.weight").Param.Value;
        var fcB = c.NamedParameters().Single(p => p.Name == "fc.bias").Param.Value;
        double camMean = F.Sum(last * fcW.Reshape(1, last.Shape[1], 1, 1), [1]).Mean().Item();
        Assert.That(o.Logit.Item() - fcB.Item(), Is.EqualTo(camMean).Within(1e-4));
    }

    [Test]
    public void Frozen_classifier_keeps_its_parameters_and_passes_gradient_to_the_input()
    {
        var c = new OpacityClassifier(ClassifierKind.ResNet, width: 4, rng: new Rng(2));
        c.Eval();
        c.SetRequiresGrad(false);
        float[] before = c.NamedParameters().SelectMany(p => p.Param.Value.ToArray()).Concat(c.NamedBuffers().SelectMany(b => b.Buffer.ToArray())).ToArray();
        var producer = new Opacity.Nn.Layers.Conv2d(1, 1, 3, padding: 1, rng: new Rng(4));
        var opt = new Adam([.. producer.Parameters(), .. c.Parameters()], lr: 1e-2);
        using (TensorScope.Begin())
        {
            T x = T.Randn(new Shape(2, 1, 32, 32), 6).RequireGrad();
            ClassifierOutput o = c.Classify(producer.Forward(x));
            T loss = Loss.BceWithLogits(o.Logit, T.Zeros(o.Logit.Shape)) + F.Abs(o.Features[1]).Mean();
            loss.Backward();
            Assert.That(c.Parameters().All(p => p.Grad is null), "frozen parameters get no gradient");
            Assert.That(x.Grad!.ToArray().Any(v => v != 0), "gradient reaches the input through the frozen classifier");
            Assert.That(producer.Weight.Grad!.ToArray().Any(v => v != 0));
            opt.Step();
        }
        float[] after = c.NamedParameters().SelectMany(p => p.Param.Value.ToArray()).Concat(c.NamedBuffers().SelectMany(b => b.Buffer.ToArray())).ToArray();
        Assert.That(after, Is.EqualTo(before).AsCollection, "weights and running statistics unchanged");
    }

    [TestCase(UNetUpsampling.Bilinear, 3, 64)]
    [TestCase(UNetUpsampling.TransposedConv, 2, 40)]
    public void UNet_keeps_the_size_and_checks_divisibility(UNetUpsampling up, int depth, int size)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var u = new UNet(1, 1, width: 4, depth: depth, upsampling: up);
        Assert.That(u.Forward(T.Randn(new Shape(2, 1, size, size), 2)).Shape, Is.EqualTo(new Shape(2, 1, size, size)));
        Assert.Throws<ShapeMismatchException>(() => u.Forward(T.Zeros(new Shape(1, 1, size + 2, size))));
        var g = new UNetGenerator(width: 4, depth: depth, upsampling: up);
        Translation t = g.Translate(T.Randn(new Shape(1, 1, size, size), 3));
        Assert.That(t.Output.Shape, Is.EqualTo(new Shape(1, 1, size, size)));
        Assert.That(t.Mask!.ToArray().All(m => m > 0 && m < 1));
        Assert.That(new UNetGenerator(width: 4, depth: depth, maskHead: false).Translate(T.Zeros(new Shape(1, 1, size, size))).Mask, Is.Null);
    }
}
