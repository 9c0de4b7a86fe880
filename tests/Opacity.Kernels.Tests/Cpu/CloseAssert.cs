// Local comparison helper for the kernel tests: |ref - got| <= atol + rtol*|ref| (llm.c's rule, STYLE.md G4).
// On failure it names the check and lists the worst elements (index, expected, actual, excess over tolerance).
using System.Globalization;
using System.Text;

namespace Opacity.Kernels.Tests.Cpu;

internal static class CloseAssert
{
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol, float rtol, string name)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{name}: length");
        var bad = new List<(int Index, double Excess)>();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double excess = Math.Abs(e - a) - (atol + rtol * Math.Abs(e));
            if (!(excess <= 0)) bad.Add((i, double.IsNaN(excess) ? double.PositiveInfinity : excess));
        }
        if (bad.Count == 0) return;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{name}: {bad.Count} of {expected.Length} elements outside atol {atol} + rtol {rtol}*|ref|; worst:");
        foreach (var (i, ex) in bad.OrderByDescending(b => b.Excess).Take(5))
            sb.Append(CultureInfo.InvariantCulture, $"\n  [{i}] expected {expected[i]:R} got {actual[i]:R} (excess {ex:G3})");
        Assert.Fail(sb.ToString());
    }

    public static float[] Random(int length, int seed)
    {
        var rnd = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)(rnd.NextDouble() * 2 - 1);
        return a;
    }
}
