// ClassifierView: the shift moves content the stated way and reflects at the border, contrast and
// brightness are the classifier training's on [-1, 1] tensors, the draws stay in the training ranges,
// the view is differentiable (float64 gradient check), and ClassifierViewing.Jittered changes what the
// CDAM losses see while Plain does not, and still resumes bit for bit.
using Opacity.Gan.Data;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Training;

public sealed class ClassifierViewTests
{
    private static Tensor Ramp(int h, int w, DType dtype = DType.F32)
    {
        var v = new double[h * w];
        for (int i = 0; i < v.Length; i++) v[i] = i;
        Tensor t = Tensor.FromArray(v, 1, 1, h, w);
        return dtype == DType.F64 ? t : t.To(DType.F32);
    }

    [Test]
    public void Shift_moves_content_right_and_down_and_reflects_at_the_border()
    {
        using var scope = TensorScope.Begin();
        const int h = 5, w = 6;
        double[] o = new ClassifierView(2, 1, 1f, 0f).Apply(Ramp(h, w)).ToArrayF64();
        static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Assert.That(o[y * w + x], Is.EqualTo(Reflect(y - 1, h) * w + Reflect(x - 2, w)), $"({y}, {x})");
        Assert.That(o[1 * w + 2], Is.EqualTo(0), "the top-left pixel lands at (1, 2)");
        double[] back = new ClassifierView(-2, -1, 1f, 0f).Apply(Ramp(h, w)).ToArrayF64();
        Assert.That(back[0], Is.EqualTo(1 * w + 2), "a negative shift moves content left and up");
    }

    [Test]
    public void Contrast_and_brightness_match_the_training_jitter_on_the_unit_range()
    {
        using var scope = TensorScope.Begin();
        var v = new ClassifierView(0, 0, 1.08f, -0.03f);
        float[] u = [0.1f, 0.5f, 0.73f];
        Tensor x = Tensor.FromArray(u.Select(p => 2f * p - 1f).ToArray(), 1, 1, 1, 3);
        double[] got = v.Apply(x).ToArrayF64();
        for (int i = 0; i < u.Length; i++)
        {
            double expectedUnit = (u[i] - 0.5) * v.Contrast + 0.5 + v.Brightness;   // the training jitter's formula
            Assert.That((got[i] + 1) / 2, Is.EqualTo(expectedUnit).Within(1e-6));
            Assert.That(v.OnUnitRange(u[i]), Is.EqualTo(expectedUnit).Within(1e-6), "OnUnitRange, what TrainingData.Batch applies");
        }
    }

    [Test]
    public void Identity_returns_the_same_tensor()
    {
        using var scope = TensorScope.Begin();
        Tensor x = Ramp(4, 4);
        Assert.That(ClassifierView.Identity.Apply(x), Is.SameAs(x));
        Assert.That(ClassifierView.Identity.IsIdentity, Is.True);
        Assert.That(new ClassifierView(0, 0, 1f, 0f).Shift(x), Is.SameAs(x));
    }

    [Test]
    public void Draws_stay_in_the_training_ranges_and_use_every_shift()
    {
        var rng = new Rng(3);
        var seen = new HashSet<int>();
        for (int i = 0; i < 2000; i++)
        {
            var v = ClassifierView.Draw(rng, 64);
            Assert.That(Math.Abs(v.ShiftX), Is.LessThanOrEqualTo(4));
            Assert.That(Math.Abs(v.ShiftY), Is.LessThanOrEqualTo(4));
            Assert.That(v.Contrast, Is.InRange(0.9f, 1.1f));
            Assert.That(v.Brightness, Is.InRange(-0.05f, 0.05f));
            seen.Add(v.ShiftX);
        }
        Assert.That(seen, Has.Count.EqualTo(9), "shifts -4..4 at 64 px");
        Assert.That(ClassifierView.MaxShift(8), Is.EqualTo(1));
    }

    [Test]
    public void Too_large_a_shift_is_refused()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ArgumentException>(() => new ClassifierView(4, 0, 1f, 0f).Shift(Ramp(4, 4)));
        Assert.That(e!.Message, Does.Contain("4x4"));
    }

    [Test]
    public void View_is_differentiable()
    {
        var v = new ClassifierView(-1, 2, 0.93f, 0.02f);
        Tensor x = Tensor.Normal(new Shape(2, 1, 5, 6), new Rng(5), dtype: DType.F64);
        x.RequiresGrad = true;
        GradCheck.Assert(xs => v.Apply(xs[0]), [x], name: "ClassifierView");
    }

    [Test]
    public void Jittered_viewing_changes_the_cdam_losses_and_plain_ignores_the_view_rng()
    {
        using var scope = TensorScope.Begin();
        var plain = TinyData.Tiny(32);
        var jittered = plain with { ClassifierViewing = ClassifierViewing.Jittered };
        var a = ImageTensors.FromImages(TinyData.Images(1, 32, true, 1), 32);
        var b = ImageTensors.FromImages(TinyData.Images(1, 32, false, 2), 32);
        Dictionary<string, double> Losses(GanOptions o, Rng? viewRng, out ClassifierView view)
        {
            var step = new CycleGanStep(new GanNetworks(o), o, new TinyClassifier());
            step.Step(a, b, new Rng(1), viewRng: viewRng);
            view = step.View;
            return step.Losses;
        }
        var p = Losses(plain, new Rng(9), out var pv);
        var j = Losses(jittered, new Rng(9), out var jv);
        Assert.That(pv.IsIdentity, Is.True, "plain viewing draws no view");
        Assert.That(jv.IsIdentity, Is.False);
        Assert.That(jv, Is.EqualTo(ClassifierView.Draw(new Rng(9), 32)), "the view comes from the step's view stream");
        Assert.That(j["Label"], Is.Not.EqualTo(p["Label"]));
        Assert.That(j["Feature"], Is.Not.EqualTo(p["Feature"]));
        Assert.That(j["CycleA"], Is.EqualTo(p["CycleA"]), "only what the classifier sees changes");
        Losses(jittered, null, out var none);
        Assert.That(none.IsIdentity, Is.True, "no view stream, no view");
    }

    [Test]
    public void Jittered_run_resumes_bit_for_bit()
    {
        string straight = TinyData.TempDir("viewstraight"), split = TinyData.TempDir("viewsplit");
        try
        {
            var o = TinyData.Tiny(32) with { ClassifierViewing = ClassifierViewing.Jittered };
            var data = () => new UnpairedData(TinyData.Images(3, 32, true, 1), TinyData.Images(3, 32, false, 2), 32, 1);
            new GanTrainer(o, new TrainerOptions { OutDir = straight, Steps = 6, SampleEvery = 0, CheckpointEvery = 0 }, data(), new TinyClassifier()).Run();
            new GanTrainer(o, new TrainerOptions { OutDir = split, Steps = 3, SampleEvery = 0, CheckpointEvery = 0 }, data(), new TinyClassifier()).Run();
            var resumed = new GanTrainer(o with { ClassifierViewing = ClassifierViewing.Plain }, new TrainerOptions { OutDir = split, Steps = 6, SampleEvery = 0, CheckpointEvery = 0, Resume = true }, data(), new TinyClassifier());
            Assert.That(resumed.Options.ClassifierViewing, Is.EqualTo(ClassifierViewing.Jittered), "the checkpoint's options win");
            resumed.Run();
            var (x, _) = SafeTensors.Load(Path.Combine(straight, GanCheckpoint.FileName));
            var (y, _) = SafeTensors.Load(Path.Combine(split, GanCheckpoint.FileName));
            foreach (string k in x.Keys) Assert.That(y[k].ToArray(), Is.EqualTo(x[k].ToArray()), k);
        }
        finally
        {
            if (Directory.Exists(straight)) Directory.Delete(straight, true);
            if (Directory.Exists(split)) Directory.Delete(split, true);
        }
    }
}
