// Phantom-truth metrics on hand-built 16x16 cases whose answers follow from the definitions.
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Tests.Metrics;

public sealed class PhantomTruthMetricsTests
{
    private const int N = 16;

    // Truth: a horizontal ramp. Input: truth + 0.3 inside a 4x4 square at (4..7, 4..7) (the "opacity").
    private static (float[] Truth, float[] Input, bool[] Mask) Case()
    {
        var t = new float[N * N];
        var x = new float[N * N];
        var m = new bool[N * N];
        for (int r = 0; r < N; r++)
            for (int c = 0; c < N; c++)
            {
                int i = r * N + c;
                t[i] = 0.2f + 0.5f * c / N;
                m[i] = r is >= 4 and < 8 && c is >= 4 and < 8;
                x[i] = t[i] + (m[i] ? 0.3f : 0f);
            }
        return (t, x, m);
    }

    [Test]
    public void Perfect_translation_removes_the_opacity_and_keeps_the_rest()
    {
        var (t, x, m) = Case();
        var pred = m.Select(b => b ? 0.9f : 0.1f).ToArray();
        var s = PhantomTruthMetrics.Score(new PhantomTruthInput(x, t, t, m, pred), N, N);
        Assert.Multiple(() =>
        {
            Assert.That(s.PsnrToTruth, Is.EqualTo(double.PositiveInfinity));
            Assert.That(s.SsimToTruth, Is.EqualTo(1.0).Within(1e-12));
            Assert.That(s.ChangeOutsideMask, Is.Zero);
            Assert.That(s.ResidualInsideMask, Is.EqualTo(0.3).Within(1e-6));
            Assert.That(s.TrueResidualInsideMask, Is.EqualTo(0.3).Within(1e-6));
            Assert.That(s.ErrorInsideMask, Is.Zero);
            Assert.That(s.MaskIou, Is.EqualTo(1.0));
            // input vs truth: MSE = 16 * 0.09 / 256
            Assert.That(s.InputPsnr, Is.EqualTo(10 * Math.Log10(256 / (16 * 0.09))).Within(1e-4));
            Assert.That(s.InputSsim, Is.LessThan(1.0));
        });
    }

    [Test]
    public void Identity_translation_keeps_anatomy_but_leaves_the_opacity()
    {
        var (t, x, m) = Case();
        var s = PhantomTruthMetrics.Score(new PhantomTruthInput(x, x, t, m, null), N, N);
        Assert.That(s.ChangeOutsideMask, Is.Zero);
        Assert.That(s.ResidualInsideMask, Is.Zero);
        Assert.That(s.ErrorInsideMask, Is.EqualTo(0.3).Within(1e-6));
        Assert.That(s.PsnrToTruth, Is.EqualTo(s.InputPsnr));
        Assert.That(s.MaskIou, Is.NaN);
    }

    [Test]
    public void Global_shift_is_seen_outside_the_mask_and_fails_the_bar()
    {
        var (t, x, m) = Case();
        var y = t.Select(v => v + 0.05f).ToArray();
        var half = m.Select((b, i) => b && i % 2 == 0 ? 1f : 0f).ToArray(); // predicts 8 of 16 mask pixels
        var r = PhantomTruthMetrics.Evaluate([new PhantomTruthInput(x, y, t, m, half), new PhantomTruthInput(x, t, t, m, null)], N, N);
        Assert.That(r.PerImage[0].ChangeOutsideMask, Is.EqualTo(0.05).Within(1e-6));
        Assert.That(r.PerImage[0].MaskIou, Is.EqualTo(0.5));
        Assert.That(r.Mean.ChangeOutsideMask, Is.EqualTo(0.025).Within(1e-6));
        Assert.That(r.Mean.MaskIou, Is.EqualTo(0.5), "NaN (no predicted mask) is skipped in the mean");
        Assert.That(r.KeepsAnatomy(), Is.False);
        Assert.That(r.KeepsAnatomy(bar: 0.03), Is.True);
    }

    [Test]
    public void Lesion_removed_is_the_share_of_the_excess_over_the_truth_taken_away()
    {
        var (t, x, m) = Case();
        // Half the lesion back: 0.15 of the 0.3 excess left on each of the 16 mask pixels.
        var half = t.Select((v, i) => m[i] ? v + 0.15f : v).ToArray();
        // Darker than the truth inside the mask: all excess gone (not credited beyond), the error inside sees it.
        var dark = t.Select((v, i) => m[i] ? v - 0.1f : v).ToArray();
        var r = PhantomTruthMetrics.Evaluate([new PhantomTruthInput(x, x, t, m, null), new PhantomTruthInput(x, half, t, m, null),
            new PhantomTruthInput(x, dark, t, m, null)], N, N);
        Assert.Multiple(() =>
        {
            Assert.That(r.PerImage[0].ExcessInsideMask, Is.EqualTo(16 * 0.3).Within(1e-5));
            Assert.That(r.PerImage[0].LesionRemoved, Is.Zero, "identity removes nothing");
            Assert.That(r.PerImage[1].ExcessLeftInsideMask, Is.EqualTo(16 * 0.15).Within(1e-5));
            Assert.That(r.PerImage[1].LesionRemoved, Is.EqualTo(0.5).Within(1e-6));
            Assert.That(r.PerImage[2].LesionRemoved, Is.EqualTo(1.0));
            Assert.That(r.PerImage[2].ErrorInsideMask, Is.EqualTo(0.1).Within(1e-6));
            // The mean pools the sums: (0 + 0.5 + 1) of equal excess = 0.5.
            Assert.That(r.Mean.LesionRemoved, Is.EqualTo(0.5).Within(1e-6));
        });
    }

    [Test]
    public void Pooled_lesion_removed_weighs_each_image_by_its_excess()
    {
        var (t, x, m) = Case();
        // A second, fainter lesion (excess 0.1 per pixel) removed entirely; the strong one (0.3) not at all.
        var faint = t.Select((v, i) => m[i] ? v + 0.1f : v).ToArray();
        var r = PhantomTruthMetrics.Evaluate([new PhantomTruthInput(x, x, t, m, null), new PhantomTruthInput(faint, t, t, m, null)], N, N);
        Assert.That(r.PerImage[1].LesionRemoved, Is.EqualTo(1.0));
        Assert.That(r.Mean.LesionRemoved, Is.EqualTo(0.1 / 0.4).Within(1e-6), "not the per-image mean 0.5");
    }

    [Test]
    public void Empty_opacity_mask_gives_nan_inside_values()
    {
        var (t, _, _) = Case();
        var s = PhantomTruthMetrics.Score(new PhantomTruthInput(t, t, t, new bool[N * N], null), N, N);
        Assert.That(s.ResidualInsideMask, Is.NaN);
        Assert.That(s.LesionRemoved, Is.NaN);
        Assert.That(s.ChangeOutsideMask, Is.Zero);
    }

    [Test]
    public void Mismatched_sizes_name_the_array()
    {
        var (t, x, m) = Case();
        Assert.That(() => PhantomTruthMetrics.Score(new PhantomTruthInput(x, t, t, new bool[5], null), N, N),
            Throws.TypeOf<MetricsException>().With.Message.Contains("opacity mask"));
        Assert.That(() => PhantomTruthMetrics.Score(new PhantomTruthInput(x, t, t, m, null), 8, 8),
            Throws.TypeOf<MetricsException>().With.Message.Contains("8x8"));
    }
}
