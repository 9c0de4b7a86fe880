// Rasterises tapered tubes (ribs, clavicles, vessels, airways) into thickness maps. A tube is a group of
// segments with radius and weight interpolated along each; within a group the maximum is kept (joints do
// not double up), across groups values add. Profiles are projections of round cross-sections:
//   Solid: chord 2 sqrt(r^2 - d^2) (vessel, airway lumen);
//   Hollow: cortical shell + sparse marrow (ribs, clavicles: two bright margins, greyer middle);
//   Soft: 2r (1 - d^2/r^2)^1.5 (nodule-like, Gaussian-looking edge).
// Segment distances are computed in pixel space (the frame's rotation keeps distances). Tested through the
// anatomy maps (ribs above the dome, bone brighter than soft tissue) in PhantomRealismTests.
using System.Runtime.CompilerServices;

namespace Opacity.Gan.Data.Phantoms;

internal enum TubeProfile
{
    Solid,
    Hollow,
    Soft,
}

internal sealed class TubeStamper
{
    private readonly PixelFrame _f;
    private readonly double[] _scratch;
    private int _x0, _y0, _x1, _y1;   // bounding box of the current group, inclusive
    private bool _open;

    public TubeStamper(PixelFrame frame)
    {
        _f = frame;
        _scratch = new double[frame.N * frame.N];
    }

    public void Begin()
    {
        _x0 = _y0 = int.MaxValue;
        _x1 = _y1 = int.MinValue;
        _open = true;
    }

    /// <summary>Adds the group's values (scaled) to <paramref name="target"/> and clears the scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void End(double[] target, double scale = 1)
    {
        if (!_open) throw new InvalidOperationException("End without Begin.");
        _open = false;
        if (_x1 < _x0) return;
        int n = _f.N;
        for (int y = _y0; y <= _y1; y++)
        {
            int row = y * n;
            for (int x = _x0; x <= _x1; x++)
            {
                double v = _scratch[row + x];
                if (v != 0)
                {
                    target[row + x] += scale * v;
                    _scratch[row + x] = 0;
                }
            }
        }
    }

    /// <summary>One segment from (ax, ay) to (bx, by) in anatomical cm, radii and weights interpolated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Segment(double ax, double ay, double bx, double by, double ra, double rb, double wa, double wb,
                        TubeProfile profile, double cortex = 0.28, double marrow = 0.25)
    {
        _f.ToPixel(ax, ay, out double pax, out double pay);
        _f.ToPixel(bx, by, out double pbx, out double pby);
        double rMaxPx = Math.Max(ra, rb) * _f.PxPerCm + 1;
        int n = _f.N;
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(pax, pbx) - rMaxPx));
        int x1 = Math.Min(n - 1, (int)Math.Ceiling(Math.Max(pax, pbx) + rMaxPx));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(pay, pby) - rMaxPx));
        int y1 = Math.Min(n - 1, (int)Math.Ceiling(Math.Max(pay, pby) + rMaxPx));
        if (x0 > x1 || y0 > y1) return;
        if (x0 < _x0) _x0 = x0;
        if (y0 < _y0) _y0 = y0;
        if (x1 > _x1) _x1 = x1;
        if (y1 > _y1) _y1 = y1;
        double dx = pbx - pax, dy = pby - pay, len2 = dx * dx + dy * dy;
        double cm = _f.CmPerPx;
        for (int y = y0; y <= y1; y++)
        {
            int row = y * n;
            for (int x = x0; x <= x1; x++)
            {
                double qx = x - pax, qy = y - pay;
                double t = len2 > 0 ? (qx * dx + qy * dy) / len2 : 0;
                if (t < 0) t = 0;
                else if (t > 1) t = 1;
                double ex = qx - t * dx, ey = qy - t * dy;
                double d = Math.Sqrt(ex * ex + ey * ey) * cm;
                double r = ra + t * (rb - ra);
                if (d >= r) continue;
                double w = wa + t * (wb - wa);
                double v = w * Profile(profile, d, r, cortex, marrow);
                if (v > _scratch[row + x]) _scratch[row + x] = v;
            }
        }
    }

    /// <summary>A polyline of nodes as one group member (call between Begin and End).</summary>
    public void Polyline(IReadOnlyList<TubeNode> nodes, TubeProfile profile, double cortex = 0.28, double marrow = 0.25)
    {
        for (int i = 0; i + 1 < nodes.Count; i++)
        {
            TubeNode a = nodes[i], b = nodes[i + 1];
            Segment(a.X, a.Y, b.X, b.Y, a.R, b.R, a.W, b.W, profile, cortex, marrow);
        }
    }

    public static double Profile(TubeProfile profile, double d, double r, double cortex, double marrow)
    {
        double outer = 2 * Math.Sqrt(r * r - d * d);
        switch (profile)
        {
            case TubeProfile.Solid:
                return outer;
            case TubeProfile.Soft:
            {
                double q = 1 - d * d / (r * r);
                return 2 * r * q * Math.Sqrt(q);
            }
            default:
            {
                double ri = r * (1 - cortex);
                double inner = d < ri ? 2 * Math.Sqrt(ri * ri - d * d) : 0;
                return outer - inner + marrow * inner;
            }
        }
    }
}

/// <summary>A tube node: position (cm), radius (cm), weight.</summary>
internal readonly record struct TubeNode(double X, double Y, double R, double W);
