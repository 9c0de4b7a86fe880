// UpsampleV2 (tables per row and column, planes over threads) and UpsampleV3's forward (cached horizontal rows,
// AVX vertical pass) against v1 (Upsample, the oracle), bit for bit: the same expressions in the same order per plane, so any difference is a bug. Shapes: the U-Net's
// 2x bilinear step, a non-integer up, a down (the CAM and feature resampling), a 1-pixel plane, nearest;
// planes enough to take the threaded path; backward both overwriting and accumulating. Plus the geometry
// check and one hand value of the align_corners=False rule.
using Opacity.Kernels.Cpu;

namespace Opacity.Kernels.Tests.Cpu;

[TestFixture]
public sealed class UpsampleTests
{
    private static readonly (int H, int W, int OH, int OW, bool Bilinear)[] Shapes =
        [(16, 16, 32, 32, true), (8, 12, 21, 17, true), (33, 31, 8, 9, true), (1, 1, 4, 5, true), (7, 9, 14, 27, false), (12, 12, 5, 7, false)];

    [Test]
    public void V2_and_v3_equal_v1_bit_for_bit([ValueSource(nameof(Shapes))] (int H, int W, int OH, int OW, bool Bilinear) c)
    {
        const int planes = 48;   // 48 planes x >= 20 outputs: the 2x and larger shapes take the threaded path
        float[] x = CloseAssert.Random(planes * c.H * c.W, 3);
        float[] want = new float[planes * c.OH * c.OW], got = new float[want.Length];
        Upsample.Forward<float>(c.Bilinear, x, planes, c.H, c.W, c.OH, c.OW, want);
        UpsampleV2.Forward<float>(c.Bilinear, x, planes, c.H, c.W, c.OH, c.OW, got);
        Assert.That(got, Is.EqualTo(want), "forward");
        float[] got3 = Enumerable.Repeat(float.NaN, want.Length).ToArray();
        UpsampleV3.Forward(c.Bilinear, x, planes, c.H, c.W, c.OH, c.OW, got3);
        Assert.That(got3, Is.EqualTo(want), "forward v3");

        float[] dy = CloseAssert.Random(want.Length, 4);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] dxWant = CloseAssert.Random(x.Length, 5), dxGot = (float[])dxWant.Clone();
            Upsample.Backward<float>(c.Bilinear, dy, planes, c.H, c.W, c.OH, c.OW, dxWant, accumulate);
            UpsampleV2.Backward<float>(c.Bilinear, dy, planes, c.H, c.W, c.OH, c.OW, dxGot, accumulate);
            Assert.That(dxGot, Is.EqualTo(dxWant), $"backward (accumulate {accumulate})");
            float[] dx3 = CloseAssert.Random(x.Length, 5);
            UpsampleV3.Backward(c.Bilinear, dy, planes, c.H, c.W, c.OH, c.OW, dx3, accumulate);
            Assert.That(dx3, Is.EqualTo(dxWant), $"backward v3 (accumulate {accumulate})");
        }
    }

    [Test]
    public void V3_equals_v1_on_one_plane_with_odd_widths()
    {
        foreach (var (h, w, oh, ow) in new[] { (5, 3, 10, 7), (3, 7, 6, 13), (9, 9, 4, 5), (2, 2, 3, 1) })
        {
            float[] x = CloseAssert.Random(h * w, 7), want = new float[oh * ow], got = new float[oh * ow];
            Upsample.Forward<float>(true, x, 1, h, w, oh, ow, want);
            UpsampleV3.Forward(true, x, 1, h, w, oh, ow, got);
            Assert.That(got, Is.EqualTo(want), $"{h}x{w} -> {oh}x{ow}");
        }
    }

    // v3's gathered backward (exact 2x, width >= 6) against v1 on the sizes around its edges and thresholds, with
    // gradients that hold signed zeros (the clamped edges add zero-weight terms: their order must be v1's too).
    [Test]
    public void V3_backward_equals_v1_at_2x([Values(1, 2, 5, 6, 7, 8, 13, 32)] int w)
    {
        foreach (int h in new[] { 1, 3, 6 })
        {
            const int planes = 3;
            float[] dy = CloseAssert.Random(planes * 4 * h * w, 11);
            for (int i = 0; i < dy.Length; i += 7) dy[i] = i % 2 == 0 ? 0f : -0f;
            foreach (bool accumulate in new[] { false, true })
            {
                float[] start = CloseAssert.Random(planes * h * w, 12);
                for (int i = 0; i < start.Length; i += 5) start[i] = -0f;
                float[] want = (float[])start.Clone(), got = (float[])start.Clone();
                Upsample.Backward<float>(true, dy, planes, h, w, 2 * h, 2 * w, want, accumulate);
                UpsampleV3.Backward(true, dy, planes, h, w, 2 * h, 2 * w, got, accumulate);
                for (int i = 0; i < want.Length; i++)
                    if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(want[i]))
                        Assert.Fail($"{h}x{w} acc={accumulate}: dx[{i}] is {got[i]}, v1 gives {want[i]}");
            }
        }
    }

    [Test]
    public void V2_equals_v1_in_float64()
    {
        double[] x = CloseAssert.Random(5 * 6 * 7, 6).Select(v => (double)v).ToArray();
        double[] want = new double[5 * 13 * 11], got = new double[want.Length];
        Upsample.Forward<double>(true, x, 5, 6, 7, 13, 11, want);
        UpsampleV2.Forward<double>(true, x, 5, 6, 7, 13, 11, got);
        Assert.That(got, Is.EqualTo(want));
    }

    [Test]
    public void Bilinear_2x_follows_align_corners_false()
    {
        // row [0, 4] to 4 outputs: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (right index clamped) -> 0, 1, 3, 4
        float[] y = new float[4];
        UpsampleV2.Forward<float>(true, [0f, 4f], 1, 1, 2, 1, 4, y);
        Assert.That(y, Is.EqualTo(new[] { 0f, 1f, 3f, 4f }));
    }

    [Test]
    public void Bad_geometry_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => UpsampleV2.Forward<float>(true, new float[4], 1, 2, 2, 0, 4, new float[4]));
        Assert.That(e!.Message, Does.Contain("2x2 to 0x4"));
        e = Assert.Throws<ArgumentException>(() => UpsampleV2.Forward<float>(true, new float[3], 1, 2, 2, 4, 4, new float[16]));
        Assert.That(e!.Message, Does.Contain("too small"));
        // v3 refuses the same way (it hands a bad geometry to v2), forward and backward, 2x included.
        e = Assert.Throws<ArgumentException>(() => UpsampleV3.Forward(true, new float[4], 1, 2, 2, 0, 4, new float[4]));
        Assert.That(e!.Message, Does.Contain("2x2 to 0x4"));
        e = Assert.Throws<ArgumentException>(() => UpsampleV3.Backward(true, new float[16 * 48], 2, 8, 8, 16, 16, new float[100], false));
        Assert.That(e!.Message, Does.Contain("too small"));
        e = Assert.Throws<ArgumentException>(() => UpsampleV3.Backward(true, [], 1, 0, 6, 0, 12, [], false));
        Assert.That(e!.Message, Does.Contain("not a valid geometry"));
    }
}
