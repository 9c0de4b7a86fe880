// CycleGanStep and its losses: the classifier stays frozen yet passes gradient to G, the ablation rows
// switch the right losses, the mask regularisers and the mask downsampling give known values.
using Opacity.Gan.Data;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Tests.Training;

public sealed class GanStepTests
{
    private static (Tensor A, Tensor B) Batch(int size) =>
        (ImageTensors.FromImages(TinyData.Images(1, size, true, 1), size), ImageTensors.FromImages(TinyData.Images(1, size, false, 2), size));

    [Test]
    public void Classifier_is_frozen_and_unchanged_but_passes_gradient_to_G()
    {
        using var scope = TensorScope.Begin();
        var o = TinyData.Tiny(32);
        var cls = new TinyClassifier();
        var before = cls.NamedParameters().Select(p => p.Param.Value.ToArray()).ToList();
        var step = new CycleGanStep(new GanNetworks(o), o, cls);
        var (a, b) = Batch(32);
        for (int i = 0; i < 2; i++) step.Step(a, b, new Rng((ulong)i));
        Assert.That(cls.Training, Is.False, "the classifier runs in eval mode");
        foreach (var ((name, p), old) in cls.NamedParameters().Zip(before))
        {
            Assert.That(p.Value.RequiresGrad, Is.False, name);
            Assert.That(p.Grad, Is.Null, name);
            Assert.That(p.Value.ToArray(), Is.EqualTo(old), name);
        }
        // the label loss alone, through the frozen classifier, reaches G's parameters
        step.OptimizerG.ZeroGrad();
        var t = step.Nets.GAB.Translate(a);
        CdamLosses.Label(cls.Classify(t.Output).Logit, cls.Classify(a).Logit).Backward();
        double gradNorm = step.Nets.GAB.Parameters().Where(p => p.Grad is not null).Sum(p => p.Grad!.ToArray().Sum(v => (double)v * v));
        Assert.That(gradNorm, Is.GreaterThan(0));
        Assert.That(cls.Parameters().All(p => p.Grad is null), Is.True);
    }

    [TestCase(Ablation.CycleGan, false, false, false)]
    [TestCase(Ablation.Mask, true, false, false)]
    [TestCase(Ablation.MaskLabel, true, true, false)]
    [TestCase(Ablation.MaskFeature, true, false, true)]
    [TestCase(Ablation.Full, true, true, true)]
    public void Ablation_rows_switch_the_losses(Ablation ablation, bool mask, bool label, bool feature)
    {
        using var scope = TensorScope.Begin();
        var o = TinyData.Tiny(32, ablation);
        Assert.That((o.UseMask, o.UseLabel, o.UseFeature), Is.EqualTo((mask, label, feature)));
        var step = new CycleGanStep(new GanNetworks(o), o, new TinyClassifier());
        var (a, b) = Batch(32);
        step.Step(a, b, new Rng(1));
        Assert.That(step.Losses.ContainsKey("MaskSparsity"), Is.EqualTo(mask));
        Assert.That(step.Losses.ContainsKey("Label"), Is.EqualTo(label));
        Assert.That(step.Losses.ContainsKey("Feature"), Is.EqualTo(feature));
        Assert.That(step.Losses.Values.All(double.IsFinite), Is.True);
        Assert.That(step.Nets.GAB.MaskHead, Is.EqualTo(mask));
    }

    [Test]
    public void Label_against_real_images_is_softplus_of_the_logit_gaps_and_leaves_the_references_alone()
    {
        using var scope = TensorScope.Begin();
        Tensor fakeClear = Tensor.FromArray([1f, -2f], 2, 1).RequireGrad(), fakeOpacity = Tensor.FromArray([0.5f, 3f], 2, 1).RequireGrad();
        Tensor realClear = Tensor.FromArray([-1f, -1f], 2, 1).RequireGrad(), realOpacity = Tensor.FromArray([2f, 2f], 2, 1).RequireGrad();
        static double Softplus(double z) => Math.Log(1 + Math.Exp(z));
        // BCE is a mean over the batch: (softplus(1 + 1) + softplus(-2 + 1)) / 2 + (softplus(2 - 0.5) + softplus(2 - 3)) / 2
        double expected = (Softplus(2) + Softplus(-1)) / 2 + (Softplus(1.5) + Softplus(-1)) / 2;
        Tensor loss = CdamLosses.LabelAgainstReal(fakeClear, fakeOpacity, realClear, realOpacity);
        Assert.That(loss.Item(), Is.EqualTo(expected).Within(1e-6));
        loss.Backward();
        Assert.That(fakeClear.Grad, Is.Not.Null);
        Assert.That(realClear.Grad, Is.Null, "the real images' logits are targets");
        Assert.That(realOpacity.Grad, Is.Null);
    }

    [Test]
    public void Step_label_term_against_real_images_uses_the_steps_real_logits()
    {
        using var scope = TensorScope.Begin();
        var o = TinyData.Tiny(32, Ablation.MaskLabel) with { LabelReference = LabelReference.RealImages, LambdaLabel = 2 };
        var cls = new TinyClassifier(logitScale: 300, logitOffset: -1);
        var step = new CycleGanStep(new GanNetworks(o), o, cls);
        var (a, b) = Batch(32);
        step.Forward(a, b);
        step.BackwardG();
        double la, lb, lga, lfb;
        using (GradMode.NoGrad())
        {
            la = cls.Classify(a).Logit.Item(); lb = cls.Classify(b).Logit.Item();
            lga = cls.Classify(step.Nets.GAB.Translate(a).Output).Logit.Item();
            lfb = cls.Classify(step.Nets.GBA.Translate(b).Output).Logit.Item();
        }
        static double Softplus(double z) => Math.Log(1 + Math.Exp(z));
        Assert.That(new[] { la, lb, lga, lfb }.Distinct().Count(), Is.EqualTo(4), $"logits {la} {lb} {lga} {lfb}");
        Assert.That(step.Losses["Label"], Is.EqualTo(2 * (Softplus(lga - lb) + Softplus(la - lfb))).Within(1e-5));
        // the fixed labels of METHOD.md give another value on the same images
        Assert.That(step.Losses["Label"], Is.Not.EqualTo(2 * (Softplus(lga) + Softplus(-lfb))).Within(0.05));
    }

    [Test]
    public void Cdam_ablation_without_classifier_is_one_sentence()
    {
        var o = TinyData.Tiny(32, Ablation.MaskLabel);
        var e = Assert.Throws<TrainingException>(() => _ = new CycleGanStep(new GanNetworks(o), o, null));
        Assert.That(e!.Message, Does.Contain("needs a classifier"));
    }

    [Test]
    public void Mask_regularisers_and_downsampling_known_values()
    {
        using var scope = TensorScope.Begin();
        // a vertical edge: columns 0-1 are 1, columns 2-3 are 0, on 4x4
        var m = Tensor.FromArray([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0], 1, 1, 4, 4);
        Assert.That(MaskRegularizers.Sparsity(m).Item(), Is.EqualTo(0.5).Within(1e-7));
        // dy: all 0; dx: 4 rows x 3 diffs, one of them 1 per row -> mean 1/3
        Assert.That(MaskRegularizers.TotalVariation(m).Item(), Is.EqualTo(1.0 / 3).Within(1e-6));
        Assert.That(CdamLosses.Downsample(m, 2, 2).ToArray(), Is.EqualTo(new float[] { 1, 0, 1, 0 }));
        Assert.That(CdamLosses.Downsample(m, 3, 3).Shape, Is.EqualTo(new Shape(1, 1, 3, 3)));
        // F1 ignores feature differences inside the mask: identical outside -> 0
        Tensor f = Tensor.Zeros(new Shape(1, 2, 2, 2)), g = Tensor.FromArray([5, 0, 5, 0, 5, 0, 5, 0], 1, 2, 2, 2);
        Assert.That(CdamLosses.FeatureF1([g], [f], m, null).Item(), Is.EqualTo(0));
        Assert.That(CdamLosses.FeatureF1([g], [f], null, [2.0]).Item(), Is.EqualTo(5.0).Within(1e-6));
    }
}
