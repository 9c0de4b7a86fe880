// One patient's thoracic anatomy: parameters drawn from PHANTOM.md section 1 and the analytic geometry of
// the thoracic cavity, lungs, domes, mediastinum, heart and body outline, all in anatomical cm (PixelFrame).
// Thickness functions return AP path lengths (cm) or occupancy fractions; AnatomyRenderer turns them into
// maps. Side convention: side = -1 is the patient's right (image left), +1 the patient's left (image right).
// Tested by PhantomRealismTests (CTR, lung height, domes, lung area, CP angle measured from rendered maps).
namespace Opacity.Gan.Data.Phantoms;

internal sealed class Anatomy
{
    public double Xm;            // midline
    public double W;             // inner thoracic width at the costophrenic angles
    public double YApex;         // lung apices
    public double YDomeR, YDomeL;   // dome tops
    public double YCpR, YCpL;       // costophrenic angles
    public double DomePeakFrac;     // dome top position, fraction of the half-width in from the lateral wall
    public double ApexOffset;       // apex distance from the midline (fraction of half-width)
    public double CavityDepth;      // AP depth of the lung space at the bases (cm)
    public double BodyDepth;        // AP thickness of the torso (cm)
    public double BodyMargin;       // chest wall soft tissue beyond the ribs at the bases (cm)
    public double ShoulderHalf;     // body half-width at the shoulders
    public double YClavicle;        // medial clavicle ends
    public double MedR, MedL;       // upper mediastinum half-widths (SVC side, aortic side)
    public double YKnob, KnobBulge;  // aortic knob
    public double YCarina, TracheaWidth;
    public double HeartX, HeartY, HeartA, HeartB, HeartCos, HeartSin, HeartMaxOcc, Ctr;
    public double RibPitch, YRib1;
    public double Rotation;         // radians, in-plane
    public bool GastricBubble;
    public double BreastDepth;      // 0 = none

    public double HalfW => W / 2;

    public static Anatomy Sample(DetRandom r)
    {
        var a = new Anatomy();
        a.Xm = PixelFrame.FieldCm / 2 + r.Normal(0, 0.6, -1.2, 1.2);
        a.W = r.Normal(26.8, 1.6, 23.5, 29.5);
        a.YApex = r.Uniform(2.6, 4.4);
        double heightRatio = r.Uniform(0.765, 0.835);
        double domeR = r.Uniform(0.15, 0.20) * a.W, domeL = r.Uniform(0.115, 0.155) * a.W;
        double gap = r.Chance(0.06) ? -r.Uniform(0.005, 0.02) * a.W : r.Uniform(0.04, 0.085) * a.W;
        // keep both costophrenic angles inside the field: raise the apex, then shorten the lungs if needed
        double below = heightRatio * a.W + Math.Max(domeR, gap + domeL);
        if (a.YApex + below > 33.8) a.YApex = Math.Max(1.4, 33.8 - below);
        if (a.YApex + below > 33.8) heightRatio -= (a.YApex + below - 33.8) / a.W;
        a.YDomeR = a.YApex + heightRatio * a.W;
        a.YDomeL = a.YDomeR + gap;
        a.YCpR = a.YDomeR + domeR;
        a.YCpL = a.YDomeL + domeL;
        a.DomePeakFrac = r.Uniform(0.42, 0.55);
        a.ApexOffset = r.Uniform(0.30, 0.38);
        a.CavityDepth = r.Uniform(13, 16);
        a.BodyDepth = r.Uniform(19, 24);
        a.BodyMargin = r.Uniform(1.8, 3.4);
        a.ShoulderHalf = a.HalfW + r.Uniform(4.0, 6.0);
        a.YClavicle = a.YApex + r.Uniform(2.2, 3.0);
        a.TracheaWidth = r.Uniform(0.05, 0.075) * a.W;
        a.MedR = r.Uniform(2.3, 2.9);
        a.MedL = r.Uniform(1.9, 2.4);
        a.YKnob = a.YClavicle + r.Uniform(2.8, 3.8);
        a.KnobBulge = r.Uniform(1.1, 1.7);
        a.YCarina = a.YKnob + r.Uniform(1.2, 2.2);
        a.Ctr = r.Uniform(0.41, 0.49);
        double tilt = r.Uniform(0.6, 0.85);                  // long axis 34-49 degrees below horizontal
        a.HeartCos = DetMath.Cos(tilt);
        a.HeartSin = DetMath.Sin(tilt);
        double ratio = r.Uniform(1.25, 1.45);                 // long / short semi-axis
        double widthPerB = 2 * Math.Sqrt(ratio * ratio * a.HeartCos * a.HeartCos + a.HeartSin * a.HeartSin);
        a.HeartB = a.Ctr * a.W / widthPerB;
        a.HeartA = ratio * a.HeartB;
        a.HeartMaxOcc = r.Uniform(0.82, 0.9);
        double offset = r.Uniform(0.13, 0.2), sink = r.Uniform(1.4, 2.4);
        a.PlaceHeart(offset, sink);
        // CTR is defined on the visible heart (above the domes): rescale once the placement is known
        for (int iter = 0; iter < 3; iter++)
        {
            double visible = a.VisibleHeartWidth();
            if (visible <= 0) break;
            double k = a.Ctr * a.W / visible;
            a.HeartA *= k;
            a.HeartB *= k;
            a.PlaceHeart(offset, sink);
        }

        // Posterior ribs: rib 1 arches over the apex; 9-10 posterior ribs lie above the right dome (PHANTOM.md).
        a.YRib1 = a.YApex + r.Uniform(0.3, 0.8);
        double ribsAbove = r.Uniform(9.3, 10.2);
        a.RibPitch = (a.YDomeR - a.YRib1 + 0.6) / (ribsAbove - 0.5);
        a.Rotation = r.Uniform(-5, 5) * (Math.PI / 180);
        a.GastricBubble = r.Chance(0.7);
        a.BreastDepth = r.Chance(0.4) ? r.Uniform(1.5, 4.5) : 0;
        return a;
    }

    private void PlaceHeart(double offset, double sink)
    {
        double heightHalf = Math.Sqrt(HeartA * HeartA * HeartSin * HeartSin + HeartB * HeartB * HeartCos * HeartCos);
        HeartX = Xm + Ctr * W * offset;
        HeartY = DomeAt(+1, HeartX) + sink - heightHalf;
    }

    /// <summary>Widest horizontal extent of the heart above the domes (0.1 cm scan).</summary>
    internal double VisibleHeartWidth()
    {
        double best = 0;
        for (double y = HeartY - HeartA; y < HeartY + HeartA; y += 0.1)
        {
            double lo = double.MaxValue, hi = double.MinValue;
            for (double x = HeartX - HeartA; x < HeartX + HeartA; x += 0.1)
                if (HeartOcc(x, y) > 0 && y < DomeAt(x < Xm ? -1 : 1, x)) { lo = Math.Min(lo, x); hi = Math.Max(hi, x); }
            if (hi > lo) best = Math.Max(best, hi - lo);
        }
        return best;
    }

    public double CpY(int side) => side < 0 ? YCpR : YCpL;
    public double DomeTopY(int side) => side < 0 ? YDomeR : YDomeL;

    /// <summary>Lung (cavity) lateral wall distance from the midline at height y; 0 above the apex.</summary>
    public double LateralOffset(int side, double y)
    {
        double t = (y - YApex) / (CpY(side) - YApex);
        if (t <= 0) return 0;
        if (t > 1) t = 1;
        double a0 = ApexOffset * HalfW;
        return a0 + (HalfW - a0) * Math.Sqrt(1 - (1 - t) * (1 - t));
    }

    /// <summary>Medial bound of the cavity near the apex (the mediastinum takes over lower down).</summary>
    public double MedialOffset(int side, double y)
    {
        double t = (y - YApex) / (CpY(side) - YApex) / 0.22;
        if (t <= 0) return ApexOffset * HalfW;
        if (t > 1) return 0;
        return ApexOffset * HalfW * (1 - Math.Sqrt(1 - (1 - t) * (1 - t)));
    }

    /// <summary>Dome contour height (y) at x for a side: a u^2.5 curve rising steeply from the costophrenic angle
    /// (about 30-40 degrees) to the dome top, then falling gently toward the cardiophrenic angle.</summary>
    public double DomeAt(int side, double x)
    {
        double d = HalfW - Math.Abs(x - Xm);          // inward from the lateral wall at the base
        double peak = DomePeakFrac * HalfW, h = CpY(side) - DomeTopY(side);
        if (d <= 0) return CpY(side) - h * 2.5 * d / peak; // continue the wall-side slope outward
        if (d <= peak)
        {
            double u = 1 - d / peak;
            return DomeTopY(side) + h * u * u * Math.Sqrt(u);   // u^2.5: ~30 degree angle at the wall
        }
        double v = (d - peak) / (HalfW - peak);
        return DomeTopY(side) + 0.28 * h * v * v;
    }

    /// <summary>Lung-space AP depth (cm) in the thoracic cavity at (x, y), before the heart and mediastinum
    /// take their share; includes the thin posterior recess below the dome contour.</summary>
    public double Cavity(double x, double y)
    {
        int side = x < Xm ? -1 : 1;
        double ax = Math.Abs(x - Xm);
        double lat = LateralOffset(side, y);
        if (lat <= 0 || ax >= lat) return 0;
        double med = MedialOffset(side, y);
        if (ax <= med) return 0;
        double dome = DomeAt(side, x);
        double t = DetMath.Clamp01((y - YApex) / (CpY(side) - YApex));
        double depth = CavityDepth * (0.5 + 0.5 * t);
        double wall = Arc((lat - ax) / 2.2) * Arc((ax - med) / 1.5);
        if (y < dome)
            return depth * wall * Arc((dome - y) / 2.0);
        double below = (y - dome) / 2.2;                 // posterior costophrenic recess
        return below >= 1 ? 0 : 0.12 * depth * wall * (1 - below);
    }

    /// <summary>True where (x, y) is inside the cavity outline above the dome (lung in projection, including
    /// lung behind the heart and mediastinum).</summary>
    public bool InCavityAboveDome(double x, double y)
    {
        int side = x < Xm ? -1 : 1;
        double ax = Math.Abs(x - Xm);
        return y > YApex && ax < LateralOffset(side, y) && ax > MedialOffset(side, y) && y < DomeAt(side, x);
    }

    /// <summary>SCR lung mask rule: lung, not behind heart or mediastinum, not below the dome.</summary>
    public bool InLungMask(double x, double y)
        => InCavityAboveDome(x, y) && MediastinumOcc(x, y) == 0 && HeartOcc(x, y) == 0;

    /// <summary>Mediastinal half-width on a side at height y (upper mediastinum with the aortic knob).</summary>
    public double MediastinumHalf(int side, double y)
    {
        if (side < 0) return MedR + 0.6 * DetMath.SmoothStep(YCarina, YCarina + 5, y);
        double knob = (y - YKnob) / 2.2, pa = (y - (YKnob + 3.4)) / 1.6;
        double w = MedL;
        if (knob * knob < 1) w += KnobBulge * Math.Sqrt(1 - knob * knob);
        if (pa * pa < 1) w += 0.8 * Math.Sqrt(1 - pa * pa);
        w += 0.8 * DetMath.SmoothStep(YKnob + 2, YKnob + 7, y);   // widening toward the heart
        return w;
    }

    /// <summary>Fraction of the lung depth the mediastinum occupies (1 inside, steep edge).</summary>
    public double MediastinumOcc(double x, double y)
    {
        int side = x < Xm ? -1 : 1;
        double inside = MediastinumHalf(side, y) - Math.Abs(x - Xm);
        return inside <= 0 ? 0 : Arc(inside / 0.7);
    }

    /// <summary>Fraction of the lung depth the heart occupies: an ellipsoid projection with a steep border,
    /// capped below 1 so the lower lobe behind the heart stays faintly visible.</summary>
    public double HeartOcc(double x, double y)
    {
        double dx = x - HeartX, dy = y - HeartY;
        double u = (HeartCos * dx + HeartSin * dy) / HeartA, v = (-HeartSin * dx + HeartCos * dy) / HeartB;
        double r2 = u * u + v * v;
        if (r2 >= 1) return 0;
        return HeartMaxOcc * Arc((1 - r2) * 4);
    }

    /// <summary>Body half-width at height y: neck, rounded shoulders, then the chest wall.</summary>
    public double BodyHalf(double y)
    {
        double chest = HalfW + BodyMargin + 0.6 * DetMath.Clamp01((y - YApex) / 20);
        double yShoulderTop = YClavicle - 6.0, yShoulder = YClavicle + 1.0;
        double neck = 5.2;
        if (y >= yShoulder) return chest;
        double u = DetMath.Clamp01((y - yShoulderTop) / (yShoulder - yShoulderTop));
        double shoulder = neck + (ShoulderHalf - neck) * Arc(u);
        return shoulder + (chest - shoulder) * DetMath.SmoothStep(yShoulder - 4, yShoulder, y);
    }

    /// <summary>Soft-tissue AP thickness (cm): a rounded torso section, thinner in the neck.</summary>
    public double BodyThickness(double x, double y)
    {
        double hw = BodyHalf(y);
        double ax = Math.Abs(x - Xm);
        if (ax >= hw) return 0;
        double q = ax / hw;
        double profile = Math.Sqrt(1 - q * q * Math.Sqrt(q));
        double neckBlend = DetMath.SmoothStep(YClavicle - 5, YClavicle, y);
        double depth = BodyDepth * (0.55 + 0.45 * neckBlend);
        double t = depth * profile;
        if (BreastDepth > 0)
        {
            // breast shadows over the lower lateral lung fields, a sharper lower edge
            double bx = (ax - 0.55 * HalfW) / (0.35 * HalfW), by = (y - (YDomeR - 2.5)) / 4.5;
            double r2 = bx * bx + by * by;
            if (r2 < 1) t += BreastDepth * Arc((1 - r2) * 2.5);
        }
        return t;
    }

    /// <summary>Circle-like ramp: 0 at u &lt;= 0, 1 at u &gt;= 1, vertical tangent at 0 (projection of a round edge).</summary>
    public static double Arc(double u)
    {
        if (u <= 0) return 0;
        if (u >= 1) return 1;
        return Math.Sqrt(u * (2 - u));
    }
}
