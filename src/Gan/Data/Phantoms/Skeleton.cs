// The bony thorax of one patient: 12 rib pairs (posterior arcs near-horizontal from the spine, lateral turn,
// anterior arcs sloping down toward the midline and fading where cartilage takes over), clavicles, scapular
// medial borders, humeral heads, and the thoracic spine (vertebral bodies, disc spaces, pedicles, spinous
// processes). Bone is stamped as cortical-bone-equivalent thickness (cm) into a map. Rib pitch is chosen in
// Anatomy so that 9-10 posterior ribs lie above the right dome; PhantomRealismTests counts them.
namespace Opacity.Gan.Data.Phantoms;

internal static class Skeleton
{
    /// <summary>Stamps ribs, clavicles, scapulae and humeri into <paramref name="bone"/>; the arms' soft tissue
    /// into <paramref name="soft"/>. <paramref name="posteriorRibs"/>, if given, receives the right-side posterior
    /// rib centrelines (tests count them above the dome).</summary>
    public static void Stamp(Anatomy a, DetRandom r, TubeStamper st, double[] bone, double[] soft, List<TubeNode[]>? posteriorRibs = null)
    {
        var nodes = new List<TubeNode>(64);
        for (int side = -1; side <= 1; side += 2)
        {
            for (int k = 1; k <= 12; k++)
            {
                double yk = a.YRib1 + (k - 1) * a.RibPitch + r.Uniform(-0.12, 0.12) * a.RibPitch;
                double rPost = (0.42 + 0.022 * k) * r.Uniform(0.9, 1.1);
                double rise = (1.0 + 0.06 * k) * r.Uniform(0.8, 1.2), dropLat = (0.6 + 0.22 * k) * r.Uniform(0.85, 1.15);
                double tEnd = k == 12 ? 0.35 : k == 11 ? 0.5 : 1.0;
                double xl = a.LateralOffset(side, yk + dropLat) + 0.45;
                if (k == 1) xl = Math.Max(xl, a.ApexOffset * a.HalfW + 2.2);
                nodes.Clear();
                for (int i = 0; i <= 14; i++)
                {
                    double t = tEnd * i / 14.0;
                    double ax = 1.2 + t * (xl - 1.2);
                    double y = yk - rise * DetMath.Sin(Math.PI * 0.85 * t) + dropLat * t * t * t;
                    double rr = rPost * (1.1 - 0.15 * t);
                    nodes.Add(new TubeNode(a.Xm + side * ax, y, rr, 0.8 * (0.55 + 0.45 * DetMath.SmoothStep(0, 0.3, t))));   // rib head/neck thinner
                }
                if (side < 0) posteriorRibs?.Add([.. nodes]);
                st.Begin();
                st.Polyline(nodes, TubeProfile.Hollow);
                if (tEnd >= 1 && k <= 9)
                {
                    // lateral turn, then the anterior arc down toward the midline; the tip fades into cartilage
                    double yTurn = yk - rise * DetMath.Sin(Math.PI * 0.85) + dropLat;
                    double yAnt = yTurn + 1.1;
                    double antEnd = 2.6 + 0.3 * k;
                    double antDrop = a.RibPitch * (1.0 + 0.11 * k);
                    double rAnt = (0.5 + 0.03 * k) * r.Uniform(0.9, 1.1);
                    nodes.Clear();
                    nodes.Add(new TubeNode(a.Xm + side * xl, yTurn, rPost * 0.95, 1.0));
                    nodes.Add(new TubeNode(a.Xm + side * (xl + 0.1), yTurn + 0.6, rAnt, 0.9));
                    for (int i = 0; i <= 12; i++)
                    {
                        double u = i / 12.0;
                        double ax = xl - 0.35 - u * (xl - 0.35 - antEnd);
                        double y = yAnt + antDrop * DetMath.Pow(u, 1.2);
                        double w = 0.42 * (1 - DetMath.SmoothStep(0.55, 1.0, u));
                        nodes.Add(new TubeNode(a.Xm + side * ax, y, rAnt, w));
                    }
                    st.Polyline(nodes, TubeProfile.Hollow, cortex: 0.22, marrow: 0.2);
                }
                st.End(bone);
            }

            // clavicle: medial end by the spinous processes, S-curve up to the acromion
            nodes.Clear();
            double latEnd = a.HalfW + r.Uniform(2.5, 4.0), rise2 = r.Uniform(1.0, 2.2);
            for (int i = 0; i <= 16; i++)
            {
                double u = i / 16.0;
                double ax = 1.5 + u * (latEnd - 1.5);
                double y = a.YClavicle - rise2 * u * u + 0.35 * DetMath.Sin(2 * Math.PI * u);
                double rr = 0.8 + 0.3 * (1 - u) * (1 - u) * (1 - u) - 0.12 * DetMath.Sin(Math.PI * u);
                nodes.Add(new TubeNode(a.Xm + side * ax, y, rr, 1.2));
            }
            st.Begin();
            st.Polyline(nodes, TubeProfile.Hollow, cortex: 0.3, marrow: 0.3);
            st.End(bone);

            // scapular medial border: a thin bony edge over the upper lateral lung
            nodes.Clear();
            double sx0 = a.HalfW * r.Uniform(0.66, 0.76), sx1 = a.HalfW * r.Uniform(0.8, 0.92);
            double sy0 = a.YClavicle - 0.5, sy1 = a.YClavicle + r.Uniform(9, 12);
            for (int i = 0; i <= 10; i++)
            {
                double u = i / 10.0;
                double bulge = 0.8 * DetMath.Sin(Math.PI * u);
                nodes.Add(new TubeNode(a.Xm + side * (sx0 + (sx1 - sx0) * u - bulge), sy0 + (sy1 - sy0) * u, 0.35, 0.5));
            }
            st.Begin();
            st.Polyline(nodes, TubeProfile.Hollow, cortex: 0.4, marrow: 0.5);
            st.End(bone);

            // humeral head and shaft, and the arm's soft tissue around them
            double hx = a.Xm + side * (a.HalfW + r.Uniform(4.2, 5.2)), hy = a.YClavicle + r.Uniform(-0.6, 0.6);
            st.Begin();
            st.Segment(hx, hy, hx, hy, 2.4, 2.4, 0.7, 0.7, TubeProfile.Hollow, cortex: 0.12, marrow: 0.35);
            st.Segment(hx + side * 0.6, hy + 1.5, hx + side * 2.0, hy + 14, 1.2, 1.1, 0.8, 0.8, TubeProfile.Hollow, cortex: 0.3, marrow: 0.3);
            st.End(bone);
            st.Begin();
            st.Segment(hx - side * 0.5, hy - 1, hx + side * 1.5, hy + 16, 4.6, 4.4, 0.9, 0.9, TubeProfile.Solid);
            st.End(soft);
        }
    }

    /// <summary>Thoracic spine bone (cm, cortical equivalent) at (x, y): vertebral bodies with end plates and
    /// disc spaces, pedicle rings, spinous processes. One vertebra per rib pitch.</summary>
    public static double Spine(Anatomy a, double x, double y)
    {
        double dx = x - a.Xm;
        if (dx > 3.2 || dx < -3.2) return 0;
        double level = (y - a.YRib1) / a.RibPitch + 0.5;          // vertebra k spans [k-0.5, k+0.5)
        double halfW = 1.5 + 0.8 * DetMath.Clamp01(level / 12);   // bodies widen caudally
        double k = Math.Floor(level), f = level - k;              // f in [0,1) within the vertebra
        double bone = 0;
        double ax = Math.Abs(dx);
        // vertebral body: columns with end plates; the disc (f near 0 or 1) is soft tissue
        double disc = 0.11;
        if (ax < halfW && f > disc && f < 1 - disc)
        {
            double across = Anatomy.Arc((halfW - ax) / 0.5);
            double along = Anatomy.Arc((f - disc) / 0.06) * Anatomy.Arc((1 - disc - f) / 0.06);
            double rim = 0.2 * (1 - Anatomy.Arc((halfW - ax) / 0.25)) * along;
            double plate = 0.15 * (1 - Anatomy.Arc(Math.Min(f - disc, 1 - disc - f) / 0.05));
            bone += 0.3 * across * along + rim + plate * across;
        }
        // pedicles: small rings at each side of the body, upper half of the vertebra
        double px = (ax - 0.62 * halfW) / 0.32, py = (f - 0.38) / 0.17;
        double pr = px * px + py * py;
        if (pr < 1) bone += pr > 0.45 ? 0.3 : 0.08;
        // spinous process: a teardrop in the midline, lower part of the vertebra
        double sx = dx / 0.35, sy = (f - 0.72) / 0.22;
        double sr = sx * sx + sy * sy;
        if (sr < 1) bone += 0.15 * Math.Sqrt(1 - sr);
        return 0.6 * bone;
    }
}
