// Validation metrics of the trainers, on plain arrays: accuracy, sensitivity, specificity at a threshold
// and ROC AUC (Mann-Whitney, ties counted half) for the classifier; foreground IoU and Dice per image,
// averaged over images (METHOD.md's default mIoU), for the segmenter. Tested by MetricsTests.
namespace Opacity.Gan.Training;

public sealed record ClassifierMetrics(int Count, double Loss, double Accuracy, double Auc, double Sensitivity, double Specificity);

public sealed record SegmenterMetrics(int Count, double Loss, double MeanIoU, double MeanDice);

public static class TrainingMetrics
{
    /// <summary>ROC AUC of scores against binary labels: P(score of a positive > score of a negative), ties 1/2.</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var rank = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
            for (int k = i; k <= j; k++) rank[order[k]] = (i + j) / 2.0 + 1;   // average rank of the tie group
            i = j + 1;
        }
        long pos = positive.Count(p => p), neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++) if (positive[i]) sum += rank[i];
        return (sum - pos * (pos + 1) / 2.0) / (pos * (double)neg);
    }

    public static (double Accuracy, double Sensitivity, double Specificity) Threshold(IReadOnlyList<double> probabilities, IReadOnlyList<bool> positive, double threshold = 0.5)
    {
        int tp = 0, tn = 0, p = 0, n = 0;
        for (int i = 0; i < probabilities.Count; i++)
        {
            bool predicted = probabilities[i] >= threshold;
            if (positive[i]) { p++; if (predicted) tp++; }
            else { n++; if (!predicted) tn++; }
        }
        return ((tp + tn) / (double)Math.Max(1, p + n), p == 0 ? double.NaN : tp / (double)p, n == 0 ? double.NaN : tn / (double)n);
    }

    /// <summary>Foreground IoU and Dice of one predicted mask; both 1 when prediction and truth are empty.</summary>
    public static (double IoU, double Dice) Overlap(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth)
    {
        int inter = 0, a = 0, b = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (predicted[i]) a++;
            if (truth[i]) b++;
            if (predicted[i] && truth[i]) inter++;
        }
        int union = a + b - inter;
        return union == 0 ? (1, 1) : (inter / (double)union, 2.0 * inter / (a + b));
    }
}
