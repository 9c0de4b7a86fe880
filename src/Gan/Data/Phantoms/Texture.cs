// Fractal value noise for lung clutter and lesion shapes: a sum of octaves of smoothly interpolated lattice
// noise, octave o at cell size base/2^o with amplitude 2^(-o*beta/2), so the power spectrum falls roughly as
// f^-beta (PHANTOM.md: power-law clutter, beta 2-3). Lattice values come from a hash of (seed, cell, octave),
// so no tables are stored and any point can be sampled in any order. Output is about zero-mean, |v| < ~1.
// Tested by the lung-spectrum slope check in PhantomRealismTests.
namespace Opacity.Gan.Data.Phantoms;

internal sealed class FractalNoise
{
    private readonly ulong _seed;
    private readonly int _octaves;
    private readonly double _baseCell;
    private readonly double[] _amp;
    private readonly double _norm;

    public FractalNoise(DetRandom r, double baseCellCm, int octaves, double beta)
    {
        _seed = r.NextUInt64();
        _octaves = octaves;
        _baseCell = baseCellCm;
        _amp = new double[octaves];
        double total = 0;
        for (int o = 0; o < octaves; o++)
        {
            _amp[o] = DetMath.Pow(2, -o * beta / 2);
            total += _amp[o] * _amp[o];
        }
        _norm = 1 / Math.Sqrt(total);
    }

    /// <summary>Noise at anatomical position (x, y) in cm.</summary>
    public double Sample(double x, double y)
    {
        double sum = 0, cell = _baseCell;
        for (int o = 0; o < _octaves; o++)
        {
            sum += _amp[o] * Value(x / cell, y / cell, (ulong)o);
            cell *= 0.5;
        }
        return sum * _norm;
    }

    private double Value(double x, double y, ulong octave)
    {
        double fx = Math.Floor(x), fy = Math.Floor(y);
        long ix = (long)fx, iy = (long)fy;
        double tx = x - fx, ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double v00 = Lattice(ix, iy, octave), v10 = Lattice(ix + 1, iy, octave);
        double v01 = Lattice(ix, iy + 1, octave), v11 = Lattice(ix + 1, iy + 1, octave);
        double a = v00 + (v10 - v00) * tx, b = v01 + (v11 - v01) * tx;
        return (a + (b - a) * ty) * 1.7;   // rescale: bilinear-smoothed uniform values have std ~0.33
    }

    private double Lattice(long ix, long iy, ulong octave)
    {
        ulong z = _seed ^ ((ulong)ix * 0x9E3779B97F4A7C15UL) ^ ((ulong)iy * 0xC2B2AE3D27D4EB4FUL) ^ (octave * 0x165667B19E3779F9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (2.0 / 9007199254740992.0) - 1;
    }
}
