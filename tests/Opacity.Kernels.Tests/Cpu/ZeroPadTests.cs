// ZeroPad.Planes writes every element of the padded planes over a buffer full of NaN (the direct convs hand it
// pooled buffers without clearing them): interior = x, borders = +0, and nothing past the planes is touched.
using Opacity.Kernels.Cpu;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class ZeroPadTests
{
    [TestCase(1, 1, 1, 0, 0)]
    [TestCase(3, 5, 7, 1, 1)]
    [TestCase(2, 4, 3, 3, 2)]
    [TestCase(4, 2, 9, 0, 3)]
    public unsafe void Writes_the_interior_and_zero_borders_over_a_dirty_buffer(int channels, int h, int w, int padH, int padW)
    {
        int hp = h + 2 * padH, wp = w + 2 * padW, planes = channels * hp * wp;
        float[] x = CloseAssert.Random(channels * h * w, 7);
        float[] xpad = Enumerable.Repeat(float.NaN, planes + 5).ToArray();
        fixed (float* px = x) fixed (float* pp = xpad) ZeroPad.Planes(px, channels, h, w, padH, padW, pp);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < hp; i++)
                for (int j = 0; j < wp; j++)
                {
                    int ih = i - padH, iw = j - padW;
                    float want = ih >= 0 && ih < h && iw >= 0 && iw < w ? x[(c * h + ih) * w + iw] : 0f;
                    Assert.That(BitConverter.SingleToInt32Bits(xpad[(c * hp + i) * wp + j]), Is.EqualTo(BitConverter.SingleToInt32Bits(want)),
                        $"channel {c}, padded row {i}, column {j}");
                }
        for (int i = planes; i < xpad.Length; i++) Assert.That(xpad[i], Is.NaN, $"element {i} past the planes was written");
    }
}
