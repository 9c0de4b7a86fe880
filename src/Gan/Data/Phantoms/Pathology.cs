// The opacity domain (PHANTOM.md section 3). A lesion either fills a fraction of the local lung air with
// water-equivalent material (ground-glass: 15-45 %, soft margins; consolidation: 85-100 % of a lobe-shaped
// zone, sharp at a fissure; ARDS-like: bilateral patchy fill with basal and peripheral predominance; pleural
// effusion: full fill below a meniscus that rises laterally) or adds a solid nodule (6-30 mm, Gaussian-like
// edge). Because lesions act on the lung air, vessels fade in ground-glass and vanish in consolidation, air
// bronchograms appear, and the heart border or dome is lost where consolidation or fluid touches it
// (silhouette sign) without special cases. Every profile has compact support, so the opacity mask (pixels
// whose air changes) is exact. Tested by PhantomPairTests.
namespace Opacity.Gan.Data.Phantoms;

internal sealed class Pathology
{
    private readonly List<Lesion> _lesions = [];
    public OpacityKinds Kinds { get; private set; }

    public static Pathology Sample(Anatomy a, DetRandom r, PhantomOptions o)
    {
        var p = new Pathology();
        int count = r.Int(o.MinOpacities, o.MaxOpacities);
        OpacityMix m = o.Mix;
        for (int i = 0; i < count; i++)
        {
            OpacityKinds kind = OpacityKinds.None;
            for (int attempt = 0; attempt < 16 && kind == OpacityKinds.None; attempt++)
            {
                double u = r.NextDouble() * m.Total;
                OpacityKinds k = (u -= m.GroundGlass) < 0 ? OpacityKinds.GroundGlass
                    : (u -= m.Consolidation) < 0 ? OpacityKinds.Consolidation
                    : (u -= m.Ards) < 0 ? OpacityKinds.Ards
                    : (u -= m.Nodule) < 0 ? OpacityKinds.Nodule
                    : OpacityKinds.Effusion;
                bool once = k is OpacityKinds.Ards or OpacityKinds.Effusion;
                if (!(once && p.Kinds.HasFlag(k))) kind = k;
            }
            if (kind == OpacityKinds.None) continue;
            p._lesions.Add(kind switch
            {
                OpacityKinds.GroundGlass => Lesion.GroundGlass(a, r, o),
                OpacityKinds.Consolidation => Lesion.Consolidation(a, r, o),
                OpacityKinds.Ards => Lesion.Ards(a, r, o),
                OpacityKinds.Nodule => Lesion.Nodule(a, r, o),
                _ => Lesion.Effusion(a, r, o),
            });
            p.Kinds |= kind;
        }
        return p;
    }

    /// <summary>Fill fraction (0..1, combined as 1 - prod(1 - f)) and nodule thickness (cm) at (x, y).</summary>
    public void At(double x, double y, out double fill, out double nodule)
    {
        double keep = 1;
        nodule = 0;
        foreach (Lesion l in _lesions)
        {
            if (x < l.X0 || x > l.X1 || y < l.Y0 || y > l.Y1) continue;
            if (l.Kind == OpacityKinds.Nodule)
                nodule += l.Nodule(x, y);
            else
                keep *= 1 - l.Fill(x, y);
        }
        fill = 1 - keep;
    }

    /// <summary>Picks a point inside the SCR lung mask at least <paramref name="margin"/> cm from its edge.</summary>
    internal static (double X, double Y) PointInLung(Anatomy a, DetRandom r, double margin, int side = 0)
    {
        for (int i = 0; i < 400; i++)
        {
            int s = side != 0 ? side : (r.Chance(0.5) ? -1 : 1);
            double y = r.Uniform(a.YApex + 1, a.DomeTopY(s));
            double x = a.Xm + s * r.Uniform(0, a.LateralOffset(s, y));
            if (a.InLungMask(x, y) && a.InLungMask(x + margin, y) && a.InLungMask(x - margin, y)
                && a.InLungMask(x, y + margin) && a.InLungMask(x, y - margin))
                return (x, y);
        }
        int sd = side != 0 ? side : 1;   // fallback: the middle of the lung, always inside for sampled anatomies
        double ym = a.YApex + 0.55 * (a.DomeTopY(sd) - a.YApex);
        return (a.Xm + sd * 0.6 * a.LateralOffset(sd, ym), ym);
    }
}
