// GanTrainer end to end on tiny models: the STYLE.md G14 smoke test (2 steps on 4 synthetic 64x64
// images, save, load, translate, bit-identical), resume bit for bit, the NaN guard, cancellation.
using Opacity.Gan.Inference;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Opacity.Tensors;

namespace Opacity.Gan.Tests.Training;

[NonParallelizable]
public sealed class TrainerTests
{
    private static UnpairedData Data(int size, int n = 2) =>
        new(TinyData.Images(n, size, true, 11), TinyData.Images(n, size, false, 12), size, seed: 5);

    [Test]
    public void Smoke_two_steps_save_load_translate_bit_identical()
    {
        string dir = TinyData.TempDir("smoke");
        try
        {
            var trainer = new GanTrainer(TinyData.Tiny(64), new TrainerOptions { OutDir = dir, Steps = 2, SampleEvery = 1, CheckpointEvery = 0 }, Data(64), new TinyClassifier());
            var seen = new List<TrainingProgress>();
            trainer.Progress = seen.Add;
            TrainingResult r = trainer.Run();
            Assert.That(r.StepsDone, Is.EqualTo(2));
            Assert.That(seen, Has.Count.EqualTo(2));
            Assert.That(seen.SelectMany(p => p.Losses.Values).All(double.IsFinite), Is.True);
            Assert.That(seen[0].Losses.Keys, Is.SupersetOf(new[] { "GAdvAB", "CycleA", "IdtA", "MaskSparsity", "Label", "Feature", "DA", "DB", "G" }));
            Assert.That(File.ReadAllLines(Path.Combine(dir, "losses.csv")), Has.Length.EqualTo(3));
            Assert.That(File.Exists(Path.Combine(dir, "samples", "step0000002.png")), Is.True);

            float[] px = TinyData.Images(1, 64, true, 99)[0];
            using var t1 = Translator.Load(r.CheckpointPath, Device.Cpu);
            using var t2 = Translator.Load(r.CheckpointPath, Device.Cpu);
            TranslationResult a = t1.Translate(px, 64, 64), b = t2.Translate(px, 64, 64), c = t1.Translate(px, 64, 64);
            Assert.That(a.Image, Is.EqualTo(b.Image).And.EqualTo(c.Image));
            Assert.That(a.Mask, Is.EqualTo(b.Mask));
            Assert.That(a.Image.All(float.IsFinite) && a.Mask!.All(v => v is >= 0 and <= 1), Is.True);
            // the in-memory generator and the reloaded one agree bit for bit
            using (Opacity.Tensors.Autograd.TensorScope.Begin())
            using (Opacity.Tensors.Autograd.GradMode.NoGrad())
            {
                Tensor y = trainer.Step.Nets.GAB.Translate(Opacity.Gan.Data.ImageTensors.FromImages([px], 64)).Output;
                Assert.That(Opacity.Gan.Data.ImageTensors.ToImage(y, 0), Is.EqualTo(a.Image));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Test]
    public void Resume_continues_bit_for_bit()
    {
        string straight = TinyData.TempDir("straight"), split = TinyData.TempDir("split");
        try
        {
            var o = TinyData.Tiny(32);
            new GanTrainer(o, new TrainerOptions { OutDir = straight, Steps = 20, SampleEvery = 0, CheckpointEvery = 0 }, Data(32, 3), new TinyClassifier()).Run();
            new GanTrainer(o, new TrainerOptions { OutDir = split, Steps = 10, SampleEvery = 0, CheckpointEvery = 0 }, Data(32, 3), new TinyClassifier()).Run();
            var resumed = new GanTrainer(o with { Seed = 999 }, new TrainerOptions { OutDir = split, Steps = 20, SampleEvery = 0, CheckpointEvery = 0, Resume = true }, Data(32, 3), new TinyClassifier());
            Assert.That(resumed.StepsDone, Is.EqualTo(10));
            Assert.That(resumed.Options.Seed, Is.EqualTo(o.Seed), "the checkpoint's options win");
            resumed.Run();
            var (x, _) = SafeTensors.Load(Path.Combine(straight, GanCheckpoint.FileName));
            var (y, meta) = SafeTensors.Load(Path.Combine(split, GanCheckpoint.FileName));
            Assert.That(meta["step"], Is.EqualTo("20"));
            Assert.That(y.Keys.Order(), Is.EqualTo(x.Keys.Order()));
            Assert.That(x.Keys.Count(k => k.StartsWith("poolA.", StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(x.Keys.Count(k => k.StartsWith("optG.", StringComparison.Ordinal)), Is.GreaterThan(0));
            foreach (string k in x.Keys) Assert.That(y[k].ToArray(), Is.EqualTo(x[k].ToArray()), k);
        }
        finally
        {
            if (Directory.Exists(straight)) Directory.Delete(straight, true);
            if (Directory.Exists(split)) Directory.Delete(split, true);
        }
    }

    [Test]
    public void Generator_average_resumes_bit_for_bit_and_is_what_the_translator_loads()
    {
        string straight = TinyData.TempDir("avgstraight"), split = TinyData.TempDir("avgsplit");
        try
        {
            var o = TinyData.Tiny(32) with { GeneratorAverageDecay = 0.8 };
            new GanTrainer(o, new TrainerOptions { OutDir = straight, Steps = 6, SampleEvery = 0, CheckpointEvery = 0 }, Data(32, 3), new TinyClassifier()).Run();
            new GanTrainer(o, new TrainerOptions { OutDir = split, Steps = 3, SampleEvery = 0, CheckpointEvery = 0 }, Data(32, 3), new TinyClassifier()).Run();
            new GanTrainer(o, new TrainerOptions { OutDir = split, Steps = 6, SampleEvery = 0, CheckpointEvery = 0, Resume = true }, Data(32, 3), new TinyClassifier()).Run();
            string ck = Path.Combine(straight, GanCheckpoint.FileName);
            var (x, _) = SafeTensors.Load(ck);
            var (y, _) = SafeTensors.Load(Path.Combine(split, GanCheckpoint.FileName));
            Assert.That(x.Keys.Count(k => k.StartsWith(GanCheckpoint.AveragePrefix, StringComparison.Ordinal)), Is.GreaterThan(0));
            foreach (string k in x.Keys) Assert.That(y[k].ToArray(), Is.EqualTo(x[k].ToArray()), k);

            // the translator is G_AB with the averaged parameters, not the live ones
            float[] image = TinyData.Images(1, 32, true, 3)[0];
            using var translator = Translator.Load(ck, Device.Cpu);
            float[] got = translator.Translate(image, 32, 32).Image;
            float[] Run(Dictionary<string, Tensor> weights)
            {
                var g = GanNetworks.Generator(o, new Rng(0));
                StateDict.Apply(g, weights, "test");
                g.Eval();
                using var scope = Opacity.Tensors.Autograd.TensorScope.Begin();
                using var noGrad = Opacity.Tensors.Autograd.GradMode.NoGrad();
                return Opacity.Gan.Data.ImageTensors.ToImage(g.Translate(Opacity.Gan.Data.ImageTensors.FromImages([image], 32)).Output, 0);
            }
            Assert.That(got, Is.EqualTo(Run(GanCheckpoint.TranslatorWeights(x))));
            Assert.That(got, Is.Not.EqualTo(Run(GanCheckpoint.WithPrefix(x, "G_AB."))), "the live weights translate differently");
        }
        finally
        {
            if (Directory.Exists(straight)) Directory.Delete(straight, true);
            if (Directory.Exists(split)) Directory.Delete(split, true);
        }
    }

    [Test]
    public void Nan_loss_stops_with_name_and_step_and_keeps_last_good_checkpoint()
    {
        string dir = TinyData.TempDir("nan");
        try
        {
            var trainer = new GanTrainer(TinyData.Tiny(32), new TrainerOptions { OutDir = dir, Steps = 10, SampleEvery = 0, CheckpointEvery = 2 }, Data(32), new TinyClassifier())
            { InjectNan = (4, "CycleA") };
            var e = Assert.Throws<TrainingException>(() => trainer.Run());
            Assert.That(e!.Message, Does.Contain("CycleA").And.Contain("step 5"));
            var (_, meta) = SafeTensors.Load(Path.Combine(dir, GanCheckpoint.FileName));
            Assert.That(meta["step"], Is.EqualTo("4"));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Test]
    public void Cancellation_writes_a_checkpoint_and_returns()
    {
        string dir = TinyData.TempDir("cancel");
        try
        {
            using var cts = new CancellationTokenSource();
            var trainer = new GanTrainer(TinyData.Tiny(32, Ablation.CycleGan), new TrainerOptions { OutDir = dir, Steps = 100, SampleEvery = 0, CheckpointEvery = 0 }, Data(32));
            trainer.Progress = p => { if (p.Step == 3) cts.Cancel(); };
            TrainingResult r = trainer.Run(cts.Token);
            Assert.That((r.Cancelled, r.StepsDone), Is.EqualTo((true, 3L)));
            Assert.That(SafeTensors.Load(r.CheckpointPath).Metadata["step"], Is.EqualTo("3"));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Test]
    public void Translator_rejects_wrong_size_and_channels_in_one_sentence()
    {
        string dir = TinyData.TempDir("tr");
        try
        {
            var r = new GanTrainer(TinyData.Tiny(32, Ablation.Mask), new TrainerOptions { OutDir = dir, Steps = 1, SampleEvery = 0 }, Data(32)).Run();
            using var t = Translator.Load(r.CheckpointPath, Device.Cpu);
            var e1 = Assert.Throws<ArgumentException>(() => t.Translate(new float[64 * 64], 64, 64));
            Assert.That(e1!.Message, Does.Contain("32x32").And.Contain("64x64"));
            var e2 = Assert.Throws<ArgumentException>(() => t.Translate(new float[3 * 32 * 32], 32, 32));
            Assert.That(e2!.Message, Does.Contain("3 values per pixel"));
            var e3 = Assert.Throws<TrainingException>(() => Translator.Load(Path.Combine(dir, "missing.safetensors"), Device.Cpu));
            Assert.That(e3!.Message, Does.Contain("does not exist"));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
