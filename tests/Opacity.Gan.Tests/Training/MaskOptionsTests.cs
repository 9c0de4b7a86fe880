// The named AASPM options beyond METHOD.md's defaults: residual mask content, option B's CAM prior
// (adaptive threshold and the L1 target in the step), and the U-Net generator as a GanOptions choice
// (trained, checkpointed and loaded by the Translator).
using Opacity.Gan.Data;
using Opacity.Gan.Inference;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Tests.Training;

public sealed class MaskOptionsTests
{
    [Test]
    public void Residual_content_is_input_plus_tanh_and_absolute_is_tanh()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray([0.5f, -0.25f], 1, 1, 1, 2);
        // logits: content channel [0.3, -1], mask channel [0, 2]
        var logits = Tensor.FromArray([0.3f, -1f, 0f, 2f], 1, 2, 1, 2);
        var abs = TranslationHead.Apply(logits, x, 1, true, MaskContent.Absolute);
        var res = TranslationHead.Apply(logits, x, 1, true, MaskContent.Residual);
        double m0 = 0.5, m1 = 1 / (1 + Math.Exp(-2));
        double c0 = Math.Tanh(0.3), c1 = Math.Tanh(-1);
        Assert.That(abs.Content!.ToArrayF64(), Is.EqualTo(new[] { c0, c1 }).Within(1e-6));
        Assert.That(res.Content!.ToArrayF64(), Is.EqualTo(new[] { 0.5 + c0, -0.25 + c1 }).Within(1e-6));
        Assert.That(res.Output.ToArrayF64(), Is.EqualTo(new[] { 0.5 + m0 * c0, -0.25 + m1 * c1 }).Within(1e-6));
        Assert.That(abs.Output.ToArrayF64(), Is.EqualTo(new[] { m0 * c0 + (1 - m0) * 0.5, m1 * c1 + (1 - m1) * -0.25 }).Within(1e-6));
    }

    [Test]
    public void Cam_target_thresholds_at_mean_plus_k_std()
    {
        using var scope = TensorScope.Begin();
        // values 0, 0, 0, 1: mean 0.25, std sqrt(3)/4 -> tau = 0.25 + 0.5 * 0.4330 = 0.4665
        var cam = Tensor.FromArray([0f, 0f, 0f, 1f], 1, 1, 2, 2);
        double tau = 0.25 + 0.5 * Math.Sqrt(3) / 4;
        double[] got = MaskRegularizers.CamTarget(cam, 0.5, 0.1).ToArrayF64();
        double low = 1 / (1 + Math.Exp(tau / 0.1)), high = 1 / (1 + Math.Exp(-(1 - tau) / 0.1));
        Assert.That(got, Is.EqualTo(new[] { low, low, low, high }).Within(1e-6));
        Assert.That(high, Is.GreaterThan(0.99));
    }

    [Test]
    public void Cam_prior_adds_its_loss_and_needs_a_classifier()
    {
        using var scope = TensorScope.Begin();
        var o = TinyData.Tiny(32, Ablation.Mask) with { MaskPrior = MaskPrior.CamTarget, LambdaCam = 2 };
        Assert.That(o.NeedsClassifier, Is.True);
        var e = Assert.Throws<TrainingException>(() => _ = new CycleGanStep(new GanNetworks(o), o, null));
        Assert.That(e!.Message, Does.Contain("CAM mask prior"));
        var step = new CycleGanStep(new GanNetworks(o), o, new TinyClassifier());
        var a = ImageTensors.FromImages(TinyData.Images(1, 32, true, 1), 32);
        var b = ImageTensors.FromImages(TinyData.Images(1, 32, false, 2), 32);
        step.Step(a, b, new Rng(1));
        Assert.That(step.Losses["MaskCam"], Is.GreaterThan(0).And.LessThan(2.0 + 1e-9), "2 |M - M_cam|_1 with both in [0, 1]");
        Assert.That(step.Losses.ContainsKey("Label"), Is.False);
        // without the mask head the prior has nothing to act on
        var cyc = TinyData.Tiny(32, Ablation.CycleGan) with { MaskPrior = MaskPrior.CamTarget };
        Assert.That(cyc.UseClassifierPrior, Is.False);
    }

    [Test]
    public void Saliency_prior_adds_its_loss_leaves_the_classifier_without_gradients_and_needs_one()
    {
        using var scope = TensorScope.Begin();
        var o = TinyData.Tiny(32, Ablation.Mask) with { MaskPrior = GanOptions.ParseMaskPrior("saliency"), LambdaCam = 2 };
        Assert.That(o.MaskPrior, Is.EqualTo(MaskPrior.SaliencyTarget));
        Assert.That(o.NeedsClassifier, Is.True);
        var e = Assert.Throws<TrainingException>(() => _ = new CycleGanStep(new GanNetworks(o), o, null));
        Assert.That(e!.Message, Does.Contain("saliency mask prior"));
        var classifier = new TinyClassifier();
        var step = new CycleGanStep(new GanNetworks(o), o, classifier);
        var a = ImageTensors.FromImages(TinyData.Images(1, 32, true, 1), 32);
        var b = ImageTensors.FromImages(TinyData.Images(1, 32, false, 2), 32);
        step.Step(a, b, new Rng(1));
        Assert.That(step.Losses["MaskCam"], Is.GreaterThan(0).And.LessThan(2.0 + 1e-9), "2 |M - M_prior|_1 with both in [0, 1]");
        Assert.That(classifier.Parameters().All(p => p.Value.Grad is null), "the saliency backward must not reach the frozen classifier's weights");
        Assert.That(a.Grad, Is.Null, "the saliency is taken on a detached copy of the batch");
    }

    [Test]
    public void Opacity_negatives_add_their_term_to_the_clear_discriminator_only()
    {
        using var scope = TensorScope.Begin();
        var a = ImageTensors.FromImages(TinyData.Images(1, 32, true, 1), 32);
        var b = ImageTensors.FromImages(TinyData.Images(1, 32, false, 2), 32);
        Dictionary<string, double> Run(double lambda)
        {
            var o = TinyData.Tiny(32, Ablation.Mask) with { LambdaOpacityNegative = lambda };
            var step = new CycleGanStep(new GanNetworks(o), o, null);
            step.Step(a, b, new Rng(1));
            return new Dictionary<string, double>(step.Losses);
        }
        var off = Run(0); var one = Run(1); var two = Run(2);
        Assert.That(off.ContainsKey("DBOpacity"), Is.False);
        Assert.That(one["G"], Is.EqualTo(off["G"]), "the generator's step does not see the option");
        Assert.That(one["DA"], Is.EqualTo(off["DA"]));
        Assert.That(one["DBOpacity"], Is.GreaterThan(0));
        Assert.That(one["DB"] - off["DB"], Is.EqualTo(one["DBOpacity"]).Within(1e-6), "D_N's loss gains exactly the new term");
        Assert.That(two["DBOpacity"], Is.EqualTo(2 * one["DBOpacity"]).Within(1e-6), "0.5 lambda D_N(a)^2 is linear in lambda");
        foreach (double bad in new[] { -1.0, double.NaN })
            Assert.That(Assert.Throws<TrainingException>(() => (TinyData.Tiny(32, Ablation.Mask) with { LambdaOpacityNegative = bad }).Validate())!.Message,
                Does.Contain("opacity negatives"));
    }

    [Test]
    public void Cycle_outside_the_mask_weights_the_opacity_cycle_by_one_minus_mask()
    {
        using var scope = TensorScope.Begin();
        var full = TinyData.Tiny(32, Ablation.Mask);
        var outside = full with { CycleScope = CycleScope.OutsideMask };
        var nets = new GanNetworks(full);
        var a = ImageTensors.FromImages(TinyData.Images(1, 32, true, 1), 32);
        var b = ImageTensors.FromImages(TinyData.Images(1, 32, false, 2), 32);
        var stepFull = new CycleGanStep(nets, full, null);
        var stepOutside = new CycleGanStep(nets, outside, null);
        stepFull.Forward(a, b); stepFull.BackwardG();
        stepOutside.Forward(a, b); stepOutside.BackwardG();
        // same networks, same inputs: the weighted term is the full one with each pixel scaled by 1 - M in (0, 1)
        Tensor m = stepOutside.FakeB.Mask!;
        double expected;
        using (Opacity.Tensors.Autograd.GradMode.NoGrad())
        {
            Tensor rec = nets.GBA.Forward(stepOutside.FakeB.Output);
            expected = F.Abs((rec - a) * (1.0 - m)).Mean().Item() * full.LambdaCycle;
        }
        Assert.That(stepOutside.Losses["CycleA"], Is.EqualTo(expected).Within(1e-6));
        Assert.That(stepOutside.Losses["CycleA"], Is.LessThan(stepFull.Losses["CycleA"]));
        Assert.That(stepOutside.Losses["CycleB"], Is.EqualTo(stepFull.Losses["CycleB"]).Within(1e-9), "the clear domain's cycle is unchanged");
    }

    [Test]
    public void UNet_generator_trains_checkpoints_and_loads_in_the_translator()
    {
        string dir = TinyData.TempDir("unetgen");
        try
        {
            var o = TinyData.Tiny(32, Ablation.Mask) with { Generator = GeneratorKind.UNet, UNetDepth = 2, Content = MaskContent.Residual };
            var data = new UnpairedData(TinyData.Images(3, 32, true, 1), TinyData.Images(3, 32, false, 2), 32, 1);
            var trainer = new GanTrainer(o, new TrainerOptions { OutDir = dir, Steps = 2, CheckpointEvery = 2, SampleEvery = 0 }, data);
            Assert.That(trainer.Step.Nets.GAB, Is.InstanceOf<UNetGenerator>());
            string ck = trainer.Run().CheckpointPath;
            using var t = Translator.Load(ck, Device.Cpu);
            var image = TinyData.Images(1, 32, true, 9)[0];
            var r = t.Translate(image, 32, 32);
            Assert.That(r.Mask, Is.Not.Null);
            // the same weights through the trainer's own generator give the same output
            using var scope = TensorScope.Begin();
            Translation direct = trainer.Step.Nets.GAB.Translate(ImageTensors.FromImages([image], 32));
            float[] expected = ImageTensors.ToImage(direct.Output, 0);
            Assert.That(r.Image, Is.EqualTo(expected).Within(1e-5));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Test]
    public void Bad_option_names_and_unet_sizes_are_one_sentence()
    {
        Assert.That(Assert.Throws<TrainingException>(() => GanOptions.ParseGenerator("vgg"))!.Message, Does.Contain("resnet or unet"));
        Assert.That(Assert.Throws<TrainingException>(() => GanOptions.ParseContent("mix"))!.Message, Does.Contain("absolute or residual"));
        Assert.That(Assert.Throws<TrainingException>(() => GanOptions.ParseMaskPrior("gradcam"))!.Message, Does.Contain("none, cam or saliency"));
        var o = new GanOptions { Size = 36, Generator = GeneratorKind.UNet, UNetDepth = 3 };
        Assert.That(Assert.Throws<TrainingException>(o.Validate)!.Message, Does.Contain("divisible by 8"));
    }
}
