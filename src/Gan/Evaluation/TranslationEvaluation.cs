// Evaluation of one opacity -> clear translator on the phantom test split, against models trained
// apart from it (METHOD.md, Evaluation): an evaluation classifier of another architecture and seed
// than the CDAM one, and a lung U-Net trained on clear images. Measures, per method row:
//  - the evaluation classifier's "opacity" rate on the translated opacity images (threshold picked
//    on the validation split by Youden's J, since the classifier's raw 0.5 is poorly calibrated);
//  - lung IoU of the segmenter on translated images against the true lung masks (mIoU = foreground
//    IoU averaged over images);
//  - lesion detection from the translation: score = the mean of the largest 2 % of |x - G(x)| inside the
//    predicted lung field (LesionScore: opacities are local, and the mean over the whole lung field dilutes a
//    small one; on the demo's validation split this focal score beat the plain mean, the mean over the image
//    and the mask's mean for both translators, bench/results/amd-epyc-2core/method.md), threshold picked on
//    the validation split at 90 % specificity (DetectionSpecificity: the two routes' scores live on different
//    scales, and Youden's J landed them at specificities 20 points apart, so their sensitivities could not be
//    compared), sensitivity/specificity/AUC on the test split (for the untranslated images: the evaluation
//    classifier's probability on the original, the paper's baseline);
//  - FID/KID between pooled evaluation-classifier features of translated opacity images and real
//    clear test images;
//  - on phantoms only: PSNR/SSIM to the paired truth, change outside the true opacity mask, mask IoU, the
//    share of the lesions' excess density removed (PhantomTruthScores.LesionRemoved; also per lesion kind);
//    and the ideal row (EvaluateIdeal): every opacity image's paired clear twin scored as if it were the
//    translation, so each column shows what a perfect translation scores with these evaluation models (its
//    "called opacity" is the classifier's false-positive rate on clear twins; a translator can score below it
//    by making images look clearer than clear to the classifier, which is not better removal).
// An optional panel of further evaluation classifiers ("judges", each with its own Youden threshold on the
// validation split) gives each row's called rate under every judge (MethodScores.PanelRates): one small
// judge's rate moves by about +-10 points with its recipe and seed (method.md), so the panel's spread says
// how much of a difference between rows is the translator and how much is the judge.
// An optional lesion-map judge (LesionMapJudge: a U-Net trained on the true opacity masks, scoring an image by
// its strongest lesion pixels; its own Youden threshold on the validation split) gives each row's called rate
// and its rate by lesion kind (MethodScores.LesionJudgeRate): a judge that looks at the lesion itself, so
// what it still calls after translation is lesion left behind rather than a global cue the classifiers share.
// Each image is translated once per Evaluate call (memoised by reference: the opacity test images are
// used by several measures), and the networks see at most BatchSize images at a time, so memory does not
// grow with the size of the split. The evaluation networks run where their weights are (the demo's --device
// leaves them on the device they were trained on): each batch is copied there, the scores come back.
using Opacity.Gan.Data;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Evaluation;

/// <summary>One row of the report: a method (or the untranslated images) on the test split.</summary>
/// <remarks><see cref="RateByKind"/>: the evaluation classifier's "opacity" rate per lesion kind of the test
/// opacity images (single kinds by name, "multiple" for combinations); <see cref="RateAmongDetected"/>: of the
/// opacity images it calls "opacity" before translation, the share it still calls so after (the removal rate
/// that does not count lesions the classifier never saw); <see cref="SensitivityByKind"/>: the lesion sensitivity
/// per lesion kind of the test opacity images (same names); <see cref="OpacityRateAtSensitivePoint"/>: the "opacity" rate
/// at the evaluation classifier's threshold that calls <see cref="TranslationEvaluation.SensitivePointShare"/> of the
/// original test opacity images (issue 5's operating point; the lesion kinds it cannot see make that threshold low);
/// <see cref="PanelRates"/>: the "opacity" rate under each judge of the panel, in panel order (null without a panel);
/// <see cref="RemovedByKind"/>: per lesion kind, the share of the kind's excess density over the paired truth the
/// translation took away (<see cref="PhantomTruthScores.LesionRemoved"/> pooled over the kind's images; null without truth);
/// <see cref="LesionJudgeRate"/> / <see cref="LesionJudgeRateByKind"/>: the "opacity" rate under the lesion-map judge,
/// overall and per lesion kind (NaN / null without one).</remarks>
public sealed record MethodScores(
    string Method, double OpacityRate, double LungMiou, double Sensitivity, double Specificity, double Auc,
    double Fid, double KidMean, PhantomTruthScores? Truth,
    IReadOnlyDictionary<string, double>? RateByKind = null, double RateAmongDetected = double.NaN,
    double FidExtra = double.NaN, double KidExtra = double.NaN, IReadOnlyDictionary<string, double>? SensitivityByKind = null,
    double OpacityRateAtSensitivePoint = double.NaN, IReadOnlyList<double>? PanelRates = null,
    IReadOnlyDictionary<string, double>? RemovedByKind = null, double LesionJudgeRate = double.NaN,
    IReadOnlyDictionary<string, double>? LesionJudgeRateByKind = null);

/// <summary>Maps an image in [0, 1] to its translation (and mask) in [0, 1]; identity for the untranslated row.</summary>
public delegate (float[] Image, float[]? Mask) TranslateFn(float[] image);

public sealed class TranslationEvaluation(OpacityClassifier evalClassifier, UNet segmenter, int size,
    IReadOnlyList<PhantomCase> validation, IReadOnlyList<PhantomCase> test, IFeatureExtractor? extraFeatures = null,
    IReadOnlyList<OpacityClassifier>? judges = null, LesionMapJudge? lesionJudge = null)
{
    /// <summary>A second feature extractor for FID/KID (e.g. Inception-v3), reported beside the classifier features.</summary>
    public IFeatureExtractor? ExtraFeatures => extraFeatures;

    /// <summary>The evaluation classifier's pooled deepest features, the same extractor `opacity fid-kid --features classifier` uses.</summary>
    private readonly ClassifierFeatureExtractor _classifierFeatures = new(evalClassifier, size, "evaluation classifier");

    /// <summary>Images per forward pass of the evaluation networks.</summary>
    public const int BatchSize = 16;

    /// <summary>Which validation images are opacity images (the labels every threshold is picked against).</summary>
    private readonly bool[] _validationLabels = IsOpacity(validation);

    /// <summary>The evaluation classifier's Youden threshold on the validation split (its "called opacity" operating point).</summary>
    private readonly double _classifierThreshold = YoudenOnValidation(evalClassifier, validation, size);

    /// <summary>The evaluation classifier's scores of the original test opacity images (what every row's rates are compared with).</summary>
    private readonly double[] _originalScores = Scores(evalClassifier, test.Where(c => c.Domain == Domain.Opacity).ToList(), size);

    /// <summary>Each panel judge's Youden threshold on the validation split.</summary>
    private readonly double[]? _judgeThresholds = judges?.Select(j => YoudenOnValidation(j, validation, size)).ToArray();

    /// <summary>The lesion-map judge's Youden threshold on the validation split (NaN without one).</summary>
    private readonly double _lesionThreshold = lesionJudge is null ? double.NaN
        : PickThreshold(LesionScores(lesionJudge, validation.Select(c => c.Image).ToList(), size), IsOpacity(validation));

    /// <summary>Whether a lesion-map judge scores the rows.</summary>
    public bool HasLesionJudge => lesionJudge is not null;

    private static bool[] IsOpacity(IReadOnlyList<PhantomCase> cases) => cases.Select(c => c.Domain == Domain.Opacity).ToArray();

    private static double YoudenOnValidation(OpacityClassifier model, IReadOnlyList<PhantomCase> validation, int size)
        => PickThreshold(Scores(model, validation, size), IsOpacity(validation));

    /// <summary>Judges of the panel (besides the evaluation classifier); 0 without one.</summary>
    public int PanelSize => judges?.Count ?? 0;

    /// <summary>Scores one method. With <paramref name="residualDetection"/> lesions are detected from the
    /// translation's residual |x - G(x)|; without (the untranslated row) by the evaluation classifier on the original.</summary>
    public MethodScores Evaluate(string method, TranslateFn translate, bool residualDetection = true)
    {
        var memo = new Dictionary<float[], (float[] Image, float[]? Mask)>(ReferenceEqualityComparer.Instance);
        TranslateFn once = translate;
        translate = x => memo.TryGetValue(x, out var r) ? r : memo[x] = once(x);
        var opacity = test.Where(c => c.Domain == Domain.Opacity).ToList();
        var clear = test.Where(c => c.Domain == Domain.Clear).ToList();
        var translated = opacity.Select(c => translate(c.Image)).ToList();

        // Evaluation classifier: how many translated opacity images does it still call "opacity"?
        List<float[]> translatedImages = translated.Select(t => t.Image).ToList();
        double[] p = Scores(evalClassifier, translatedImages, size);
        double opacityRate = p.Count(v => v >= _classifierThreshold) / (double)Math.Max(1, p.Length);
        int detected = 0, stillDetected = 0;
        for (int i = 0; i < p.Length; i++)
            if (_originalScores[i] >= _classifierThreshold) { detected++; if (p[i] >= _classifierThreshold) stillDetected++; }
        double rateAmongDetected = detected == 0 ? double.NaN : stillDetected / (double)detected;
        double sensitiveThreshold = SensitivePoint(_originalScores, SensitivePointShare);
        double rateAtSensitivePoint = p.Count(v => v >= sensitiveThreshold) / (double)Math.Max(1, p.Length);
        var rateByKind = ByKind(opacity, i => p[i] >= _classifierThreshold);
        double[]? panelRates = judges?.Select((j, k) => Scores(j, translatedImages, size).Count(v => v >= _judgeThresholds![k]) / (double)Math.Max(1, p.Length)).ToArray();
        double[]? q = lesionJudge is null ? null : LesionScores(lesionJudge, translatedImages, size);
        double lesionRate = q is null ? double.NaN : q.Count(v => v >= _lesionThreshold) / (double)Math.Max(1, q.Length);
        var lesionRateByKind = q is null ? null : ByKind(opacity, i => q[i] >= _lesionThreshold);

        // Lung segmentation on the translated images (kept: the residual lesion score needs the same lungs).
        var lungMemo = new Dictionary<float[], bool[]>(ReferenceEqualityComparer.Instance);
        bool[][] PredictLungsOnce(IReadOnlyList<float[]> images)
        {
            List<float[]> missing = images.Where(x => !lungMemo.ContainsKey(x)).Distinct<float[]>(ReferenceEqualityComparer.Instance).ToList();
            bool[][] predicted = PredictLungs(missing);
            for (int i = 0; i < missing.Count; i++) lungMemo[missing[i]] = predicted[i];
            return images.Select(x => lungMemo[x]).ToArray();
        }
        bool[][] lungs = PredictLungsOnce(translatedImages);
        double miou = SegmentationMetrics.Evaluate(lungs, opacity.Select(c => c.LungMask).ToList()).MeanForegroundIou;

        // Lesion detection (from the residual |x - G(x)| inside the predicted lungs, or by the classifier), threshold from validation.
        double[] ResidualScores(IReadOnlyList<PhantomCase> cases)
        {
            var outs = cases.Select(c => translate(c.Image).Image).ToList();
            bool[][] l = PredictLungsOnce(outs);
            return cases.Select((c, i) => LesionScore(c.Image, outs[i], l[i])).ToArray();
        }
        double[] ClassifierScores(IReadOnlyList<PhantomCase> cases) => Scores(evalClassifier, cases, size);
        Func<IReadOnlyList<PhantomCase>, double[]> score = residualDetection ? ResidualScores : ClassifierScores;
        double[] valScores = score(validation);
        double detectionThreshold = ThresholdAtSpecificity(valScores, _validationLabels, DetectionSpecificity);
        var testCases = opacity.Concat(clear).ToList();
        double[] testScores = score(testCases);
        bool[] labels = IsOpacity(testCases);
        var confusion = DetectionMetrics.Confusion(testScores, labels, detectionThreshold);
        double auc = DetectionMetrics.RocAuc(testScores, labels);
        var sensitivityByKind = ByKind(opacity, i => testScores[i] >= detectionThreshold);   // testCases starts with the opacity images

        // FID / KID on pooled evaluation-classifier features (d = channels of its deepest map), and on the extra extractor's.
        var (fid, kid) = FidKid(_classifierFeatures, clear, translated);
        var (fidExtra, kidExtra) = extraFeatures is null ? (double.NaN, double.NaN) : FidKid(extraFeatures, clear, translated);

        PhantomTruthScores? truth = null;
        Dictionary<string, double>? removedByKind = null;
        if (opacity.All(c => c.PairedClear is not null))
        {
            var report = PhantomTruthMetrics.Evaluate(opacity.Select((c, i) => new PhantomTruthInput(c.Image, translated[i].Image, c.PairedClear!, c.OpacityMask, translated[i].Mask)).ToList(), size, size);
            truth = report.Mean;
            removedByKind = RemovedByKind(opacity, report.PerImage);
        }

        return new MethodScores(method, opacityRate, miou, confusion.Sensitivity, confusion.Specificity, auc, fid, kid, truth, rateByKind, rateAmongDetected,
            fidExtra, kidExtra, sensitivityByKind, rateAtSensitivePoint, panelRates, removedByKind, lesionRate, lesionRateByKind);
    }

    /// <summary>The share of original test opacity images the second operating point calls "opacity" (issue 5's bar).</summary>
    public const double SensitivePointShare = 0.9;

    /// <summary>The highest threshold at which at least <paramref name="share"/> of <paramref name="scores"/> are at or above it.</summary>
    public static double SensitivePoint(double[] scores, double share)
    {
        if (scores.Length == 0) return double.NaN;
        double[] sorted = [.. scores.OrderDescending()];
        int k = Math.Clamp((int)Math.Ceiling(share * sorted.Length), 1, sorted.Length);
        return sorted[k - 1];
    }

    /// <summary>The name of the ideal row in reports and metrics.json.</summary>
    public const string IdealMethod = "paired truth (ideal translation)";

    /// <summary>Scores the ideal translation: each opacity image of the validation and test splits replaced by its
    /// paired clear truth, clear images left as they are (their ideal translation is themselves). Null when any of
    /// those opacity images has no paired truth (real data). The phantom-truth scores of this row are trivial
    /// (PSNR infinite, error 0) and reports leave them out.</summary>
    public MethodScores? EvaluateIdeal(string method = IdealMethod)
    {
        var twins = new Dictionary<float[], float[]>(ReferenceEqualityComparer.Instance);
        foreach (PhantomCase c in validation.Concat(test).Where(c => c.Domain == Domain.Opacity))
        {
            if (c.PairedClear is null) return null;
            twins[c.Image] = c.PairedClear;
        }
        return Evaluate(method, x => (twins.TryGetValue(x, out float[]? truth) ? truth : x, null));
    }

    /// <summary>Per lesion kind (<see cref="KindName"/>), the share of <paramref name="opacity"/> images for which <paramref name="flagged"/>(index) holds.</summary>
    private static Dictionary<string, double> ByKind(List<PhantomCase> opacity, Func<int, bool> flagged)
        => opacity.Select((c, i) => (Kind: KindName(c.Labels), Flagged: flagged(i)))
            .GroupBy(t => t.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(t => t.Flagged) / (double)g.Count());

    /// <summary>Per lesion kind (<see cref="KindName"/>), the share of the kind's excess density over the paired truth
    /// that was removed, pooled over its images (images without excess count for nothing; a kind with none is NaN).</summary>
    private static Dictionary<string, double> RemovedByKind(List<PhantomCase> opacity, IReadOnlyList<PhantomTruthScores> perImage)
        => opacity.Select((c, i) => (Kind: KindName(c.Labels), Score: perImage[i]))
            .Where(t => double.IsFinite(t.Score.ExcessInsideMask))
            .GroupBy(t => t.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => PhantomTruthMetrics.ShareRemoved(g.Sum(t => t.Score.ExcessInsideMask), g.Sum(t => t.Score.ExcessLeftInsideMask)));

    /// <summary>A lesion kind's report name: the single kind ("nodule", "ggo", ...) or "multiple".</summary>
    public static string KindName(OpacityKinds kinds)
    {
        string name = PhantomCase.FormatLabels(kinds);
        return name.Contains(';', StringComparison.Ordinal) ? "multiple" : name;
    }

    /// <summary>The share of the largest residual pixels inside the lung field that the lesion score averages.</summary>
    public const double LesionScoreFraction = 0.02;

    /// <summary>The lesion score of one image: the mean of the largest <paramref name="fraction"/> of |x - g| over the
    /// pixels of <paramref name="region"/> (at least one pixel); 0 for an empty region.</summary>
    public static double LesionScore(ReadOnlySpan<float> x, ReadOnlySpan<float> g, ReadOnlySpan<bool> region, double fraction = LesionScoreFraction)
    {
        var residual = new List<float>();
        for (int i = 0; i < x.Length; i++) if (region[i]) residual.Add(Math.Abs(x[i] - g[i]));
        if (residual.Count == 0) return 0;
        residual.Sort();
        int k = Math.Max(1, (int)(residual.Count * fraction));
        double s = 0;
        for (int i = residual.Count - k; i < residual.Count; i++) s += residual[i];
        return s / k;
    }

    private bool[][] PredictLungs(IReadOnlyList<float[]> images) => Batched(images, chunk =>
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return Training.SegmenterTrainer.Predict(segmenter, ImageTensors.FromImages(chunk, size));
    });

    /// <summary>Runs <paramref name="run"/> on chunks of at most <see cref="BatchSize"/> images and concatenates the per-image results.</summary>
    private static T[] Batched<T>(IReadOnlyList<float[]> images, Func<IReadOnlyList<float[]>, T[]> run)
    {
        var result = new List<T>(images.Count);
        for (int first = 0; first < images.Count; first += BatchSize)
            result.AddRange(run(images.Skip(first).Take(BatchSize).ToList()));
        return [.. result];
    }

    private static double[] Scores(OpacityClassifier model, IReadOnlyList<PhantomCase> cases, int size)
        => Scores(model, cases.Select(c => c.Image).ToList(), size);

    private static double[] Scores(OpacityClassifier model, IReadOnlyList<float[]> images, int size) => Batched(images, chunk =>
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return F.Sigmoid(model.Classify(Training.TrainingDevice.OnDeviceOf(model, ImageTensors.FromImages(chunk, size))).Logit).ToArrayF64();
    });

    private static double[] LesionScores(LesionMapJudge judge, IReadOnlyList<float[]> images, int size) => Batched(images, chunk =>
    {
        using var scope = TensorScope.Begin();
        return judge.Scores(ImageTensors.FromImages(chunk, size));
    });

    /// <summary>FID and KID mean of the translated opacity images against the real clear test images, on one
    /// extractor's features; the real side is computed once per extractor and reused for every method row.</summary>
    private (double Fid, double Kid) FidKid(IFeatureExtractor extractor, List<PhantomCase> clear, List<(float[] Image, float[]? Mask)> translated)
    {
        if (!_realFeatures.TryGetValue(extractor, out double[]? real))
            _realFeatures[extractor] = real = FeatureRows(extractor, clear.Select(c => c.Image).ToList());
        double[] fake = FeatureRows(extractor, translated.Select(t => t.Image).ToList());
        int d = extractor.Dimension;
        double fid = Fid.Compute(real, clear.Count, fake, translated.Count, d).Fid;
        double kid = Kid.Compute(real, clear.Count, fake, translated.Count, d, subsets: 100, subsetSize: Math.Min(clear.Count, translated.Count)).Mean;
        return (fid, kid);
    }

    private readonly Dictionary<IFeatureExtractor, double[]> _realFeatures = new(ReferenceEqualityComparer.Instance);

    /// <summary>Features of <paramref name="extractor"/>, row-major (N, d); images resized to its input size when it has one.</summary>
    private double[] FeatureRows(IFeatureExtractor extractor, IReadOnlyList<float[]> images)
    {
        int d = extractor.Dimension;
        double[][] rows = Batched(images, chunk =>
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            Tensor x = ImageTensors.FromImages(chunk, size);
            if (extractor.ImageSize > 0 && extractor.ImageSize != size) x = F.UpsampleBilinear(x, extractor.ImageSize, extractor.ImageSize);
            double[] f = extractor.Extract(x).ToArrayF64();
            return Enumerable.Range(0, chunk.Count).Select(i => f.AsSpan(i * d, d).ToArray()).ToArray();
        });
        return [.. rows.SelectMany(r => r)];
    }

    /// <summary>The validation specificity at which lesion-detection thresholds are set (both routes alike).</summary>
    public const double DetectionSpecificity = 0.9;

    /// <summary>The lowest threshold (scores at or above it are positive) at which at least <paramref name="specificity"/>
    /// of the negatives score below it: just above the ceil(specificity * negatives)-th smallest negative score.</summary>
    public static double ThresholdAtSpecificity(double[] scores, bool[] positive, double specificity)
    {
        double[] negatives = [.. scores.Where((_, i) => !positive[i]).Order()];
        if (negatives.Length == 0) return double.NegativeInfinity;
        int k = Math.Clamp((int)Math.Ceiling(specificity * negatives.Length), 1, negatives.Length);
        return Math.BitIncrement(negatives[k - 1]);
    }

    /// <summary>The threshold that maximises Youden's J (sensitivity + specificity - 1) on labelled scores.</summary>
    public static double PickThreshold(double[] scores, bool[] positive)
    {
        double best = 0.5, bestJ = double.NegativeInfinity;
        foreach (double t in scores.Distinct().Order())
        {
            var c = DetectionMetrics.Confusion(scores, positive, t);
            double j = (double.IsNaN(c.Sensitivity) ? 0 : c.Sensitivity) + (double.IsNaN(c.Specificity) ? 0 : c.Specificity) - 1;
            if (j > bestJ) { bestJ = j; best = t; }
        }
        return best;
    }
}
