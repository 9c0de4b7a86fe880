// Image-level lesion detection metrics from scores (opacity probability, or a residual/mask statistic)
// and binary labels (true = opacity present).
//   Confusion at a threshold: predicted positive when score >= threshold (0.5 default, METHOD.md).
//   Sensitivity TP/(TP+FN), specificity TN/(TN+FP), accuracy (TP+TN)/N; NaN when the denominator is 0.
//   ROC AUC by the Mann-Whitney statistic: the fraction of (positive, negative) pairs where the positive
//   scores higher, ties counted one half; equal to the trapezoidal ROC area (sklearn roc_auc_score).
//   Computed from mid-ranks in O(N log N). NaN when either class is absent.
//   Wilson score interval for sensitivity (95% by default), as scipy's binomtest(k, n).proportion_ci(method="wilson").
//   Percentile bootstrap interval for the AUC (stratified: positives and negatives resampled separately, seeded).
// Tested by DetectionMetricsTests against scipy.stats.mannwhitneyu and binomtest vectors (make_vectors.py).
namespace Opacity.Gan.Metrics;

/// <summary>Counts of a binary decision at one threshold.</summary>
public readonly record struct ConfusionCounts(int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public int Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;
    /// <summary><c>TP / (TP + FN)</c>; NaN without positives.</summary>
    public double Sensitivity => Ratio(TruePositives, TruePositives + FalseNegatives);
    /// <summary><c>TN / (TN + FP)</c>; NaN without negatives.</summary>
    public double Specificity => Ratio(TrueNegatives, TrueNegatives + FalsePositives);
    /// <summary><c>(TP + TN) / N</c>; NaN when empty.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Total);
    private static double Ratio(int a, int b) => b == 0 ? double.NaN : (double)a / b;
}

/// <summary>All detection numbers for one score set. <see cref="SensitivityLower"/>/<see cref="SensitivityUpper"/>
/// are the Wilson interval at <see cref="Confidence"/>.</summary>
public sealed record DetectionReport(
    double Threshold, ConfusionCounts Counts, double Sensitivity, double Specificity, double Accuracy,
    double Auc, double SensitivityLower, double SensitivityUpper, double Confidence);

public static class DetectionMetrics
{
    public const double DefaultThreshold = 0.5;
    public const double DefaultConfidence = 0.95;

    /// <summary>Confusion counts with positive prediction when <c>score &gt;= threshold</c>.</summary>
    public static ConfusionCounts Confusion(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold = DefaultThreshold)
    {
        MetricsException.SameLength(scores.Length, labels.Length, "Detection: scores and labels");
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            bool predicted = scores[i] >= threshold;
            if (labels[i]) { if (predicted) tp++; else fn++; }
            else { if (predicted) fp++; else tn++; }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /// <summary>ROC AUC <c>= (R+ - n+(n+ + 1)/2) / (n+ n-)</c> where <c>R+</c> is the sum of the positives'
    /// mid-ranks (ties share the average rank, i.e. count one half). NaN if a class is absent.</summary>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        MetricsException.SameLength(scores.Length, labels.Length, "ROC AUC: scores and labels");
        int n = scores.Length;
        for (int i = 0; i < n; i++)
            if (double.IsNaN(scores[i])) throw new MetricsException($"ROC AUC: score {i} is NaN.");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double rankSumPositive = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double midRank = 0.5 * (start + 1 + end); // ranks start+1 .. end, averaged
            for (int k = start; k < end; k++)
                if (labels[order[k]]) { rankSumPositive += midRank; positives++; }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        double u = rankSumPositive - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }

    /// <summary>Wilson score interval for a binomial proportion <c>k/n</c> at the given two-sided confidence.
    /// Returns (NaN, NaN) when <c>n = 0</c>.</summary>
    public static (double Lower, double Upper) WilsonInterval(int successes, int trials, double confidence = DefaultConfidence)
    {
        if (successes < 0 || trials < 0 || successes > trials)
            throw new MetricsException($"Wilson interval: {successes} successes out of {trials} trials is not a proportion.");
        if (!(confidence > 0 && confidence < 1))
            throw new MetricsException($"Wilson interval: confidence {confidence} is not in (0, 1).");
        if (trials == 0) return (double.NaN, double.NaN);
        double z = NormalQuantile(0.5 + confidence / 2);
        double p = (double)successes / trials, z2 = z * z, denom = 1 + z2 / trials;
        double center = (p + z2 / (2 * trials)) / denom;
        double half = z / denom * Math.Sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials));
        return (Math.Max(0, center - half), Math.Min(1, center + half));
    }

    /// <summary>Percentile bootstrap interval of <see cref="RocAuc"/>: <paramref name="resamples"/> stratified
    /// resamples (positives and negatives drawn with replacement within their class, so every resample has both),
    /// seeded so that a report is reproducible. (NaN, NaN) when a class is absent.</summary>
    public static (double Lower, double Upper) BootstrapAucInterval(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels,
        int resamples = 1000, double confidence = DefaultConfidence, int seed = 0)
    {
        MetricsException.SameLength(scores.Length, labels.Length, "Bootstrap AUC: scores and labels");
        if (resamples < 1) throw new MetricsException($"Bootstrap AUC: {resamples} resamples; at least 1 is needed.");
        if (!(confidence > 0 && confidence < 1)) throw new MetricsException($"Bootstrap AUC: confidence {confidence} is not in (0, 1).");
        var pos = new List<double>();
        var neg = new List<double>();
        for (int i = 0; i < scores.Length; i++) (labels[i] ? pos : neg).Add(scores[i]);
        if (pos.Count == 0 || neg.Count == 0) return (double.NaN, double.NaN);
        var rng = new Random(seed);
        int n = pos.Count + neg.Count;
        var s = new double[n];
        var l = new bool[n];
        for (int i = 0; i < pos.Count; i++) l[i] = true;
        var aucs = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < pos.Count; i++) s[i] = pos[rng.Next(pos.Count)];
            for (int i = 0; i < neg.Count; i++) s[pos.Count + i] = neg[rng.Next(neg.Count)];
            aucs[b] = RocAuc(s, l);
        }
        Array.Sort(aucs);
        double alpha = (1 - confidence) / 2;
        return (Quantile(aucs, alpha), Quantile(aucs, 1 - alpha));
    }

    // Linear interpolation between order statistics (numpy's default "linear" quantile).
    private static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Everything at once: counts at <paramref name="threshold"/>, rates, AUC and the Wilson interval for sensitivity.</summary>
    public static DetectionReport Evaluate(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels,
        double threshold = DefaultThreshold, double confidence = DefaultConfidence)
    {
        if (scores.Length == 0) throw new MetricsException("Detection evaluation: no scores were given.");
        var c = Confusion(scores, labels, threshold);
        var (lo, hi) = WilsonInterval(c.TruePositives, c.TruePositives + c.FalseNegatives, confidence);
        return new DetectionReport(threshold, c, c.Sensitivity, c.Specificity, c.Accuracy, RocAuc(scores, labels), lo, hi, confidence);
    }

    /// <summary>Inverse standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9,
    /// refined by one Halley step on erfc so the result is accurate to double precision for our use).</summary>
    internal static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new MetricsException($"Normal quantile: probability {p} is not in (0, 1).");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p > 1 - 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else
        {
            double q = p - 0.5, r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        // Halley refinement: e = Phi(x) - p with Phi(x) = erfc(-x/sqrt2)/2.
        double e = 0.5 * Erfc(-x / Math.Sqrt(2)) - p;
        double u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    // Complementary error function: Taylor series of erf below 3 (terms stay under ~3e3, so absolute
    // error ~1e-13), the Lentz-evaluated continued fraction above. Only used to refine NormalQuantile.
    private static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 3)
        {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x, x2 = x * x;
            for (int n = 0; n < 200; n++)
            {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
                term *= -x2 / (n + 1);
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated by modified Lentz.
        double f = x, cc = x, dd = 0;
        for (int k = 1; k < 300; k++)
        {
            double ak = k / 2.0;
            dd = x + ak * dd; dd = 1 / dd;
            cc = x + ak / cc;
            double delta = cc * dd;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
