// Training smoke tests on small in-memory phantom sets (64 px, generated once per fixture and shared): the
// classifier gets clearly above chance on held-out patients, the segmenter's IoU beats the all-lung
// baseline; same seed gives the same losses; checkpoints round-trip and mismatches are one sentence;
// the box reduction of a folder's images.
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Tests.Training;

[TestFixture]
public sealed class ClassifierSegmenterTrainerTests
{
    // Denser, larger lesions than the default phantoms (density x2, size x1.5), so that a few seconds of
    // training on 64 images show learning; the demo-scale numbers (TrainerDemoProbe) use the defaults.
    private static readonly PhantomOptions Options = new() { Size = 64, Seed = 21, DensityScale = 2, SizeScale = 1.5 };
    private static (PhantomCase[] Train, PhantomCase[] Held) _data;
    private static (PhantomCase[] Train, PhantomCase[] Held) Data => _data;

    [OneTimeSetUp]
    public void Generate() => _data = (TrainingData.Synthesize(64, Options), TrainingData.Synthesize(64, Options, first: 50000));

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "opacity_ckpt_" + Guid.NewGuid().ToString("N") + ".safetensors");

    [Test]
    public void Classifier_learns_above_chance_on_held_out_patients()
    {
        var (train, held) = Data;
        var r = ClassifierTrainer.Train(train, held, new ClassifierTrainOptions { Kind = ClassifierKind.ResNet, Width = 4, Steps = 60, BatchSize = 16, LearningRate = 3e-3, Seed = 2 });
        TestContext.Out.WriteLine($"held-out n={r.Validation!.Count} acc {r.Validation.Accuracy:F3} AUC {r.Validation.Auc:F3}; first-10 loss {r.Losses.Take(10).Average():F3}, last-10 {r.Losses.TakeLast(10).Average():F3}; {r.SecondsPerStep * 1000:F0} ms/step");
        Assert.That(r.Losses.TakeLast(10).Average(), Is.LessThan(r.Losses.Take(10).Average()), "training loss falls");
        Assert.That(r.Validation.Auc, Is.GreaterThan(0.7), "held-out AUC clearly above chance (0.5)");
    }

    [Test]
    public void Segmenter_iou_beats_the_all_lung_baseline_on_held_out_clear_images()
    {
        var (train, held) = Data;
        var r = SegmenterTrainer.Train(train, held, new SegmenterTrainOptions { Width = 4, Depth = 3, Steps = 25, BatchSize = 8, LearningRate = 3e-3, Seed = 2 });
        var clearHeld = held.Where(c => c.Domain == Domain.Clear).ToList();
        var (allLung, _) = SegmenterTrainer.BaselineIoU(clearHeld, train.Where(c => c.Domain == Domain.Clear).ToList());
        TestContext.Out.WriteLine($"held-out clear n={r.Validation!.Count} IoU {r.Validation.MeanIoU:F3} vs all-lung {allLung:F3}; {r.SecondsPerStep * 1000:F0} ms/step");
        Assert.That(r.Validation.Count, Is.EqualTo(clearHeld.Count), "validated on clear images only");
        Assert.That(r.Validation.MeanIoU, Is.GreaterThan(allLung + 0.2));
    }

    [Test]
    public void Same_seed_gives_the_same_losses_and_checkpoint_round_trips()
    {
        var (train, _) = Data;
        var o = new ClassifierTrainOptions { Kind = ClassifierKind.Plain, Width = 2, Steps = 3, BatchSize = 4, Seed = 9 };
        var a = ClassifierTrainer.Train(train, null, o);
        var b = ClassifierTrainer.Train(train, null, o);
        Assert.That(b.Losses, Is.EqualTo(a.Losses).AsCollection);
        Assert.That(ClassifierTrainer.Train(train, null, o with { Seed = 10 }).Losses, Is.Not.EqualTo(a.Losses).AsCollection);
        string path = TempFile();
        try
        {
            ClassifierCheckpoint.Save(a.Model, path, 64, 9, 3, null);
            var (loaded, size) = ClassifierCheckpoint.Load(path);
            Assert.That((loaded.Kind, loaded.Width, size), Is.EqualTo((ClassifierKind.Plain, 2, 64)));
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            Tensor x = Tensor.Randn(new Shape(2, 1, 32, 32), 3);
            a.Model.Eval();
            Assert.That(loaded.Forward(x).ToArray(), Is.EqualTo(a.Model.Forward(x).ToArray()).AsCollection);
            Assert.That(Assert.Throws<TrainingException>(() => ClassifierCheckpoint.Load(path, 128))!.Message,
                Is.EqualTo($"'{path}' is a classifier trained at 64 px, but the images are 128 px."));
            var wrong = new OpacityClassifier(ClassifierKind.ResNet, 2);
            var e = Assert.Throws<TrainingException>(() => ClassifierCheckpoint.LoadInto(wrong, path))!;
            Assert.That(e.Message, Does.StartWith($"'{path}' holds a plain classifier of width 2, not the resnet classifier of width 2"));
            var e2 = Assert.Throws<TrainingException>(() => SegmenterTrainer.Load(path))!;
            Assert.That(e2.Message, Does.Contain("is not a lung segmenter checkpoint"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Segmenter_checkpoint_round_trips()
    {
        var (train, _) = Data;
        var r = SegmenterTrainer.Train(train, null, new SegmenterTrainOptions { Width = 2, Depth = 2, Steps = 2, BatchSize = 2, Upsampling = UNetUpsampling.TransposedConv });
        string path = TempFile();
        try
        {
            SegmenterTrainer.Save(r.Model, path, 64, 1, 2, null);
            var (m, size) = SegmenterTrainer.Load(path);
            Assert.That((m.Width, m.Depth, m.Upsampling, size), Is.EqualTo((2, 2, UNetUpsampling.TransposedConv, 64)));
            Assert.That(SegmenterTrainer.Predict(m, train.Take(3).ToList()), Is.EqualTo(SegmenterTrainer.Predict(r.Model, train.Take(3).ToList())).AsCollection);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Bad_training_input_is_one_sentence()
    {
        var (train, _) = Data;
        var clearOnly = train.Where(c => c.Domain == Domain.Clear).ToList();
        Assert.That(Assert.Throws<TrainingException>(() => ClassifierTrainer.Train(clearOnly, null, new ClassifierTrainOptions()))!.Message,
            Does.Contain("has only clear images").And.Contain("needs both domains"));
        var opacityOnly = train.Where(c => c.Domain == Domain.Opacity).ToList();
        Assert.That(Assert.Throws<TrainingException>(() => SegmenterTrainer.Train(opacityOnly, null, new SegmenterTrainOptions()))!.Message, Does.Contain("no clear images"));
        Assert.That(Assert.Throws<TrainingException>(() => ClassifierTrainer.CheckSize(60))!.Message, Does.Contain("60 px"));
        Assert.That(Assert.Throws<TrainingException>(() => SegmenterTrainer.CheckSize(72, 4))!.Message, Does.Contain("multiple of 16"));
    }

    [Test]
    public void Box_reduction_averages_images_and_takes_the_mask_majority()
    {
        var (train, _) = Data;
        PhantomCase c = train[0], small = TrainingData.Resize(c, 32);
        Assert.That(small.Size, Is.EqualTo(32));
        Assert.That(small.Image[0], Is.EqualTo((c.Image[0] + c.Image[1] + c.Image[64] + c.Image[65]) / 4).Within(1e-6));
        Assert.That(small.LungMask.Count(m => m) * 4, Is.EqualTo(c.LungMask.Count(m => m)).Within(c.LungMask.Length / 20));
        Assert.Throws<TrainingException>(() => TrainingData.Resize(c, 48));
    }
}
