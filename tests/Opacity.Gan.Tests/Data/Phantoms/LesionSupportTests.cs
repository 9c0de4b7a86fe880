// Every sampled lesion of every kind changes some lung: its fill (or nodule thickness) is positive at some
// point of the lung mask. Checked on 300 anatomies per kind, since a lesion that misses the lung is rare
// enough to slip past the per-image tests (the patchy consolidation once picked its centre in the other
// lung from its side, so about 1 % of opacity images were labelled "consolidation" with no opacity at all).
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class LesionSupportTests
{
    private static readonly OpacityKinds[] Kinds =
        [OpacityKinds.GroundGlass, OpacityKinds.Consolidation, OpacityKinds.Ards, OpacityKinds.Nodule, OpacityKinds.Effusion];

    [TestCaseSource(nameof(Kinds))]
    public void Every_sampled_lesion_changes_the_lung(OpacityKinds kind)
    {
        var o = new PhantomOptions();
        var missed = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            Anatomy a = Anatomy.Sample(new DetRandom(11, i, RandomStream.Anatomy));
            var r = new DetRandom(11, i, RandomStream.Pathology);
            Lesion l = kind switch
            {
                OpacityKinds.GroundGlass => Lesion.GroundGlass(a, r, o),
                OpacityKinds.Consolidation => Lesion.Consolidation(a, r, o),
                OpacityKinds.Ards => Lesion.Ards(a, r, o),
                OpacityKinds.Nodule => Lesion.Nodule(a, r, o),
                _ => Lesion.Effusion(a, r, o),
            };
            if (!TouchesLung(a, l)) missed.Add(i);
        }
        Assert.That(missed, Is.Empty, $"{kind} lesions that change no lung pixel (anatomy indices)");
    }

    /// <summary>Whether the lesion is positive at some point of a 2 mm grid inside the lung mask and its box.</summary>
    private static bool TouchesLung(Anatomy a, Lesion l)
    {
        const double step = 0.2, extent = 40;   // anatomical cm
        double x0 = Math.Max(0, l.X0), x1 = Math.Min(extent, l.X1), y0 = Math.Max(0, l.Y0), y1 = Math.Min(extent, l.Y1);
        for (double y = y0; y <= y1; y += step)
            for (double x = x0; x <= x1; x += step)
            {
                if (!a.InLungMask(x, y)) continue;
                double v = l.Kind == OpacityKinds.Nodule ? l.Nodule(x, y) : l.Fill(x, y);
                if (v > 0) return true;
            }
        return false;
    }
}
