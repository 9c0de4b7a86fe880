// The threaded float pooling kernels (Kernels/Cpu/Pooling.cs) against the scalar oracle
// (Reference/PoolingReference.cs) on planes large enough to take the multi-threaded path, for the
// window shapes Inception uses (3x3 s1 p1 with and without the padding in the divisor, 3x3 s2 p0/p1);
// plus hand-computed corners that pin the divisor rule and the -inf padding of max pooling, the value-only
// max pool (no argmax, the inference path) and PyTorch's NaN rule.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Cpu;

[TestFixture]
public sealed class PoolingTests
{
    private static readonly (int K, int S, int Pad, bool IncludePad)[] Shapes =
        [(3, 1, 1, false), (3, 1, 1, true), (3, 2, 0, true), (3, 2, 1, false), (2, 2, 0, true), (5, 3, 2, false)];

    [Test]
    public void Fast_kernels_match_the_reference([ValueSource(nameof(Shapes))] (int K, int S, int Pad, bool IncludePad) c)
    {
        const int planes = 40, h = 35, w = 33;   // 40*~1155*9 taps: above the threading threshold
        float[] x = CloseAssert.Random(planes * h * w, 7);
        int oh = Pooling.OutSize(h, c.K, c.S, c.Pad), ow = Pooling.OutSize(w, c.K, c.S, c.Pad);
        float[] want = new float[planes * oh * ow], got = new float[want.Length];
        PoolingReference.AvgForward<float>(x, planes, h, w, c.K, c.S, c.Pad, c.IncludePad, want);
        Pooling.AvgForward<float>(x, planes, h, w, c.K, c.S, c.Pad, c.IncludePad, got);
        CloseAssert.Close(want, got, 1e-6f, 1e-5f, "avg forward");

        float[] dy = CloseAssert.Random(want.Length, 8);
        float[] dxWant = CloseAssert.Random(x.Length, 9), dxGot = (float[])dxWant.Clone();
        PoolingReference.AvgBackward<float>(dy, planes, h, w, c.K, c.S, c.Pad, c.IncludePad, dxWant, accumulate: true);
        Pooling.AvgBackward<float>(dy, planes, h, w, c.K, c.S, c.Pad, c.IncludePad, dxGot, accumulate: true);
        CloseAssert.Close(dxWant, dxGot, 1e-6f, 1e-5f, "avg backward (accumulate)");

        int[] aWant = new int[want.Length], aGot = new int[want.Length];
        PoolingReference.MaxForward<float>(x, planes, h, w, c.K, c.S, c.Pad, want, aWant);
        Pooling.MaxForward<float>(x, planes, h, w, c.K, c.S, c.Pad, got, aGot);
        Assert.That(got, Is.EqualTo(want), "max forward");
        Assert.That(aGot, Is.EqualTo(aWant), "max argmax");
        float[] valuesOnly = new float[want.Length];
        Pooling.MaxForward<float>(x, planes, h, w, c.K, c.S, c.Pad, valuesOnly, []);
        Assert.That(valuesOnly, Is.EqualTo(want), "max forward without argmax (inference path)");
    }

    [Test]
    public void Max_pool_takes_the_last_nan_of_a_window_with_or_without_argmax()
    {
        float[] x = [1, float.NaN, 3, 4, 5, float.NaN, 7, 8, 9];
        float[] want = new float[1], got = new float[1], values = new float[1];
        int[] aWant = new int[1], aGot = new int[1];
        PoolingReference.MaxForward<float>(x, 1, 3, 3, 3, 1, 0, want, aWant);
        Pooling.MaxForward<float>(x, 1, 3, 3, 3, 1, 0, got, aGot);
        Pooling.MaxForward<float>(x, 1, 3, 3, 3, 1, 0, values, []);
        Assert.That((aWant[0], aGot[0]), Is.EqualTo((5, 5)));
        Assert.That(float.IsNaN(got[0]) && float.IsNaN(values[0]));
    }

    // The 2x2 stride-2 max pool runs 8 windows at a time (MaxPlane2x2); ties between -0 and +0 and between equal
    // values, NaN anywhere in a group of 8, odd widths and a tail past the last group must give the scalar window
    // code's values (bit for bit: the sign of a zero, a NaN's payload) and indices.
    [TestCase(1, 16, 16)]
    [TestCase(3, 17, 37)]
    [TestCase(2, 64, 64)]
    public void Two_by_two_pool_matches_the_window_code_bit_for_bit(int planes, int h, int w)
    {
        var rnd = new Random(h * w);
        float[] pool = [0f, -0f, 1f, -1f, 0.5f, float.NaN, BitConverter.Int32BitsToSingle(0x7fc00123)];
        float[] x = new float[planes * h * w];
        for (int i = 0; i < x.Length; i++)
            x[i] = rnd.Next(10) < 6 ? pool[rnd.Next(5)] : rnd.Next(40) == 0 ? pool[5 + rnd.Next(2)] : (float)(rnd.NextDouble() * 2 - 1);
        int oh = h / 2, ow = w / 2;
        float[] want = new float[planes * oh * ow], got = new float[want.Length], values = new float[want.Length];
        int[] aWant = new int[want.Length], aGot = new int[want.Length];
        PoolingReference.MaxForward<float>(x, planes, h, w, 2, 2, 0, want, aWant);
        Pooling.MaxForward<float>(x, planes, h, w, 2, 2, 0, got, aGot);
        Pooling.MaxForward<float>(x, planes, h, w, 2, 2, 0, values, []);
        Assert.That(aGot, Is.EqualTo(aWant), "argmax");
        for (int i = 0; i < want.Length; i++)
        {
            Assert.That(BitConverter.SingleToInt32Bits(got[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(x[aWant[i]])), $"value {i} is not its argmax tap's");
            if (!float.IsNaN(want[i])) Assert.That(BitConverter.SingleToInt32Bits(values[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(ScalarMax(x, i, h, w))), $"value-only output {i}");
            else Assert.That(values[i], Is.NaN, $"value-only output {i}");
        }
    }

    // The value-only window result of the scalar code for output i: MaxNative over its window in row-major order.
    private static float ScalarMax(float[] x, int i, int h, int w)
    {
        int oh = h / 2, ow = w / 2, p = i / (oh * ow), r = i % (oh * ow) / ow, q = i % ow;
        int top = p * h * w + 2 * r * w + 2 * q;
        float m = x[top];
        foreach (int o in new[] { 0, 1, w, w + 1 }) m = float.MaxNative(m, x[top + o]);
        return m;
    }

    [Test]
    public void Padded_corners_follow_the_divisor_rule_and_padding_never_wins_a_max()
    {
        // 3x3 plane 1..9, window 3, stride 1, pad 1: the top-left window covers 1, 2, 4, 5.
        float[] x = [-1, -2, -3, -4, -5, -6, -7, -8, -9];
        float[] y = new float[9];
        Pooling.AvgForward<float>(x, 1, 3, 3, 3, 1, 1, countIncludePad: false, y);
        Assert.That(y[0], Is.EqualTo(-3f), "exclude pad: (-1-2-4-5)/4");
        Assert.That(y[4], Is.EqualTo(-5f), "centre: all nine real pixels");
        Pooling.AvgForward<float>(x, 1, 3, 3, 3, 1, 1, countIncludePad: true, y);
        Assert.That(y[0], Is.EqualTo(-12f / 9), "include pad: (-1-2-4-5)/9");
        int[] arg = new int[9];
        Pooling.MaxForward<float>(x, 1, 3, 3, 3, 1, 1, y, arg);
        Assert.That(y[0], Is.EqualTo(-1f), "max over all-negative real pixels ignores the zero padding");
        Assert.That(arg[8], Is.EqualTo(4), "bottom-right window's max is the centre pixel");
    }

    [Test]
    public void Padding_above_half_the_kernel_is_refused()
        => Assert.That(() => Pooling.AvgForward<float>(new float[9], 1, 3, 3, 3, 1, 2, false, new float[25]),
            Throws.ArgumentException.With.Message.Contains("padding 2"));
}
