// Metrics only synthetic phantoms allow: each opacity image x has its paired clear truth t (same patient,
// same noise) and the true opacity mask O, so a translation y = G(x) can be scored directly.
// Per image:
//   PsnrToTruth, SsimToTruth       y vs t (ImageQuality conventions); InputPsnr/InputSsim: x vs t, the baseline
//   ChangeOutsideMask              mean |y - x| over pixels outside O: the "anatomy kept" number (issue bar < 0.02)
//   ResidualInsideMask             mean |y - x| inside O: how much the translation changed the opacity
//   TrueResidualInsideMask         mean |t - x| inside O: how much it should have changed
//   ErrorInsideMask                mean |y - t| inside O: what is left of the opacity
//   ExcessInsideMask               sum of max(x - t, 0) inside O: the lesion's excess density over its truth
//   ExcessLeftInsideMask           sum of max(y - t, 0) inside O: what the translation left of that excess
//   LesionRemoved                  1 - ExcessLeft / Excess: the share of the lesion's excess taken away. On the
//                                  means (averaged sums) it is the share pooled over all images, so a faint
//                                  lesion weighs as little as it carries; darkening below the truth is not
//                                  credited (ErrorInsideMask sees it). NaN when there is no excess.
//   MaskIou                        IoU of the predicted AASPM mask (p >= 0.5) vs O; NaN without a predicted mask
// Inside-mask values are NaN when O is empty; outside values are NaN when O covers the image. Means skip NaN
// (a mean over no values is NaN); PSNR can be +Infinity for an identical pair and then so is its mean.
// Tested by PhantomTruthMetricsTests (hand-built cases with known answers).
namespace Opacity.Gan.Metrics;

/// <summary>One translated phantom with what it is scored against. <see cref="PredictedMask"/> may be null.</summary>
public sealed record PhantomTruthInput(float[] Input, float[] Translated, float[] Truth, bool[] OpacityMask, float[]? PredictedMask);

/// <summary>Scores of one image (see <see cref="PhantomTruthMetrics"/>); also used for the means.</summary>
public sealed record PhantomTruthScores(
    double PsnrToTruth, double SsimToTruth, double InputPsnr, double InputSsim,
    double ChangeOutsideMask, double ResidualInsideMask, double TrueResidualInsideMask, double ErrorInsideMask, double MaskIou,
    double ExcessInsideMask, double ExcessLeftInsideMask)
{
    /// <summary>The share of the lesion's excess density over its truth that the translation took away (see the file header).</summary>
    public double LesionRemoved => PhantomTruthMetrics.ShareRemoved(ExcessInsideMask, ExcessLeftInsideMask);
}

public sealed record PhantomTruthReport(IReadOnlyList<PhantomTruthScores> PerImage, PhantomTruthScores Mean)
{
    /// <summary>True when the mean change outside the true opacity is below <paramref name="bar"/> (issue: 2%).</summary>
    public bool KeepsAnatomy(double bar = PhantomTruthMetrics.AnatomyBar) => Mean.ChangeOutsideMask < bar;
}

public static class PhantomTruthMetrics
{
    /// <summary>The bar for "anatomy kept": mean absolute change outside the opacity below 2% of the range.</summary>
    public const double AnatomyBar = 0.02;

    /// <summary>1 - left / excess: the share of an excess density taken away; NaN without excess.</summary>
    public static double ShareRemoved(double excess, double left) => excess > 0 ? 1 - left / excess : double.NaN;

    public static PhantomTruthScores Score(PhantomTruthInput c, int width, int height)
    {
        int n = c.Input.Length;
        MetricsException.Size(n, width, height, "Phantom truth metrics (input image)");
        MetricsException.SameLength(n, c.Translated.Length, "Phantom truth metrics: input and translated image");
        MetricsException.SameLength(n, c.Truth.Length, "Phantom truth metrics: input and truth image");
        MetricsException.SameLength(n, c.OpacityMask.Length, "Phantom truth metrics: input and opacity mask");
        if (c.PredictedMask != null) MetricsException.SameLength(n, c.PredictedMask.Length, "Phantom truth metrics: input and predicted mask");
        double outside = 0, resIn = 0, trueIn = 0, errIn = 0, excess = 0, excessLeft = 0;
        long nIn = 0;
        for (int i = 0; i < n; i++)
        {
            double x = c.Input[i], y = c.Translated[i], t = c.Truth[i];
            if (c.OpacityMask[i])
            {
                nIn++; resIn += Math.Abs(y - x); trueIn += Math.Abs(t - x); errIn += Math.Abs(y - t);
                excess += Math.Max(x - t, 0); excessLeft += Math.Max(y - t, 0);
            }
            else outside += Math.Abs(y - x);
        }
        long nOut = n - nIn;
        double Avg(double s, long k) => k == 0 ? double.NaN : s / k;
        double iou = c.PredictedMask == null ? double.NaN : SegmentationMetrics.Iou(SegmentationMetrics.Threshold(c.PredictedMask), c.OpacityMask);
        return new PhantomTruthScores(
            ImageQuality.Psnr(c.Translated, c.Truth), ImageQuality.Ssim(c.Translated, c.Truth, width, height),
            ImageQuality.Psnr(c.Input, c.Truth), ImageQuality.Ssim(c.Input, c.Truth, width, height),
            Avg(outside, nOut), Avg(resIn, nIn), Avg(trueIn, nIn), Avg(errIn, nIn), iou,
            nIn == 0 ? double.NaN : excess, nIn == 0 ? double.NaN : excessLeft);
    }

    public static PhantomTruthReport Evaluate(IReadOnlyList<PhantomTruthInput> cases, int width, int height)
    {
        if (cases.Count == 0) throw new MetricsException("Phantom truth evaluation: no images were given.");
        var per = cases.Select(c => Score(c, width, height)).ToArray();
        double M(Func<PhantomTruthScores, double> f)
        {
            double s = 0; int k = 0;
            foreach (var p in per) { double v = f(p); if (!double.IsNaN(v)) { s += v; k++; } }
            return k == 0 ? double.NaN : s / k;
        }
        var mean = new PhantomTruthScores(M(p => p.PsnrToTruth), M(p => p.SsimToTruth), M(p => p.InputPsnr), M(p => p.InputSsim),
            M(p => p.ChangeOutsideMask), M(p => p.ResidualInsideMask), M(p => p.TrueResidualInsideMask), M(p => p.ErrorInsideMask), M(p => p.MaskIou),
            M(p => p.ExcessInsideMask), M(p => p.ExcessLeftInsideMask));
        return new PhantomTruthReport(per, mean);
    }
}
