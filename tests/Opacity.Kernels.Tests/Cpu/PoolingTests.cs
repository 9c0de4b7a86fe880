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
