// The lesion shapes of Pathology, one factory per opacity kind. Coordinates in anatomical cm; (X0..X1, Y0..Y1)
// is a box outside which the lesion is exactly zero. Sizes scale with PhantomOptions.SizeScale, fill
// fractions with DensityScale (clamped to 1).
namespace Opacity.Gan.Data.Phantoms;

internal sealed class Lesion
{
    public OpacityKinds Kind;
    public double X0 = double.MinValue, X1 = double.MaxValue, Y0 = double.MinValue, Y1 = double.MaxValue;
    private double _cx, _cy, _r, _dens, _top, _amp, _edge;
    private int _side, _zone;
    private FractalNoise? _shape, _mottle;
    private Anatomy _a = null!;
    private double[]? _heartEdge;

    public static Lesion GroundGlass(Anatomy a, DetRandom r, PhantomOptions o)
    {
        double rad = r.Uniform(3.0, 6.0) * o.SizeScale;
        (double cx, double cy) = Pathology.PointInLung(a, r, Math.Min(rad * 0.5, 2.5));
        var l = new Lesion { Kind = OpacityKinds.GroundGlass, _a = a, _cx = cx, _cy = cy, _r = rad };
        l._dens = Math.Min(1, r.Uniform(0.15, 0.32) * o.DensityScale);
        l._shape = new FractalNoise(r, 4.0, 3, 2.0);
        l._mottle = new FractalNoise(r, 1.2, 3, 2.0);
        l.Box(cx - 1.5 * rad, cx + 1.5 * rad, cy - 1.5 * rad, cy + 1.5 * rad);
        return l;
    }

    public static Lesion Consolidation(Anatomy a, DetRandom r, PhantomOptions o)
    {
        var l = new Lesion { Kind = OpacityKinds.Consolidation, _a = a };
        l._zone = r.Int(0, 4);      // 0 lower lobe, 1 right middle lobe, 2 lingula, 3 right upper lobe, 4 patch
        l._side = l._zone switch { 1 or 3 => -1, 2 => 1, _ => r.Chance(0.5) ? -1 : 1 };
        l._dens = Math.Min(1, r.Uniform(0.86, 1.0) * o.DensityScale);
        l._top = r.Uniform(4.5, 8.5) * o.SizeScale;                     // extent (cm) from the dome / heart
        l._cy = a.YCarina + r.Uniform(1.5, 2.8);                         // horizontal fissure level
        l._r = r.Uniform(2.5, 4.5) * o.SizeScale;
        if (l._zone == 4)   // on the lesion's own side: ConsolidationFill is zero on the other one
            (l._cx, l._cy) = Pathology.PointInLung(a, r, 1.5, l._side);
        l._shape = new FractalNoise(r, 5.0, 3, 2.0);
        l._mottle = new FractalNoise(r, 1.0, 3, 2.2);
        if (l._side < 0) l.Box(0, a.Xm, 0, 40); else l.Box(a.Xm, 40, 0, 40);
        return l;
    }

    public static Lesion Ards(Anatomy a, DetRandom r, PhantomOptions o)
    {
        var l = new Lesion { Kind = OpacityKinds.Ards, _a = a };
        l._dens = Math.Min(1, r.Uniform(0.5, 0.85) * o.DensityScale);
        l._top = r.Uniform(0.15, 0.5) / Math.Sqrt(o.SizeScale);         // threshold: higher = less extent
        l._amp = r.Uniform(0.75, 1.25);                                   // left/right asymmetry
        l._shape = new FractalNoise(r, 7.0, 4, 2.2);
        l._mottle = new FractalNoise(r, 1.5, 3, 2.0);
        return l;
    }

    public static Lesion Nodule(Anatomy a, DetRandom r, PhantomOptions o)
    {
        double rad = Math.Clamp(r.Uniform(0.3, 1.5) * o.SizeScale, 0.3, 1.5);   // 6-30 mm diameter
        (double cx, double cy) = Pathology.PointInLung(a, r, rad + 0.3);
        var l = new Lesion { Kind = OpacityKinds.Nodule, _a = a, _cx = cx, _cy = cy, _r = rad };
        l._dens = Math.Min(1.5, r.Uniform(0.55, 1.0) * o.DensityScale);
        l.Box(cx - rad, cx + rad, cy - rad, cy + rad);
        return l;
    }

    public static Lesion Effusion(Anatomy a, DetRandom r, PhantomOptions o)
    {
        var l = new Lesion { Kind = OpacityKinds.Effusion, _a = a };
        l._side = r.Chance(0.55) ? -1 : 1;
        double h = a.CpY(l._side) - a.YApex;
        // from blunting the angle (~200 mL) to a third of the hemithorax (~1.5 L)
        double level = Math.Clamp(r.Uniform(0.04, 0.38) * o.SizeScale, 0.03, 0.6);
        l._top = a.CpY(l._side) - level * h;
        l._amp = r.Uniform(1.5, 4.0);                                      // meniscus rise at the wall
        l._dens = Math.Min(1, r.Uniform(0.9, 1.0) * o.DensityScale);
        l._edge = r.Uniform(0.15, 0.35);
        if (l._side < 0) l.Box(0, a.Xm, l._top - l._amp - 1, 40); else l.Box(a.Xm, 40, l._top - l._amp - 1, 40);
        return l;
    }

    private void Box(double x0, double x1, double y0, double y1)
    {
        X0 = x0; X1 = x1; Y0 = y0; Y1 = y1;
    }

    public double Nodule(double x, double y)
    {
        double dx = x - _cx, dy = y - _cy, d2 = dx * dx + dy * dy;
        if (d2 >= _r * _r) return 0;
        return _dens * TubeStamper.Profile(TubeProfile.Soft, Math.Sqrt(d2), _r, 0, 0);
    }

    /// <summary>Fraction of lung air replaced at (x, y); exactly 0 outside the lesion.</summary>
    public double Fill(double x, double y)
    {
        Anatomy a = _a;
        switch (Kind)
        {
            case OpacityKinds.GroundGlass:
            {
                double dx = x - _cx, dy = y - _cy;
                double re = Math.Sqrt(dx * dx + dy * dy) / (_r * (1 + 0.35 * _shape!.Sample(x, y)));
                if (re >= 1 || re < 0) return 0;
                return _dens * (1 - DetMath.SmoothStep(0.1, 1, re)) * Math.Max(0, 0.65 + 0.5 * _mottle!.Sample(x, y));
            }
            case OpacityKinds.Consolidation:
                return ConsolidationFill(a, x, y);
            case OpacityKinds.Ards:
            {
                int side = x < a.Xm ? -1 : 1;
                double lat = a.LateralOffset(side, y);
                if (lat <= 0) return 0;
                double t = DetMath.Clamp01((y - a.YApex) / (a.CpY(side) - a.YApex));
                double periph = DetMath.Clamp01(Math.Abs(x - a.Xm) / lat);
                double g = _shape!.Sample(x, y) + 0.9 * t + 0.5 * periph - 0.8;
                g *= side < 0 ? _amp : 2 - _amp;
                double f = DetMath.SmoothStep(_top, _top + 0.35, g);
                return f <= 0 ? 0 : _dens * f * (0.75 + 0.25 * _mottle!.Sample(x, y));
            }
            default:
            {
                if ((x - a.Xm) * _side <= 0) return 0;
                double lat = a.LateralOffset(_side, y);
                double u = lat > 0 ? DetMath.Clamp01(Math.Abs(x - a.Xm) / lat) : 1;
                double meniscus = _top - _amp * u * u;                          // concave up, higher laterally
                double below = y - meniscus;
                if (below <= 0) return 0;
                return _dens * DetMath.SmoothStep(0, _edge, below);
            }
        }
    }

    private double ConsolidationFill(Anatomy a, double x, double y)
    {
        if ((x - a.Xm) * _side <= 0) return 0;
        double ax = Math.Abs(x - a.Xm);
        double wobble = 1 + 0.3 * _shape!.Sample(x, y);
        double w;
        switch (_zone)
        {
            case 0:   // lower lobe: from the dome up, effaces the dome
                w = 1 - DetMath.SmoothStep(0.6 * _top, _top, (a.DomeAt(_side, x) - y) / wobble);
                break;
            case 1:   // right middle lobe: sharp at the horizontal fissure, against the right heart border
            case 2:   // lingula: against the left heart border, soft top
            {
                double heartEdge = HeartEdgeOffset(a, _side, y);
                double fromHeart = ax - heartEdge;
                double lower = a.DomeAt(_side, x) - y;
                w = (1 - DetMath.SmoothStep(0.6 * _top, _top, fromHeart / wobble)) * DetMath.SmoothStep(0, 1.0, lower);
                w *= _zone == 1 ? DetMath.SmoothStep(_cy, _cy + 0.2, y) : DetMath.SmoothStep(_cy - 1, _cy + 2.5, y);
                break;
            }
            case 3:   // right upper lobe: ends sharply at the horizontal fissure
                w = 1 - DetMath.SmoothStep(_cy - 0.2, _cy, y);
                break;
            default:  // patchy segmental consolidation
            {
                double dx = x - _cx, dy = y - _cy;
                double re = Math.Sqrt(dx * dx + dy * dy) / (_r * wobble);
                w = re >= 1 || re < 0 ? 0 : 1 - DetMath.SmoothStep(0.6, 1, re);
                break;
            }
        }
        if (w <= 0) return 0;
        return Math.Min(1, _dens * w * (0.9 + 0.1 * _mottle!.Sample(x, y)));
    }

    /// <summary>Heart border distance from the midline on this side, tabulated every 0.05 cm of height
    /// (the mediastinal half-width where the heart is absent).</summary>
    private double HeartEdgeOffset(Anatomy a, int side, double y)
    {
        if (_heartEdge == null)
        {
            _heartEdge = new double[800];
            for (int i = 0; i < _heartEdge.Length; i++)
            {
                double yy = i * 0.05, edge = a.MediastinumHalf(side, yy);
                for (double d = a.HalfW; d > 0; d -= 0.05)
                {
                    if (a.HeartOcc(a.Xm + side * d, yy) > 0) { edge = Math.Max(edge, d); break; }
                }
                _heartEdge[i] = edge;
            }
        }
        int k = Math.Clamp((int)(y / 0.05), 0, _heartEdge.Length - 1);
        return _heartEdge[k];
    }
}
