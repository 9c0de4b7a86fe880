// Detection metrics against scipy (mannwhitneyu for AUC, binomtest Wilson interval) and hand cases.
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Tests.Metrics;

public sealed class DetectionMetricsTests
{
    private static IEnumerable<string> Cases() => MetricVectors.Names("auc");

    [TestCaseSource(nameof(Cases))]
    public void Matches_scipy_vectors(string name)
    {
        var c = MetricVectors.Case("auc", name);
        var r = DetectionMetrics.Evaluate(MetricVectors.Doubles(c, "scores"), MetricVectors.Bools(c, "labels"));
        Assert.Multiple(() =>
        {
            Assert.That(r.Auc, Is.EqualTo(c.GetProperty("auc").GetDouble()).Within(1e-6), "auc");
            Assert.That(r.Counts, Is.EqualTo(new ConfusionCounts(c.GetProperty("tp").GetInt32(), c.GetProperty("fp").GetInt32(), c.GetProperty("tn").GetInt32(), c.GetProperty("fn").GetInt32())));
            Assert.That(r.Sensitivity, Is.EqualTo(c.GetProperty("sensitivity").GetDouble()).Within(1e-12), "sensitivity");
            Assert.That(r.Specificity, Is.EqualTo(c.GetProperty("specificity").GetDouble()).Within(1e-12), "specificity");
            Assert.That(r.Accuracy, Is.EqualTo(c.GetProperty("accuracy").GetDouble()).Within(1e-12), "accuracy");
            Assert.That(r.SensitivityLower, Is.EqualTo(c.GetProperty("wilson_low").GetDouble()).Within(1e-6), "wilson low");
            Assert.That(r.SensitivityUpper, Is.EqualTo(c.GetProperty("wilson_high").GetDouble()).Within(1e-6), "wilson high");
        });
    }

    [Test]
    public void Auc_counts_a_tie_as_one_half()
    {
        Assert.That(DetectionMetrics.RocAuc([0.3, 0.3], [true, false]), Is.EqualTo(0.5));
        // pairs (p, n): (0.7,0.3)=1, (0.7,0.7)=0.5, (0.3,0.3)=0.5, (0.3,0.7)=0 -> 2/4
        Assert.That(DetectionMetrics.RocAuc([0.7, 0.3, 0.3, 0.7], [true, true, false, false]), Is.EqualTo(0.5));
        Assert.That(DetectionMetrics.RocAuc([0.7, 0.31, 0.3, 0.6], [true, true, false, false]), Is.EqualTo(0.75));
    }

    [Test]
    public void Auc_is_nan_without_both_classes_and_rejects_nan_scores()
    {
        Assert.That(DetectionMetrics.RocAuc([0.1, 0.9], [true, true]), Is.NaN);
        Assert.That(() => DetectionMetrics.RocAuc([0.1, double.NaN], [true, false]), Throws.TypeOf<MetricsException>().With.Message.Contains("score 1 is NaN"));
    }

    [Test]
    public void Threshold_is_inclusive()
    {
        var c = DetectionMetrics.Confusion([0.5, 0.4999], [true, true]);
        Assert.That((c.TruePositives, c.FalseNegatives), Is.EqualTo((1, 1)));
        Assert.That(DetectionMetrics.Confusion([0.7], [false], threshold: 0.8).TrueNegatives, Is.EqualTo(1));
    }

    [Test]
    public void Wilson_interval_known_values_and_edges()
    {
        // 95% Wilson for 8/10: z = 1.959964; textbook value [0.4902, 0.9433].
        var (lo, hi) = DetectionMetrics.WilsonInterval(8, 10);
        Assert.That(lo, Is.EqualTo(0.4902).Within(1e-4));
        Assert.That(hi, Is.EqualTo(0.9433).Within(1e-4));
        Assert.That(DetectionMetrics.WilsonInterval(0, 0).Lower, Is.NaN);
        Assert.That(() => DetectionMetrics.WilsonInterval(3, 2), Throws.TypeOf<MetricsException>().With.Message.Contains("3 successes out of 2"));
    }

    [TestCase(0.975, 1.959963984540054)]
    [TestCase(0.5, 0.0)]
    [TestCase(0.001, -3.090232306167813)]
    [TestCase(0.995, 2.5758293035489004)]
    public void Normal_quantile_is_accurate(double p, double z)
        => Assert.That(DetectionMetrics.NormalQuantile(p), Is.EqualTo(z).Within(1e-12));

    [Test]
    public void Bootstrap_auc_interval_brackets_the_auc_is_seeded_and_shrinks_with_more_data()
    {
        var c = MetricVectors.Case("auc", "continuous_60");
        double[] s = MetricVectors.Doubles(c, "scores");
        bool[] l = MetricVectors.Bools(c, "labels");
        double auc = DetectionMetrics.RocAuc(s, l);
        var a = DetectionMetrics.BootstrapAucInterval(s, l, resamples: 400, seed: 3);
        Assert.That(a.Lower, Is.LessThan(auc));
        Assert.That(a.Upper, Is.GreaterThan(auc));
        Assert.That(DetectionMetrics.BootstrapAucInterval(s, l, resamples: 400, seed: 3), Is.EqualTo(a));
        Assert.That(DetectionMetrics.BootstrapAucInterval(s, l, resamples: 400, seed: 4), Is.Not.EqualTo(a));
        // the same score distribution repeated 4x: the interval narrows by about 1/sqrt(4)
        var s4 = Enumerable.Repeat(s, 4).SelectMany(x => x).ToArray();
        var l4 = Enumerable.Repeat(l, 4).SelectMany(x => x).ToArray();
        var b = DetectionMetrics.BootstrapAucInterval(s4, l4, resamples: 400, seed: 3);
        double ratio = (b.Upper - b.Lower) / (a.Upper - a.Lower);
        Assert.That(ratio, Is.InRange(0.35, 0.7));
        Assert.That(DetectionMetrics.BootstrapAucInterval([0.2, 0.4], [true, true]).Lower, Is.NaN);
    }

    [Test]
    public void Rates_are_nan_when_undefined()
    {
        var c = new ConfusionCounts(0, 2, 3, 0);
        Assert.That(c.Sensitivity, Is.NaN);
        Assert.That(c.Specificity, Is.EqualTo(0.6));
    }
}
