// Pulmonary vessels and airways of one patient. Vessel trees grow from the hila (left hilum higher): each
// branch runs a curved step, splits in two at 15-35 degrees with radius x0.68-0.8, and stops when it is
// thinner than 0.06 cm or within ~1.5 cm of the lateral wall (PHANTOM.md: the outer lung shows no vessels).
// Each main branch is one stamp group (max inside, sum across). Bronchi follow the first generations as air
// lumens beside the arteries: invisible in aerated lung, seen as air bronchograms once consolidation fills
// the lung around them. Trachea and main bronchi are a midline air column. Tested through the pair checks
// (vessel high-pass kept in GGO, lost in consolidation) in PhantomPairTests.
namespace Opacity.Gan.Data.Phantoms;

internal static class Vessels
{
    /// <summary>Stamps vessel chords (cm of blood replacing air) into <paramref name="vessel"/> and bronchial
    /// lumens into <paramref name="bronchus"/>; trachea and main bronchi into <paramref name="airway"/>.</summary>
    public static void Stamp(Anatomy a, DetRandom r, TubeStamper st, double[] vessel, double[] bronchus, double[] airway)
    {
        // trachea from the neck to the carina, main bronchi to the hila
        double tw = a.TracheaWidth / 2;
        double hRx = a.Xm - (a.MedR + 0.6), hRy = a.YCarina + r.Uniform(1.6, 2.4);
        double hLx = a.Xm + (a.MedL + 0.9), hLy = a.YCarina + r.Uniform(0.6, 1.2);
        double dev = r.Uniform(-0.4, 0.1);               // slight deviation to the right at the knob
        st.Begin();
        st.Segment(a.Xm, -2, a.Xm, a.YKnob - 1.5, tw, tw, 0.9, 0.9, TubeProfile.Solid);
        st.Segment(a.Xm, a.YKnob - 1.5, a.Xm + dev, a.YKnob, tw, tw, 0.9, 0.9, TubeProfile.Solid);
        st.Segment(a.Xm + dev, a.YKnob, a.Xm, a.YCarina, tw, tw * 0.95, 0.9, 0.9, TubeProfile.Solid);
        st.Segment(a.Xm, a.YCarina, hRx + 0.5, hRy - 0.6, tw * 0.8, tw * 0.6, 0.9, 0.7, TubeProfile.Solid);
        st.Segment(a.Xm, a.YCarina, hLx - 0.5, hLy - 0.3, tw * 0.75, tw * 0.55, 0.9, 0.7, TubeProfile.Solid);
        st.End(airway);

        var segs = new List<Seg>(4096);
        for (int side = -1; side <= 1; side += 2)
        {
            double hx = side < 0 ? hRx : hLx, hy = side < 0 ? hRy : hLy;
            int mains = r.Int(8, 11);
            for (int m = 0; m < mains; m++)
            {
                // main branches fan from up-lateral (-70 deg) to down-medial (+110 deg); more go down
                double ang = -1.2 + (m + r.Uniform(0.2, 0.8)) / mains * 3.1;
                double cx = DetMath.Cos(ang), cy = DetMath.Sin(ang);
                segs.Clear();
                Grow(a, r, segs, side, hx + side * 0.9 * cx, hy + 0.9 * cy, side * cx, cy, r.Uniform(0.45, 0.65), 0);
                st.Begin();
                foreach (Seg s in segs)
                    st.Segment(s.Ax, s.Ay, s.Bx, s.By, s.Ra, s.Rb, 1, 1, TubeProfile.Solid);
                st.End(vessel);
                st.Begin();
                foreach (Seg s in segs)
                {
                    if (s.Depth > 4 || s.Ra < 0.12) continue;
                    double ox = -(s.By - s.Ay), oy = s.Bx - s.Ax, ol = Math.Sqrt(ox * ox + oy * oy) + 1e-9;
                    double off = 1.6 * s.Ra / ol;
                    st.Segment(s.Ax + ox * off, s.Ay + oy * off, s.Bx + ox * off, s.By + oy * off, 0.6 * s.Ra, 0.6 * s.Rb, 1, 1, TubeProfile.Solid);
                }
                st.End(bronchus);
            }
        }
    }

    private readonly record struct Seg(double Ax, double Ay, double Bx, double By, double Ra, double Rb, int Depth);

    private static void Grow(Anatomy a, DetRandom r, List<Seg> segs, int side, double x, double y, double dx, double dy, double rad, int depth)
    {
        if (rad < 0.05 || depth > 12 || segs.Count > 3000) return;
        double len = (1.2 + 4.5 * rad) * r.Uniform(0.7, 1.3);
        // a gentle curve: two half-steps with a small turn between
        double turn = r.Uniform(-0.25, 0.25);
        double mx = x + dx * len * 0.5, my = y + dy * len * 0.5;
        DetMath.SinCos(turn, out double s, out double c);
        double ndx = c * dx - s * dy, ndy = s * dx + c * dy;
        double ex = mx + ndx * len * 0.5, ey = my + ndy * len * 0.5;
        if (!Inside(a, side, ex, ey, 0.9 + 1.5 * rad)) return;
        double rEnd = rad * 0.93;
        segs.Add(new Seg(x, y, mx, my, rad, rad * 0.965, depth));
        segs.Add(new Seg(mx, my, ex, ey, rad * 0.965, rEnd, depth));
        // split in two, the bigger child straighter
        double a1 = r.Uniform(0.22, 0.5), a2 = -r.Uniform(0.3, 0.6);
        if (r.Chance(0.5)) (a1, a2) = (-a1, -a2);
        double f1 = r.Uniform(0.74, 0.84), f2 = r.Uniform(0.6, 0.74);
        DetMath.SinCos(a1, out double s1, out double c1);
        DetMath.SinCos(a2, out double s2, out double c2);
        Grow(a, r, segs, side, ex, ey, c1 * ndx - s1 * ndy, s1 * ndx + c1 * ndy, rEnd * f1, depth + 1);
        Grow(a, r, segs, side, ex, ey, c2 * ndx - s2 * ndy, s2 * ndx + c2 * ndy, rEnd * f2, depth + 1);
    }

    /// <summary>True when (x, y) is in this side's lung above the dome and at least <paramref name="margin"/>
    /// cm from the lateral wall.</summary>
    private static bool Inside(Anatomy a, int side, double x, double y, double margin)
    {
        if ((x - a.Xm) * side <= 0) return false;
        if (!a.InCavityAboveDome(x, y)) return false;
        return a.LateralOffset(side, y) - Math.Abs(x - a.Xm) > margin && y < a.DomeAt(side, x) - 0.4;
    }
}
