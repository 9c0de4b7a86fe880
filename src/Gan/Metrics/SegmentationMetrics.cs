// Segmentation overlap metrics on boolean masks (or probabilities thresholded at p >= 0.5): IoU, Dice, and
// the two meanings of "mIoU" that papers use, under names that say which:
//   MeanForegroundIou   IoU of the lung (foreground) class per image, averaged over images (METHOD.md default)
//   MeanClassIou        per image the mean of IoU(background) and IoU(lung), averaged over images
// Empty-mask conventions: both masks empty -> IoU = Dice = 1 (nothing to find, nothing found: perfect);
// exactly one empty -> 0 (the union is non-empty, the intersection is empty). sklearn's jaccard_score
// returns 0 with a warning for both-empty; we take 1 so that a clear image scored for opacity is not
// penalised for correctly predicting nothing.
// Tested by SegmentationMetricsTests against fixture vectors from tests/fixtures/metrics/make_vectors.py.
namespace Opacity.Gan.Metrics;

/// <summary>Per-image and mean segmentation scores. See <see cref="SegmentationMetrics"/> for the definitions.</summary>
public sealed record SegmentationReport(
    IReadOnlyList<double> ForegroundIou,
    IReadOnlyList<double> BackgroundIou,
    IReadOnlyList<double> Dice,
    double MeanForegroundIou,
    double MeanClassIou,
    double MeanDice);

public static class SegmentationMetrics
{
    /// <summary>Default probability threshold: a pixel is foreground when <c>p &gt;= 0.5</c>.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary><c>|P ∩ T| / |P ∪ T|</c>; 1 when both masks are empty.</summary>
    public static double Iou(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        var (inter, union, _, _) = Count(predicted, truth, invert: false);
        return union == 0 ? 1.0 : (double)inter / union;
    }

    /// <summary><c>2|P ∩ T| / (|P| + |T|)</c>; 1 when both masks are empty.</summary>
    public static double Dice(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        var (inter, _, p, t) = Count(predicted, truth, invert: false);
        return p + t == 0 ? 1.0 : 2.0 * inter / (p + t);
    }

    /// <summary>IoU of the background class (both masks complemented); 1 when both masks are all foreground.</summary>
    public static double BackgroundIou(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        var (inter, union, _, _) = Count(predicted, truth, invert: true);
        return union == 0 ? 1.0 : (double)inter / union;
    }

    /// <summary>Mask of <c>p &gt;= threshold</c>. NaN is background.</summary>
    public static bool[] Threshold(ReadOnlySpan<float> probabilities, float threshold = DefaultThreshold)
    {
        var m = new bool[probabilities.Length];
        for (int i = 0; i < m.Length; i++) m[i] = probabilities[i] >= threshold;
        return m;
    }

    /// <summary>Scores every (predicted, truth) pair and averages over images.</summary>
    public static SegmentationReport Evaluate(IReadOnlyList<bool[]> predicted, IReadOnlyList<bool[]> truth)
    {
        MetricsException.SameLength(predicted.Count, truth.Count, "Segmentation evaluation: number of predicted and true masks");
        if (predicted.Count == 0) throw new MetricsException("Segmentation evaluation: no masks were given.");
        int n = predicted.Count;
        var fg = new double[n];
        var bg = new double[n];
        var dice = new double[n];
        for (int i = 0; i < n; i++)
        {
            fg[i] = Iou(predicted[i], truth[i]);
            bg[i] = BackgroundIou(predicted[i], truth[i]);
            dice[i] = Dice(predicted[i], truth[i]);
        }
        double classMean = 0;
        for (int i = 0; i < n; i++) classMean += 0.5 * (fg[i] + bg[i]);
        return new SegmentationReport(fg, bg, dice, fg.Average(), classMean / n, dice.Average());
    }

    /// <summary>Thresholds each probability map at <paramref name="threshold"/>, then <see cref="Evaluate(IReadOnlyList{bool[]}, IReadOnlyList{bool[]})"/>.</summary>
    public static SegmentationReport Evaluate(IReadOnlyList<float[]> probabilities, IReadOnlyList<bool[]> truth, float threshold = DefaultThreshold)
        => Evaluate(probabilities.Select(p => Threshold(p, threshold)).ToArray(), truth);

    private static (long Inter, long Union, long P, long T) Count(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth, bool invert)
    {
        MetricsException.SameLength(predicted.Length, truth.Length, "Mask overlap");
        long inter = 0, union = 0, p = 0, t = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            bool a = predicted[i] ^ invert, b = truth[i] ^ invert;
            if (a && b) inter++;
            if (a || b) union++;
            if (a) p++;
            if (b) t++;
        }
        return (inter, union, p, t);
    }
}
