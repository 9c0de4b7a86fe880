// The lesion-map judge (LesionMapJudge) and its trainer on small in-memory phantom sets (the denser, larger
// lesions of ClassifierSegmenterTrainerTests, so that seconds of training show learning): it learns to call
// held-out opacity images above chance, the same seed gives the same losses, the image score is the sigmoid of
// the mean of the TopK largest pixel logits, checkpoints round-trip, and mismatched files or bad options are one
// sentence.
using Opacity.Gan.Data;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Tests.Training;

[TestFixture]
public sealed class LesionMapTrainerTests
{
    private static readonly PhantomOptions Options = new() { Size = 64, Seed = 21, DensityScale = 2, SizeScale = 1.5 };
    private static PhantomCase[] _train = [], _held = [];

    [OneTimeSetUp]
    public void Generate() => (_train, _held) = (TrainingData.Synthesize(64, Options), TrainingData.Synthesize(64, Options, first: 50000));

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "opacity_lesion_" + Guid.NewGuid().ToString("N") + ".safetensors");

    [Test]
    public void Learns_to_call_held_out_opacity_images_above_chance()
    {
        var r = LesionMapTrainer.Train(_train, _held, new LesionMapTrainOptions { Width = 4, Depth = 3, Steps = 60, BatchSize = 8, LearningRate = 3e-3, Seed = 2 });
        TestContext.Out.WriteLine($"held-out n={r.Validation!.Count} AUC {r.Validation.Auc:F3}; first-10 loss {r.Losses.Take(10).Average():F3}, last-10 {r.Losses.TakeLast(10).Average():F3}; {r.SecondsPerStep * 1000:F0} ms/step");
        Assert.That(r.Losses.TakeLast(10).Average(), Is.LessThan(r.Losses.Take(10).Average()), "training loss falls");
        Assert.That(r.Validation.Auc, Is.GreaterThan(0.7), "held-out AUC clearly above chance (0.5)");
        Assert.That(r.Validation.Count, Is.EqualTo(_held.Length), "validated on both domains");
    }

    [Test]
    public void Same_seed_gives_the_same_losses_and_the_lesion_masks_are_the_target()
    {
        var o = new LesionMapTrainOptions { Width = 2, Depth = 2, Steps = 3, BatchSize = 4, Seed = 9 };
        var a = LesionMapTrainer.Train(_train, null, o);
        Assert.That(LesionMapTrainer.Train(_train, null, o).Losses, Is.EqualTo(a.Losses).AsCollection);
        Assert.That(LesionMapTrainer.Train(_train, null, o with { Seed = 10 }).Losses, Is.Not.EqualTo(a.Losses).AsCollection);
        Assert.That(LesionMapTrainer.Train(_train, null, o with { PositiveWeight = 1 }).Losses, Is.Not.EqualTo(a.Losses).AsCollection,
            "the lesion pixels' weight enters the loss");
        // The batch's masks are the opacity masks (not the lung masks): empty on clear images, the lesion on opacity ones.
        int clear = Array.FindIndex(_train, c => c.Domain == Domain.Clear), opacity = Array.FindIndex(_train, c => c.Domain == Domain.Opacity);
        using var scope = TensorScope.Begin();
        (_, Tensor masks) = TrainingData.Batch(_train, [clear, opacity], null, c => c.OpacityMask);
        float[] m = masks.ToArray();
        Assert.That(m.Take(64 * 64), Is.All.Zero);
        Assert.That(m.Skip(64 * 64).Select(v => v > 0.5f), Is.EqualTo(_train[opacity].OpacityMask).AsCollection);
    }

    [Test]
    public void Score_is_the_sigmoid_of_the_mean_of_the_largest_pixel_logits()
    {
        var judge = new LesionMapJudge(width: 2, depth: 2, rng: new Rng(4));
        judge.Eval();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        Tensor x = ImageTensors.FromImages(_held.Take(3).Select(c => c.Image).ToList(), 64);
        float[] logits = judge.Forward(x).ToArray();
        double[] scores = judge.Scores(x);
        for (int i = 0; i < 3; i++)
        {
            double top = logits.Skip(i * 4096).Take(4096).OrderDescending().Take(LesionMapJudge.TopK).Average(v => (double)v);
            Assert.That(scores[i], Is.EqualTo(1 / (1 + Math.Exp(-top))).Within(1e-12), $"image {i}");
        }
        var rng = new Random(7);
        foreach (int k in new[] { 1, 3, 4, 17, 50 })
        {
            float[] v = Enumerable.Range(0, 40).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            v[5] = v[6] = v[7];   // ties
            double expected = v.OrderDescending().Take(Math.Min(k, v.Length)).Average(f => (double)f);
            Assert.That(LesionMapJudge.TopMean(v, k), Is.EqualTo(expected).Within(1e-6), $"k {k}");
        }
    }

    [Test]
    public void Checkpoint_round_trips_and_mismatches_are_one_sentence()
    {
        var r = LesionMapTrainer.Train(_train, null, new LesionMapTrainOptions { Width = 2, Depth = 2, Steps = 2, BatchSize = 2, Seed = 3 });
        string path = TempFile(), classifierPath = TempFile();
        try
        {
            LesionMapTrainer.Save(r.Model, path, 64, 3, 2, null);
            var (loaded, size) = LesionMapTrainer.Load(path);
            Assert.That((loaded.Width, loaded.Depth, size), Is.EqualTo((2, 2, 64)));
            var images = _held.Take(5).Select(c => c.Image).ToList();
            Assert.That(LesionMapTrainer.Probabilities(loaded, images, 64), Is.EqualTo(LesionMapTrainer.Probabilities(r.Model, images, 64)).AsCollection);
            Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Load(path, 128))!.Message,
                Is.EqualTo($"'{path}' is a lesion-map judge trained at 64 px, but the images are 128 px."));
            Assert.That(Assert.Throws<TrainingException>(() => ClassifierCheckpoint.Load(path))!.Message, Does.Contain("is not an opacity classifier checkpoint"));
            ClassifierCheckpoint.Save(new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(1)), classifierPath, 64, 1, 1, null);
            Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Load(classifierPath))!.Message,
                Is.EqualTo($"'{classifierPath}' is not a lesion-map judge checkpoint (its metadata model is 'opacity-classifier')."));
        }
        finally
        {
            File.Delete(path);
            File.Delete(classifierPath);
        }
    }

    [Test]
    public void Bad_training_input_is_one_sentence()
    {
        var clearOnly = _train.Where(c => c.Domain == Domain.Clear).ToList();
        Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Train(clearOnly, null, new LesionMapTrainOptions()))!.Message,
            Does.Contain("has only clear images"));
        Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Train(_train, null, new LesionMapTrainOptions { Steps = 0 }))!.Message,
            Does.Contain("--steps 0 must be positive"));
        Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Train(_train, null, new LesionMapTrainOptions { PositiveWeight = double.NaN }))!.Message,
            Does.Contain("weight NaN must be positive"));
        Assert.That(Assert.Throws<TrainingException>(() => LesionMapTrainer.Train(_train, null, new LesionMapTrainOptions { Depth = 7 }))!.Message,
            Does.Contain("not usable by a U-Net of depth 7"));
    }
}
