// The seeded subset sampler for KID, chosen so that it can be reproduced exactly in a few lines of any
// language (tests/fixtures/fidkid/make_vectors.py does so):
//   - generator: xoshiro256** (Blackman & Vigna), state seeded by four outputs of SplitMix64(seed);
//   - bounded integer in [0, b): Lemire's multiply-shift with rejection: x = next(); t = x * b (128-bit);
//     reject while low64(t) < (2^64 - b) mod b; return high64(t);
//   - a subset of m out of N: partial Fisher-Yates on the identity permutation 0..N-1: for i in 0..m-1:
//     j = i + bounded(N - i); swap(p[i], p[j]); the subset is p[0..m), in that order.
// One stream per KID run; each subset draws the real set first, then the fake set (torch-fidelity's order).
// Tested in KidTests (first indices pinned against the Python implementation; same seed, same subsets).
namespace Opacity.Gan.Metrics;

public sealed class KidSampler
{
    private ulong _s0, _s1, _s2, _s3;

    public KidSampler(ulong seed)
    {
        ulong sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, bound), bound &gt; 0, without modulo bias.</summary>
    public ulong NextBounded(ulong bound)
    {
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
            if (low >= threshold)
                return high;
        }
    }

    /// <summary>m distinct indices out of 0..n-1 by partial Fisher-Yates on the identity permutation.</summary>
    public int[] Subset(int n, int m)
    {
        if (m < 0 || m > n)
            throw new ArgumentOutOfRangeException(nameof(m), $"A subset of {m} cannot be drawn from {n}.");
        var p = new int[n];
        for (int i = 0; i < n; i++)
            p[i] = i;
        for (int i = 0; i < m; i++)
        {
            int j = i + (int)NextBounded((ulong)(n - i));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p[..m];
    }
}
