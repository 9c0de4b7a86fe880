// Shared, cached phantom cases for the phantom tests (generation is the slow part, so each set is made once
// per test run) and small image helpers.
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

internal static class PhantomTestData
{
    private static readonly Dictionary<string, (PhantomCase Case, RenderResult Render)[]> Cache = [];
    private static readonly Lock Gate = new();

    /// <summary>Opacity-domain cases 0..count-1 with maps, for one mix (cached per key).</summary>
    public static (PhantomCase Case, RenderResult Render)[] OpacityCases(string mix, int count = 6, int size = 256, double noise = 1)
    {
        string key = $"{mix}|{count}|{size}|{noise}";
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var v)) return v;
            var g = new PhantomGenerator(new PhantomOptions { Size = size, Seed = 11, Mix = OpacityMix.Parse(mix), MaxOpacities = 1, NoiseScale = noise });
            var result = new (PhantomCase, RenderResult)[count];
            Parallel.For(0, count, i => result[i] = g.Generate(i, Domain.Opacity, keepMaps: true));
            Cache[key] = result;
            return result;
        }
    }

    /// <summary>Mask dilated by r pixels (square structuring element).</summary>
    public static bool[] Dilate(bool[] m, int n, int r)
    {
        var o = new bool[m.Length];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                if (!m[y * n + x]) continue;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < n && xx >= 0 && xx < n) o[yy * n + xx] = true;
                    }
            }
        return o;
    }

    public static bool[] Erode(bool[] m, int n, int r)
    {
        var inv = m.Select(b => !b).ToArray();
        return Dilate(inv, n, r).Select(b => !b).ToArray();
    }

    /// <summary>High-pass: value minus the mean of its (2r+1)^2 neighbourhood (edges clamped).</summary>
    public static double[] HighPass(float[] img, int n, int r)
    {
        var o = new double[img.Length];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double s = 0;
                int c = 0;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++)
                    {
                        s += img[Math.Clamp(y + dy, 0, n - 1) * n + Math.Clamp(x + dx, 0, n - 1)];
                        c++;
                    }
                o[y * n + x] = img[y * n + x] - s / c;
            }
        return o;
    }

    public static double Std(IEnumerable<double> v)
    {
        double[] a = v.ToArray();
        double m = a.Average();
        return Math.Sqrt(a.Sum(x => (x - m) * (x - m)) / a.Length);
    }

    public static int Count(bool[] m) => m.Count(b => b);
}
