// The phantom generator's random numbers: xoshiro256** seeded through SplitMix64 from (seed, patient, stream).
// Why not System.Random: its algorithm is not specified across .NET versions, and a phantom must be the
// same for a seed on any machine. Each patient has independent streams (anatomy, pathology, noise, ...),
// so patients can be generated in any order and in parallel, and changing the opacity options does not
// change a patient's anatomy. Normals use the Marsaglia polar method over DetMath (no libm).
// Tested by the determinism tests (same seed => same bytes) and DetRandomTests (moments).
namespace Opacity.Gan.Data.Phantoms;

/// <summary>Named independent random streams of one patient.</summary>
internal enum RandomStream : ulong
{
    Anatomy = 1,
    Vessels = 2,
    Texture = 3,
    Pathology = 4,
    Noise = 5,
    Imaging = 6,
    Skeleton = 7,
    Exposure = 8,
}

internal sealed class DetRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    public DetRandom(ulong seed, long patientIndex, RandomStream stream)
    {
        ulong sm = seed;
        sm = SplitMix(ref sm) ^ (ulong)patientIndex * 0xD1B54A32D192ED03UL;
        sm = SplitMix(ref sm) ^ (ulong)stream * 0x9E3779B97F4A7C15UL;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>Next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [lo, hi] inclusive.</summary>
    public int Int(int lo, int hi) => lo + (int)((NextUInt64() >> 33) % (ulong)(hi - lo + 1));

    public bool Chance(double p) => NextDouble() < p;

    public double Sign() => (NextUInt64() & 1) == 0 ? -1 : 1;

    /// <summary>Standard normal sample.</summary>
    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * DetMath.Log(s) / s);
        _spareNormal = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Normal with mean and standard deviation, clipped to [lo, hi].</summary>
    public double Normal(double mean, double sd, double lo, double hi)
    {
        double x = mean + sd * Normal();
        return x < lo ? lo : x > hi ? hi : x;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
