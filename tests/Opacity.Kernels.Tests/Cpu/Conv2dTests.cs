// Conv2d (versions 1 to 7; v3/v4 = the two per-shape rules of Conv2dRule.cs, v5-v7 = v4 plus Winograd, also in Conv2dWinogradTests) against ConvReference in float64-accumulated float32: Forward (with and without
// bias), BackwardInput, BackwardWeight, BackwardBias, each with accumulate false (over NaN) and true.
// Shapes cover stride 1/2 (also mixed), pad 0/1/2/3, dilation 1/2, kernels 1/3/4/7 (and 3x4), odd H/W,
// batch 0/1/3, the stride-1 flipped-weight path and its col2im fallback (pad > dilation*(k-1)), and sizes
// large enough to take the threaded paths, and rows wide enough (OW >= 26) for v3's direct kernels; a test pins
// that the shapes reach every path of both rules.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class Conv2dTests
{
    private const float Atol = 1e-4f, Rtol = 1e-4f;

    private static readonly ConvGeometry[] Shapes =
    [
        new(1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1),
        new(3, 2, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 3, 11, 10, 4, 3, 3, 2, 2, 1, 1, 1, 1),
        new(3, 4, 9, 8, 3, 1, 1, 1, 1, 0, 0, 1, 1),
        new(1, 2, 13, 12, 3, 4, 4, 2, 2, 1, 1, 1, 1),
        new(1, 2, 15, 14, 3, 7, 7, 1, 1, 3, 3, 1, 1),
        new(1, 1, 17, 16, 4, 7, 7, 1, 1, 0, 0, 1, 1),
        new(3, 3, 10, 11, 2, 3, 3, 1, 1, 2, 2, 2, 2),
        new(1, 2, 9, 9, 3, 3, 3, 2, 2, 0, 0, 2, 2),
        new(1, 3, 8, 7, 2, 1, 1, 1, 1, 1, 1, 1, 1),
        new(1, 2, 12, 10, 3, 3, 4, 2, 2, 3, 3, 1, 1),
        new(1, 2, 9, 11, 3, 3, 3, 1, 2, 1, 0, 1, 1),
        new(0, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1),
        new(2, 16, 20, 19, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 32, 33, 34, 32, 3, 3, 2, 2, 1, 1, 1, 1),
        new(3, 5, 16, 15, 7, 4, 4, 2, 2, 1, 1, 1, 1),
        // Wide rows, stride 1: v3's direct forward / flipped dx / direct dw (OC <= 32), tails and threading.
        new(1, 3, 9, 30, 13, 3, 3, 1, 1, 1, 1, 1, 1),
        new(2, 5, 7, 64, 4, 3, 3, 1, 1, 2, 2, 2, 2),
        new(1, 2, 34, 60, 3, 7, 7, 1, 1, 3, 3, 1, 1),
        new(1, 16, 20, 64, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        // 15 input channels: direct under v5 too (Winograd wants >= 16 on both sides).
        new(1, 15, 12, 64, 20, 3, 3, 1, 1, 1, 1, 1, 1),
        // v4's flipped-GEMM dx for OC < 8 on narrow rows (PatchGAN's last conv, 4x4 -> 1 channel).
        new(2, 16, 9, 9, 1, 4, 4, 1, 1, 1, 1, 1, 1),
        // 4 tiles a row (v7's Winograd quads; a part-filled last tile).
        new(1, 20, 16, 15, 18, 3, 3, 1, 1, 1, 1, 1, 1),
        // An 8-px U-Net level (OC > OH*OW): a GEMM forward with more output channels than pixels.
        new(1, 64, 8, 8, 128, 3, 3, 1, 1, 1, 1, 1, 1),
    ];

    // The reference tests above only prove every path correct if the shapes reach every path: pin that here.
    [Test]
    public void Shapes_reach_every_path_of_both_rules()
    {
        Assume.That(GemmMicroKernel.Default, Is.EqualTo(GemmKernelShape.Avx512_12x32), "direct kernels need AVX-512");
        foreach (int v in new[] { 3, 4 })
        {
            Assert.That(Shapes.Any(g => Conv2dRule.DirectForward(g, v)), $"v{v} direct forward");
            Assert.That(Shapes.Any(g => g.StrideH == 1 && !Conv2dRule.DirectForward(g, v)),
                $"v{v} stride-1 GEMM forward");
            Assert.That(Shapes.Any(g => Conv2dRule.DirectWeight(g, v)), $"v{v} direct dw");
            Assert.That(Shapes.Any(g => g.StrideH == 1 && !Conv2dRule.DirectWeight(g, v)), $"v{v} stride-1 GEMM dw");
            foreach (var path in Enum.GetValues<ConvDxPath>())
                if (path != ConvDxPath.FlippedWinograd && (v == 4 || path != ConvDxPath.FlippedGemm))
                    Assert.That(Shapes.Any(g => Conv2dRule.BackwardInput(g, v) == path), $"v{v} dx {path}");
        }
        // v5 = v4 plus Winograd F(4x4, 3x3) where it applies (Conv2dWinograd.Applies); the rest falls to v4's paths.
        Assert.That(Shapes.Any(g => Conv2dWinograd.Applies(g)), "v5 Winograd forward");
        Assert.That(Shapes.Any(g => Conv2dRule.BackwardInput(g, 5) == ConvDxPath.FlippedWinograd), "v5 dx FlippedWinograd");
        Assert.That(Shapes.Any(g => g.StrideH == 1 && Conv2dRule.DirectForward(g, 4) && !Conv2dWinograd.Applies(g)),
            "v5 direct forward");
        // v6 = v5 plus Winograd's adjoint for dw on the same convs; its other dw shapes fall to v4's dw paths.
        Assert.That(Shapes.Any(g => Conv2dWinograd.Applies(g)) && Shapes.Any(g => g.StrideH == 1 && !Conv2dWinograd.Applies(g)),
            "v6 dw on both sides of the Winograd rule");
        // v7 = v6 plus Winograd's quads (rows of 4-tile runs, e.g. 16-px maps).
        Assert.That(Shapes.Any(g => Conv2dWinograd.Applies(g, quads: true) && !Conv2dWinograd.Applies(g)), "v7 quads");
        // The revised rule's changes, on the shapes that motivated them (conv_shapes_rule.txt).
        var stem = new ConvGeometry(1, 1, 134, 134, 32, 7, 7, 1, 1, 0, 0, 1, 1);
        Assert.That(Conv2dRule.DirectForward(stem, 3) && !Conv2dRule.DirectForward(stem, 4));
        var patchLast = new ConvGeometry(1, 128, 7, 7, 1, 4, 4, 1, 1, 1, 1, 1, 1);
        Assert.That(Conv2dRule.BackwardInput(patchLast, 4), Is.EqualTo(ConvDxPath.FlippedGemm));
        var unetUp = new ConvGeometry(1, 96, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.That(Conv2dRule.DirectWeight(unetUp, 3) && !Conv2dRule.DirectWeight(unetUp, 4));
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        for (int i = 0; i < Shapes.Length; i++)
        {
            var g = Shapes[i];
            string name = $"N{g.Batch} C{g.InChannels}->{g.OutChannels} {g.InH}x{g.InW} k{g.KernelH}x{g.KernelW} s{g.StrideH},{g.StrideW} p{g.PadH},{g.PadW} d{g.DilationH}";
            yield return new TestCaseData(1, g).SetArgDisplayNames("v1", name);
            yield return new TestCaseData(2, g).SetArgDisplayNames("v2", name);
            yield return new TestCaseData(3, g).SetArgDisplayNames("v3", name);
            yield return new TestCaseData(4, g).SetArgDisplayNames("v4", name);
            yield return new TestCaseData(5, g).SetArgDisplayNames("v5", name);
            yield return new TestCaseData(6, g).SetArgDisplayNames("v6", name);
            yield return new TestCaseData(7, g).SetArgDisplayNames("v7", name);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Forward_matches_reference(int version, ConvGeometry g)
    {
        float[] x = CloseAssert.Random((int)g.XLength, 1), w = CloseAssert.Random((int)g.WLength, 2);
        float[] bias = CloseAssert.Random(g.OutChannels, 3), y0 = CloseAssert.Random((int)g.YLength, 4);
        foreach (bool withBias in new[] { false, true })
            foreach (bool accumulate in new[] { false, true })
            {
                float[] b = withBias ? bias : [];
                float[] expected = Start(y0, accumulate), actual = Start(y0, accumulate);
                ConvReference.Forward<float>(g, x, w, b, expected, accumulate);
                Conv2d.Forward(version, g, x, w, b, actual, accumulate);
                CloseAssert.Close(expected, actual, Atol, Rtol, $"forward v{version} bias={withBias} acc={accumulate}");
            }
    }

    [TestCaseSource(nameof(Cases))]
    public void Backward_matches_reference(int version, ConvGeometry g)
    {
        float[] x = CloseAssert.Random((int)g.XLength, 5), w = CloseAssert.Random((int)g.WLength, 6);
        float[] dy = CloseAssert.Random((int)g.YLength, 7);
        float[] dx0 = CloseAssert.Random((int)g.XLength, 8), dw0 = CloseAssert.Random((int)g.WLength, 9);
        float[] db0 = CloseAssert.Random(g.OutChannels, 10);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] e = Start(dx0, accumulate), a = Start(dx0, accumulate);
            ConvReference.BackwardInput<float>(g, w, dy, e, accumulate);
            Conv2d.BackwardInput(version, g, w, dy, a, accumulate);
            CloseAssert.Close(e, a, Atol, Rtol, $"dx v{version} acc={accumulate}");

            e = Start(dw0, accumulate); a = Start(dw0, accumulate);
            ConvReference.BackwardWeight<float>(g, x, dy, e, accumulate);
            Conv2d.BackwardWeight(version, g, x, dy, a, accumulate);
            CloseAssert.Close(e, a, Atol, Rtol, $"dw v{version} acc={accumulate}");

            e = Start(db0, accumulate); a = Start(db0, accumulate);
            ConvReference.BackwardBias<float>(g, dy, e, accumulate);
            Conv2d.BackwardBias(g, dy, a, accumulate);
            CloseAssert.Close(e, a, Atol, Rtol, $"db acc={accumulate}");
        }
    }

    [Test]
    public void Rejects_wrong_span_lengths()
    {
        var g = new ConvGeometry(1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => Conv2d.Forward(g, new float[49], new float[54], [], new float[75], false));
        Assert.Throws<ArgumentException>(() => Conv2d.Forward(g, new float[50], new float[54], new float[2], new float[75], false));
        Assert.Throws<ArgumentException>(() => Conv2d.BackwardBias(g, new float[75], new float[2], false));
    }

    // accumulate = false must overwrite whatever is there, NaN included; true adds onto the given values.
    private static float[] Start(float[] init, bool accumulate)
        => accumulate ? (float[])init.Clone() : Enumerable.Repeat(float.NaN, init.Length).ToArray();
}
