// Small helpers for the emulator tests: pinned host arrays whose address stands in for a device pointer,
// seeded random data, llm.c's comparison rule |ref - got| <= atol + rtol*|ref| with a report of
// the first mismatches and the largest difference, and a bitwise comparison.
using System.Runtime.InteropServices;
using System.Text;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

internal sealed class Pinned : IDisposable
{
    private GCHandle _handle;

    public Pinned(float[] data) { Data = data; _handle = GCHandle.Alloc(data, GCHandleType.Pinned); }

    public float[] Data { get; }

    public ulong Address => (ulong)_handle.AddrOfPinnedObject();

    public void Dispose() { if (_handle.IsAllocated) _handle.Free(); }
}

/// <summary>Native memory aligned to 64 bytes, exposed at a chosen float offset (0: 16-byte aligned,
/// 1: misaligned), to steer vectorised kernel versions onto their fast or fallback path.</summary>
internal sealed unsafe class AlignedFloats : IDisposable
{
    private float* _base;

    public AlignedFloats(float[] data, int offset)
    {
        _base = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)((data.Length + offset + 1) * sizeof(float)), 64);
        Length = data.Length;
        Offset = offset;
        data.CopyTo(Span);
    }

    public int Length { get; }

    public int Offset { get; }

    public ulong Address => (ulong)(_base + Offset);

    public Span<float> Span => new(_base + Offset, Length);

    public void Dispose()
    {
        if (_base == null) return;
        System.Runtime.InteropServices.NativeMemory.AlignedFree(_base);
        _base = null;
    }
}

internal sealed class PinnedInts : IDisposable
{
    private GCHandle _handle;

    public PinnedInts(int[] data) { Data = data; _handle = GCHandle.Alloc(data, GCHandleType.Pinned); }

    public int[] Data { get; }

    public ulong Address => (ulong)_handle.AddrOfPinnedObject();

    public void Dispose() { if (_handle.IsAllocated) _handle.Free(); }
}

internal sealed class PinnedF64 : IDisposable
{
    private GCHandle _handle;

    public PinnedF64(double[] data) { Data = data; _handle = GCHandle.Alloc(data, GCHandleType.Pinned); }

    public double[] Data { get; }

    public ulong Address => (ulong)_handle.AddrOfPinnedObject();

    public void Dispose() { if (_handle.IsAllocated) _handle.Free(); }
}

internal static class Kit
{
    public static float[] Random(int count, int seed, float lo = -2f, float hi = 2f)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    /// <summary>Values at least <paramref name="gap"/> away from 0, for kinked ops (ReLU at 0).</summary>
    public static float[] AwayFromZero(int count, int seed, float gap = 1e-3f)
    {
        float[] a = Random(count, seed);
        for (int i = 0; i < count; i++) if (MathF.Abs(a[i]) < gap) a[i] = a[i] < 0 ? -gap : gap;
        return a;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    /// <summary>Element strides of a contiguous tensor of shape <paramref name="of"/> (same rank, 1 on broadcast dims)
    /// read over <paramref name="shape"/>: 0 where it broadcasts.</summary>
    public static int[] BroadcastStrides(int[] shape, int[] of)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = of[d] == 1 && shape[d] != 1 ? 0 : acc; acc *= of[d]; }
        return s;
    }

    /// <summary>Same bits in every element (a NaN payload or a signed zero included), for versions that promise the
    /// same float operations in the same order.</summary>
    public static void BitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string name)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{name}: length");
        int bad = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && bad++ == 0) first = i;
        if (bad > 0)
            Assert.Fail($"{name}: {bad} of {expected.Length} values differ in their bits; first [{first}] expected {expected[first]:R} got {actual[first]:R}");
    }

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string name)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{name}: length");
        int bad = 0, worst = -1;
        double worstDiff = 0;
        var report = new StringBuilder();
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            bool ok = diff <= atol + rtol * Math.Abs(expected[i]) && !double.IsNaN(actual[i]);
            if (diff > worstDiff || double.IsNaN(diff)) { worstDiff = diff; worst = i; }
            if (!ok && bad++ < 5) report.AppendLine($"  [{i}] ref {expected[i]:R} got {actual[i]:R} diff {diff:E3}");
        }
        if (bad > 0)
            Assert.Fail($"{name}: {bad} of {expected.Length} values outside atol {atol:E1} + rtol {rtol:E1}; max |diff| {worstDiff:E3} at [{worst}]\n{report}");
    }
}
