// IoU/Dice against numpy vectors (including empty-mask edge cases) and the two mIoU meanings.
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Tests.Metrics;

public sealed class SegmentationMetricsTests
{
    private static IEnumerable<string> Cases() => MetricVectors.Names("masks");

    [TestCaseSource(nameof(Cases))]
    public void Matches_numpy_vectors(string name)
    {
        var c = MetricVectors.Case("masks", name);
        bool[] p = MetricVectors.Bools(c, "pred"), t = MetricVectors.Bools(c, "truth");
        Assert.That(SegmentationMetrics.Iou(p, t), Is.EqualTo(c.GetProperty("iou").GetDouble()).Within(1e-6), "iou");
        Assert.That(SegmentationMetrics.Dice(p, t), Is.EqualTo(c.GetProperty("dice").GetDouble()).Within(1e-6), "dice");
        Assert.That(SegmentationMetrics.BackgroundIou(p, t), Is.EqualTo(c.GetProperty("background_iou").GetDouble()).Within(1e-6), "background iou");
    }

    [Test]
    public void Empty_mask_conventions()
    {
        bool[] none = new bool[4], some = [true, false, false, false];
        Assert.That(SegmentationMetrics.Iou(none, none), Is.EqualTo(1.0));
        Assert.That(SegmentationMetrics.Dice(none, none), Is.EqualTo(1.0));
        Assert.That(SegmentationMetrics.Iou(none, some), Is.EqualTo(0.0));
        Assert.That(SegmentationMetrics.Iou(some, none), Is.EqualTo(0.0));
        Assert.That(SegmentationMetrics.Dice(some, none), Is.EqualTo(0.0));
    }

    [Test]
    public void The_two_miou_meanings_differ_as_defined()
    {
        // image 1: pred 2 of 4 lung pixels, no false positives (8 pixels): fg IoU 0.5, bg IoU 4/6
        bool[] t1 = [true, true, true, true, false, false, false, false];
        bool[] p1 = [true, true, false, false, false, false, false, false];
        // image 2: perfect
        var r = SegmentationMetrics.Evaluate([p1, t1], [t1, t1]);
        Assert.That(r.ForegroundIou, Is.EqualTo(new[] { 0.5, 1.0 }));
        Assert.That(r.BackgroundIou[0], Is.EqualTo(4.0 / 6).Within(1e-15));
        Assert.That(r.MeanForegroundIou, Is.EqualTo(0.75));
        Assert.That(r.MeanClassIou, Is.EqualTo((0.5 * (0.5 + 4.0 / 6) + 1.0) / 2).Within(1e-15));
        Assert.That(r.MeanDice, Is.EqualTo((2.0 * 2 / 6 + 1.0) / 2).Within(1e-15));
    }

    [Test]
    public void Probabilities_are_thresholded_at_one_half_inclusive()
    {
        var m = SegmentationMetrics.Threshold([0.5f, 0.49f, 0.9f, float.NaN]);
        Assert.That(m, Is.EqualTo(new[] { true, false, true, false }));
        var r = SegmentationMetrics.Evaluate([new[] { 0.7f, 0.2f }], [new[] { true, false }]);
        Assert.That(r.MeanForegroundIou, Is.EqualTo(1.0));
    }

    [Test]
    public void Mismatched_inputs_are_rejected()
    {
        Assert.That(() => SegmentationMetrics.Iou(new bool[3], new bool[4]), Throws.TypeOf<MetricsException>().With.Message.Contains("3 vs 4"));
        Assert.That(() => SegmentationMetrics.Evaluate(Array.Empty<bool[]>(), Array.Empty<bool[]>()), Throws.TypeOf<MetricsException>());
    }
}
