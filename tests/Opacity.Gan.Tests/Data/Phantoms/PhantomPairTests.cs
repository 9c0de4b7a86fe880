// Paired truth and masks (PHANTOM.md section 5, "pair" and "nodules" rows): the opacity image equals its clear
// truth exactly outside the opacity mask dilated by the detector-blur radius; masks are non-empty and inside
// the body/lungs; consolidation changes the image more than ground-glass; ground-glass keeps most of the
// rib/vessel detail while consolidation loses more; nodules are 6-30 mm and inside the lung mask.
using Opacity.Gan.Data.Phantoms;
using static Opacity.Gan.Tests.Data.Phantoms.PhantomTestData;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class PhantomPairTests
{
    private static readonly string[] Kinds = ["ggo=1", "consolidation=1", "ards=1", "nodule=1", "effusion=1"];

    [TestCaseSource(nameof(Kinds))]
    public void Pair_is_identical_outside_the_dilated_mask_and_differs_inside(string mix)
    {
        foreach ((PhantomCase c, _) in OpacityCases(mix, count: 4))
        {
            int n = c.Size;
            bool[] near = Dilate(c.OpacityMask, n, Imaging.BlurRadius);
            int differInside = 0;
            for (int i = 0; i < n * n; i++)
            {
                if (!near[i])
                    Assert.That(c.Image[i], Is.EqualTo(c.PairedClear![i]), $"{mix} patient {c.PatientId} pixel {i}");
                else if (c.OpacityMask[i] && c.Image[i] != c.PairedClear![i])
                    differInside++;
            }
            Assert.That(differInside, Is.GreaterThan(Count(c.OpacityMask) / 2), $"{mix} patient {c.PatientId}: the opacity changes most mask pixels");
        }
    }

    [TestCaseSource(nameof(Kinds))]
    public void Opacity_mask_is_non_empty_inside_the_body_and_the_opacity_is_brighter(string mix)
    {
        foreach ((PhantomCase c, RenderResult r) in OpacityCases(mix, count: 4))
        {
            Assert.That(Count(c.OpacityMask), Is.GreaterThan(0), $"{mix} patient {c.PatientId}");
            Assert.That(c.Labels, Is.EqualTo(KindOf(mix)));
            double delta = 0;
            int inBody = 0, total = 0;
            for (int i = 0; i < c.Image.Length; i++)
            {
                if (!c.OpacityMask[i]) continue;
                total++;
                if (r.PrimaryClear[i] < 0.5) inBody++;         // attenuated: inside the body
                delta += c.Image[i] - c.PairedClear![i];
            }
            Assert.That(inBody, Is.EqualTo(total), "mask inside the body");
            Assert.That(delta / total, Is.GreaterThan(0.005), "opacity whitens the lung");
        }
    }

    [Test]
    public void Consolidation_changes_the_image_more_than_ground_glass_and_hides_more_detail()
    {
        (double ggoDelta, double ggoKeep) = DeltaAndDetail(OpacityCases("ggo=1", count: 6, noise: 0));
        (double conDelta, double conKeep) = DeltaAndDetail(OpacityCases("consolidation=1", count: 6, noise: 0));
        TestContext.Out.WriteLine($"mean delta: GGO {ggoDelta:F3}, consolidation {conDelta:F3}; high-pass kept: GGO {ggoKeep:F2}, consolidation {conKeep:F2}");
        Assert.That(conDelta, Is.GreaterThan(1.5 * ggoDelta));
        Assert.That(ggoKeep, Is.GreaterThanOrEqualTo(0.5), "ribs and vessels stay visible through ground-glass");
        Assert.That(conKeep, Is.LessThan(ggoKeep), "consolidation hides more of them");
    }

    [Test]
    public void Nodules_are_6_to_30_mm_and_inside_the_lung_mask()
    {
        foreach ((PhantomCase c, _) in OpacityCases("nodule=1", count: 6))
        {
            int n = c.Size, area = Count(c.OpacityMask);
            double pxMm = 358.4 / n;
            double diameterMm = 2 * Math.Sqrt(area / Math.PI) * pxMm;
            Assert.That(diameterMm, Is.InRange(6 - 2 * pxMm, 30 + 2 * pxMm), $"patient {c.PatientId}");
            int outside = Enumerable.Range(0, n * n).Count(i => c.OpacityMask[i] && !c.LungMask[i]);
            Assert.That(outside, Is.LessThanOrEqualTo(area / 10 + 2), "nodule inside the lung mask (edge pixels aside)");
        }
    }

    [Test]
    public void Effusion_fills_the_costophrenic_angle()
    {
        foreach ((PhantomCase c, _) in OpacityCases("effusion=1", count: 4))
        {
            // the lowest lung-mask rows of one side must be under the opacity: the angle is hidden
            int n = c.Size;
            int low = 0, covered = 0;
            for (int y = n - 1; y >= 0 && low < 3 * n / 64 + 3; y--)
                for (int x = 0; x < n; x++)
                {
                    if (!c.LungMask[y * n + x]) continue;
                    bool left = x < n / 2;
                    bool effSide = c.OpacityMask.Where((m, i) => m && (i % n < n / 2) == left).Any();
                    if (!effSide) continue;
                    low++;
                    if (c.OpacityMask[y * n + x]) covered++;
                }
            Assert.That(covered, Is.GreaterThanOrEqualTo(low * 9 / 10), $"patient {c.PatientId}");
        }
    }

    private static OpacityKinds KindOf(string mix) => OpacityMix.Parse(mix) switch
    {
        { GroundGlass: > 0 } => OpacityKinds.GroundGlass,
        { Consolidation: > 0 } => OpacityKinds.Consolidation,
        { Ards: > 0 } => OpacityKinds.Ards,
        { Nodule: > 0 } => OpacityKinds.Nodule,
        _ => OpacityKinds.Effusion,
    };

    /// <summary>Mean whitening over the mask, and high-pass std inside the (eroded) mask, opacity / clear.</summary>
    private static (double Delta, double Keep) DeltaAndDetail((PhantomCase Case, RenderResult Render)[] cases)
    {
        double delta = 0, hpOp = 0, hpClear = 0;
        foreach ((PhantomCase c, _) in cases)
        {
            int n = c.Size;
            bool[] core = Erode(c.OpacityMask, n, 3);
            double[] a = HighPass(c.Image, n, 2), b = HighPass(c.PairedClear!, n, 2);
            var idx = Enumerable.Range(0, n * n).Where(i => core[i] && c.LungMask[i]).ToArray();
            if (idx.Length < 20) continue;
            delta += idx.Average(i => c.Image[i] - c.PairedClear![i]);
            hpOp += Std(idx.Select(i => a[i]));
            hpClear += Std(idx.Select(i => b[i]));
        }
        return (delta / cases.Length, hpOp / hpClear);
    }
}
