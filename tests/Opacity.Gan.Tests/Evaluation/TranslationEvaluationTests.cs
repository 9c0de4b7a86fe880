// TranslationEvaluation's ideal row (the paired truth scored as a translation), with a lung "segmenter"
// whose head bias says "lung" everywhere, so residual detection sees the whole image: a clear image's
// ideal translation is itself (residual exactly 0, never flagged), every opacity image differs from its
// twin (it scores above every clear image); the twins are what the classifier scores; and a data set without paired truth has no
// ideal row; and the focal lesion score. Random small networks: the plumbing is under test, not the models.
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Gan.Tests.Evaluation;

public sealed class TranslationEvaluationTests
{
    private const int Size = 64;

    private static (List<PhantomCase> Val, List<PhantomCase> Test) Cases()
    {
        PhantomCase[] all = TrainingData.Synthesize(40, new PhantomOptions { Size = Size, Seed = 3, TrainFraction = 0, ValFraction = 0.5 });
        return (all.Where(c => c.Split == Split.Val).ToList(), all.Where(c => c.Split == Split.Test).ToList());
    }

    private static UNet EverywhereLung()
    {
        var seg = new UNet(width: 2, depth: 2, rng: new Rng(5));
        seg.NamedParameters().Single(p => p.Name == "head.bias").Param.Value.AsSpan().Fill(50f);
        return seg;
    }

    [Test]
    public void Ideal_row_flags_every_opacity_image_and_no_clear_one()
    {
        var (val, test) = Cases();
        Assert.That(test.Count(c => c.Domain == Domain.Opacity), Is.GreaterThan(3));
        var classifier = new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(9));
        var evaluation = new TranslationEvaluation(classifier, EverywhereLung(), Size, val, test);
        MethodScores ideal = evaluation.EvaluateIdeal()!;
        Assert.That(ideal.Method, Is.EqualTo(TranslationEvaluation.IdealMethod));
        Assert.That(ideal.Specificity, Is.EqualTo(1.0), "a clear image's residual to itself is 0");
        // Every opacity image differs from its twin, so every one scores above every clear one; the threshold comes from
        // the validation split, so a test lesion fainter than the faintest validation one may still fall under it.
        Assert.That(ideal.Auc, Is.EqualTo(1.0));
        Assert.That(ideal.Sensitivity, Is.GreaterThan(0.5));
        Assert.That(ideal.Truth!.ChangeOutsideMask, Is.LessThan(1e-3), "twins share anatomy and noise outside the lesion");
        // Sensitivity by lesion kind, weighted by each kind's count, is the overall sensitivity.
        var opacity = test.Where(c => c.Domain == Domain.Opacity).ToList();
        double weighted = ideal.SensitivityByKind!.Sum(kv => kv.Value * opacity.Count(c => TranslationEvaluation.KindName(c.Labels) == kv.Key)) / opacity.Count;
        Assert.That(weighted, Is.EqualTo(ideal.Sensitivity).Within(1e-12));
        Assert.That(ideal.SensitivityByKind!.Keys, Is.EquivalentTo(ideal.RateByKind!.Keys));

        // The classifier scores the twins: the same rate as evaluating a translator that returns them.
        var twins = new Dictionary<float[], float[]>(ReferenceEqualityComparer.Instance);
        foreach (PhantomCase c in test.Where(c => c.Domain == Domain.Opacity)) twins[c.Image] = c.PairedClear!;
        MethodScores byHand = evaluation.Evaluate("by hand", x => (twins.TryGetValue(x, out var t) ? t : x, null));
        Assert.That(ideal.OpacityRate, Is.EqualTo(byHand.OpacityRate));
        Assert.That(ideal.Fid, Is.EqualTo(byHand.Fid).Within(1e-9));
    }

    [Test]
    public void Lesion_removed_by_kind_pools_each_kinds_excess()
    {
        var (val, test) = Cases();
        var evaluation = new TranslationEvaluation(new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(9)), EverywhereLung(), Size, val, test);
        var twins = new Dictionary<float[], float[]>(ReferenceEqualityComparer.Instance);
        foreach (PhantomCase c in test.Where(c => c.Domain == Domain.Opacity)) twins[c.Image] = c.PairedClear!;
        // Puts back half of every pixel's difference from the truth: half of each lesion's excess stays, on every kind.
        MethodScores half = evaluation.Evaluate("half", x =>
        {
            if (!twins.TryGetValue(x, out float[]? t)) return (x, null);
            return (x.Select((v, i) => t[i] + 0.5f * (v - t[i])).ToArray(), null);
        });
        MethodScores identity = evaluation.Evaluate("untranslated", x => (x, null), residualDetection: false);
        MethodScores ideal = evaluation.EvaluateIdeal()!;
        Assert.Multiple(() =>
        {
            Assert.That(half.Truth!.LesionRemoved, Is.EqualTo(0.5).Within(1e-4));
            Assert.That(half.RemovedByKind!.Values, Is.All.EqualTo(0.5).Within(1e-4));
            Assert.That(half.RemovedByKind!.Keys, Is.EquivalentTo(half.RateByKind!.Keys));
            Assert.That(identity.Truth!.LesionRemoved, Is.Zero);
            Assert.That(identity.RemovedByKind!.Values, Is.All.Zero);
            Assert.That(ideal.Truth!.LesionRemoved, Is.EqualTo(1.0));
        });
    }

    [Test]
    public void Panel_scores_every_row_under_each_judge_with_its_own_threshold()
    {
        var (val, test) = Cases();
        var classifier = new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(9));
        var other = new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(10));
        // The evaluation classifier itself as judge 2 must reproduce the row's own rate; another judge has its own.
        var evaluation = new TranslationEvaluation(classifier, EverywhereLung(), Size, val, test, judges: [classifier, other]);
        var alone = new TranslationEvaluation(other, EverywhereLung(), Size, val, test);
        Assert.That(evaluation.PanelSize, Is.EqualTo(2));
        TranslateFn identity = x => (x, null);
        MethodScores row = evaluation.Evaluate("untranslated", identity, residualDetection: false);
        Assert.That(row.PanelRates, Has.Count.EqualTo(2));
        Assert.That(row.PanelRates![0], Is.EqualTo(row.OpacityRate));
        Assert.That(row.PanelRates[1], Is.EqualTo(alone.Evaluate("untranslated", identity, residualDetection: false).OpacityRate));
        Assert.That(evaluation.EvaluateIdeal()!.PanelRates, Has.Count.EqualTo(2));
        Assert.That(alone.Evaluate("untranslated", identity, residualDetection: false).PanelRates, Is.Null);
    }

    [Test]
    public void Lesion_map_judge_scores_every_row_with_its_own_validation_threshold()
    {
        var (val, test) = Cases();
        var classifier = new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(9));
        var judge = new LesionMapJudge(width: 2, depth: 2, rng: new Rng(12));
        judge.Eval();
        var evaluation = new TranslationEvaluation(classifier, EverywhereLung(), Size, val, test, lesionJudge: judge);
        Assert.That(evaluation.HasLesionJudge);
        MethodScores row = evaluation.Evaluate("untranslated", x => (x, null), residualDetection: false);
        // By hand: the judge's Youden threshold on the validation split, applied to the test opacity images.
        double threshold = TranslationEvaluation.PickThreshold(LesionMapTrainer.Probabilities(judge, val.Select(c => c.Image).ToList(), Size),
            val.Select(c => c.Domain == Domain.Opacity).ToArray());
        var opacity = test.Where(c => c.Domain == Domain.Opacity).ToList();
        double[] scores = LesionMapTrainer.Probabilities(judge, opacity.Select(c => c.Image).ToList(), Size);
        Assert.That(row.LesionJudgeRate, Is.EqualTo(scores.Count(s => s >= threshold) / (double)opacity.Count));
        double weighted = row.LesionJudgeRateByKind!.Sum(kv => kv.Value * opacity.Count(c => TranslationEvaluation.KindName(c.Labels) == kv.Key)) / opacity.Count;
        Assert.That(weighted, Is.EqualTo(row.LesionJudgeRate).Within(1e-12), "the kinds' rates weighted by their counts are the overall rate");
        Assert.That(evaluation.EvaluateIdeal()!.LesionJudgeRate, Is.InRange(0.0, 1.0));
        MethodScores without = new TranslationEvaluation(classifier, EverywhereLung(), Size, val, test).Evaluate("untranslated", x => (x, null), residualDetection: false);
        Assert.That(double.IsNaN(without.LesionJudgeRate) && without.LesionJudgeRateByKind is null);
    }

    [Test]
    public void No_paired_truth_no_ideal_row()
    {
        var (val, test) = Cases();
        var stripped = test.Select(c => new PhantomCase
        {
            PatientId = c.PatientId, Domain = c.Domain, Split = c.Split, Size = c.Size, Image = c.Image, PairedClear = null,
            LungMask = c.LungMask, OpacityMask = c.OpacityMask, Labels = c.Labels,
        }).ToList();
        var evaluation = new TranslationEvaluation(new OpacityClassifier(ClassifierKind.Plain, 2, new Rng(9)), EverywhereLung(), Size, val, stripped);
        Assert.That(evaluation.EvaluateIdeal(), Is.Null);
    }

    [Test]
    public void Lesion_score_averages_the_largest_residuals_inside_the_region()
    {
        // 100 region pixels with residual 0.01, one of them 0.5 (a small lesion), and a residual of 1 outside the region.
        var x = new float[120]; var g = new float[120]; var region = new bool[120];
        for (int i = 0; i < 100; i++) { region[i] = true; g[i] = 0.01f; }
        g[7] = 0.5f;
        for (int i = 100; i < 120; i++) g[i] = 1f;
        // 2 % of 100 = the two largest: (0.5 + 0.01) / 2; the plain mean would be (0.5 + 99 * 0.01) / 100.
        Assert.That(TranslationEvaluation.LesionScore(x, g, region), Is.EqualTo((0.5 + 0.01) / 2).Within(1e-7));
        Assert.That(TranslationEvaluation.LesionScore(x, g, region, fraction: 1.0), Is.EqualTo((0.5 + 99 * 0.01) / 100).Within(1e-7));
        // At least one pixel: a tiny region scores its largest residual; an empty one scores 0.
        Assert.That(TranslationEvaluation.LesionScore(x, g, region, fraction: 1e-6), Is.EqualTo(0.5).Within(1e-7));
        Assert.That(TranslationEvaluation.LesionScore(x, g, new bool[120]), Is.Zero);
    }

    [Test]
    public void Sensitive_point_is_the_highest_threshold_that_calls_the_share()
    {
        double[] scores = [0.9, 0.1, 0.5, 0.7, 0.3, 0.2, 0.8, 0.6, 0.4, 0.05];
        // 90 % of 10 = 9 scores at or above the threshold: the 9th largest, 0.1.
        Assert.That(TranslationEvaluation.SensitivePoint(scores, 0.9), Is.EqualTo(0.1));
        Assert.That(scores.Count(s => s >= 0.1), Is.EqualTo(9));
        // 85 % of 10 = 8.5 -> 9 scores (at least the share); all of them -> the smallest; one -> the largest.
        Assert.That(TranslationEvaluation.SensitivePoint(scores, 0.85), Is.EqualTo(0.1));
        Assert.That(TranslationEvaluation.SensitivePoint(scores, 1.0), Is.EqualTo(0.05));
        Assert.That(TranslationEvaluation.SensitivePoint(scores, 0.0), Is.EqualTo(0.9));
        Assert.That(TranslationEvaluation.SensitivePoint([], 0.9), Is.NaN);
    }

    [Test]
    public void Threshold_at_specificity_keeps_that_share_of_negatives_below_it()
    {
        // Negatives 0.1 .. 1.0 (ten), positives anywhere: 90 % specificity = nine negatives below the threshold.
        double[] scores = [0.5, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 1.0, 0.95, 0.05];
        bool[] positive = [false, false, false, false, false, false, false, false, false, false, true, true];
        double t = TranslationEvaluation.ThresholdAtSpecificity(scores, positive, 0.9);
        Assert.That(t, Is.GreaterThan(0.9).And.LessThan(0.9 + 1e-12));
        var c = Opacity.Gan.Metrics.DetectionMetrics.Confusion(scores, positive, t);
        Assert.That(c.Specificity, Is.EqualTo(0.9));
        Assert.That(c.Sensitivity, Is.EqualTo(0.5), "0.95 is flagged, 0.05 is not");
        // Ties at zero (a perfect residual on clear images): just above zero, so every negative is below it.
        double z = TranslationEvaluation.ThresholdAtSpecificity([0, 0, 0, 0.3], [false, false, false, true], 0.9);
        Assert.That(z, Is.GreaterThan(0).And.LessThan(1e-300));
        Assert.That(TranslationEvaluation.ThresholdAtSpecificity([0.4], [true], 0.9), Is.EqualTo(double.NegativeInfinity), "no negatives: everything is positive");
    }
}
