// PanelTranspose (the SIMD transposing pack) against its scalar loop, bit for bit: every row count 0..w for
// sliver widths 4, 6 and 12 (A: the 6x16 and 12x32 kernels), 16 and 32 (B), depths with every remainder of the 8- and 4-wide
// steps, a padded leading dimension, and canaries around the panel. Then the packer that motivated it,
// Im2ColTPackB, against col^T written out from the definition (strides, padding, dilation, partial slivers).
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Simd;

namespace Opacity.Kernels.Tests.Cpu;

public sealed unsafe class PanelTransposeTests
{
    [Test]
    public void Pack_is_bit_identical_to_the_scalar_loop()
    {
        int[] depths = [0, 1, 3, 4, 5, 7, 8, 9, 12, 17, 256, 259];
        foreach (int w in new[] { 4, 6, 12, 16, 32 })
            foreach (int kc in depths)
                for (int rows = 0; rows <= w; rows++)
                {
                    int ld = kc + 3, n = w * kc;
                    float[] src = CloseAssert.Random(Math.Max(1, rows * ld), rows * 1000 + kc);
                    float[] expected = Canaried(n), actual = Canaried(n);
                    fixed (float* s = src) fixed (float* e = expected) fixed (float* a = actual)
                    {
                        PanelTranspose.PackScalar(s, ld, rows, kc, e + 1, w);
                        PanelTranspose.Pack(s, ld, rows, kc, a + 1, w);
                    }
                    Assert.That(BitConverter.SingleToInt32Bits(actual[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(Canary)), "canary before");
                    Assert.That(BitConverter.SingleToInt32Bits(actual[n + 1]), Is.EqualTo(BitConverter.SingleToInt32Bits(Canary)), "canary after");
                    for (int i = 0; i < n + 2; i++)
                        if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                            Assert.Fail($"w={w} kc={kc} rows={rows}: element {i - 1} is {actual[i]}, the scalar loop wrote {expected[i]}");
                }
    }

    [Test]
    public void PackScalar_writes_the_transpose_and_zero_pads()
    {
        float[] src = [1, 2, 3, 4, 5, 6];  // 2 rows x 3, ld 3
        float[] dst = new float[4 * 3];
        fixed (float* s = src) fixed (float* d = dst) PanelTranspose.PackScalar(s, 3, 2, 3, d, 4);
        Assert.That(dst, Is.EqualTo(new float[] { 1, 4, 0, 0, 2, 5, 0, 0, 3, 6, 0, 0 }));
    }

    private static readonly ConvGeometry[] Geometries =
    [
        new(1, 3, 11, 10, 5, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 2, 13, 12, 3, 4, 4, 2, 2, 1, 1, 1, 1),
        new(1, 3, 10, 11, 2, 3, 3, 1, 2, 2, 0, 2, 2),
        new(1, 5, 9, 30, 4, 7, 7, 1, 1, 3, 3, 1, 1),
    ];

    [TestCaseSource(nameof(Geometries))]
    public void Im2ColTPackB_packs_col_transposed(ConvGeometry g)
    {
        float[] x = CloseAssert.Random((int)g.XLength, 3);
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW, nr = 32;
        // Blocks that start mid-row and mid-tap, end in a partial sliver, and one covering everything.
        foreach (var (p0, kc, j0, nc) in new[] { (0, p, 0, k), (p / 3, Math.Min(37, p - p / 3), k / 5, k - k / 5) })
        {
            int slivers = (nc + nr - 1) / nr;
            var expected = new float[slivers * nr * kc];
            for (int s = 0; s < slivers; s++)
                for (int q = 0; q < kc; q++)
                    for (int c = 0; c < nr; c++)
                        if (s * nr + c < nc) expected[(s * kc + q) * nr + c] = Col(g, x, j0 + s * nr + c, p0 + q);
            float[] actual = Canaried(expected.Length);
            fixed (float* px = x) fixed (float* a = actual)
                new Im2ColTPackB(new Im2ColImage(px, g)).Pack(a + 1, nr, p0, kc, j0, nc);
            Assert.That(actual[1..^1], Is.EqualTo(expected), $"block p0={p0} kc={kc} j0={j0} nc={nc}");
            Assert.That(float.IsNaN(actual[0]) && float.IsNaN(actual[^1]), "canaries");
        }
    }

    // col[r, pix] from the definition: r = (ic, kh, kw), pix = (oh, ow), zero in the padding.
    private static float Col(in ConvGeometry g, float[] x, int r, int pix)
    {
        int kk = g.KernelH * g.KernelW, ic = r / kk, kh = r % kk / g.KernelW, kw = r % g.KernelW;
        int oh = pix / g.OutW, ow = pix % g.OutW;
        int ih = oh * g.StrideH - g.PadH + kh * g.DilationH, iw = ow * g.StrideW - g.PadW + kw * g.DilationW;
        return ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW ? 0f : x[(ic * g.InH + ih) * g.InW + iw];
    }

    private const float Canary = float.NaN;

    private static float[] Canaried(int n)
    {
        var a = new float[n + 2];
        Array.Fill(a, Canary);
        return a;
    }
}
