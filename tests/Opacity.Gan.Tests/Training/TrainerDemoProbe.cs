// Explicit demo-scale probe (not part of the normal run): trains the classifier and the segmenter on
// in-memory phantoms and prints held-out numbers and time per step. Parameters from environment
// variables: PROBE_N (training patients, default 300), PROBE_SIZE (64), PROBE_STEPS (150), PROBE_WIDTH (8),
// PROBE_HELDOUT (200 patients from index 100000, never seen in training), PROBE_WHAT (classifier,segmenter).
using System.Diagnostics;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;

namespace Opacity.Gan.Tests.Training;

[Explicit("demo-scale probe, minutes of CPU")]
public sealed class TrainerDemoProbe
{
    private static int Env(string name, int dflt) => int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : dflt;

    [Test]
    public void Demo_scale_numbers()
    {
        int n = Env("PROBE_N", 300), size = Env("PROBE_SIZE", 64), steps = Env("PROBE_STEPS", 150), width = Env("PROBE_WIDTH", 8), held = Env("PROBE_HELDOUT", 200);
        string what = Environment.GetEnvironmentVariable("PROBE_WHAT") ?? "classifier,segmenter";
        var sw = Stopwatch.StartNew();
        PhantomCase[] train = TrainingData.Synthesize(n, size, 7);
        PhantomCase[] test = TrainingData.Synthesize(held, size, 7, first: 100000);
        TestContext.Out.WriteLine($"generated {n}+{held} phantoms at {size} px in {sw.Elapsed.TotalSeconds:F1} s");
        if (what.Contains("classifier", StringComparison.Ordinal))
        {
            foreach (ClassifierKind kind in new[] { ClassifierKind.ResNet, ClassifierKind.Plain })
            {
                sw.Restart();
                var r = ClassifierTrainer.Train(train, test, new ClassifierTrainOptions { Kind = kind, Width = width, Steps = steps, Seed = 3 });
                var m = r.Validation!;
                TestContext.Out.WriteLine($"classifier {kind} w{width} {size}px {steps} steps x16: held-out n={m.Count} acc {m.Accuracy:F3} AUC {m.Auc:F3} sens {m.Sensitivity:F3} spec {m.Specificity:F3}; "
                    + $"{r.SecondsPerStep * 1000:F0} ms/step, total {sw.Elapsed.TotalSeconds:F1} s, last-20 loss {r.Losses.TakeLast(20).Average():F3}");
            }
        }
        if (what.Contains("segmenter", StringComparison.Ordinal))
        {
            sw.Restart();
            int depth = size >= 128 ? 4 : 3;
            var r = SegmenterTrainer.Train(train, test, new SegmenterTrainOptions { Width = width, Depth = depth, Steps = steps, Seed = 3 });
            var clearTest = test.Where(c => c.Domain == Domain.Clear).ToList();
            var opacityTest = test.Where(c => c.Domain == Domain.Opacity).ToList();
            var (all, prior) = SegmenterTrainer.BaselineIoU(clearTest, train.Where(c => c.Domain == Domain.Clear).ToList());
            var onOpacity = SegmenterTrainer.Evaluate(r.Model, opacityTest);
            var onTruth = SegmenterTrainer.Evaluate(r.Model, opacityTest.Select(c => new PhantomCase { PatientId = c.PatientId, Domain = Domain.Clear, Split = c.Split, Size = c.Size, Image = c.PairedClear!, LungMask = c.LungMask, OpacityMask = c.OpacityMask, Labels = OpacityKinds.None }).ToList());
            TestContext.Out.WriteLine($"segmenter w{width} d{depth} {size}px {steps} steps x8: clear held-out n={r.Validation!.Count} IoU {r.Validation.MeanIoU:F3} Dice {r.Validation.MeanDice:F3} "
                + $"(baselines: all-lung {all:F3}, majority prior mask {prior:F3}); opacity images IoU {onOpacity.MeanIoU:F3} vs their paired clear truth {onTruth.MeanIoU:F3}; "
                + $"{r.SecondsPerStep * 1000:F0} ms/step, total {sw.Elapsed.TotalSeconds:F1} s, last-20 loss {r.Losses.TakeLast(20).Average():F3}");
        }
    }
}
