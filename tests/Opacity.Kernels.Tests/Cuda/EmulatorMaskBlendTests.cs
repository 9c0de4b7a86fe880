// kernels/cu/mask_blend.cu in the host emulator vs MaskBlendReference, at odd sizes, mask broadcast over
// channels or per channel, with and without accumulation (overwrite mode starts from NaN garbage).
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorMaskBlendTests
{
    private static readonly object[] Shapes =
    [
        new[] { 1, 1, 1, 1 }, new[] { 1, 1, 1, 7 }, new[] { 1, 1, 1, 4097 }, new[] { 3, 5, 1, 17 * 19 }, new[] { 3, 5, 5, 17 * 19 },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void Forward_matches_reference(int[] shape)
    {
        (int n, int c, int cm, int hw) = (shape[0], shape[1], shape[2], shape[3]);
        float[] m = Kit.Random(n * cm * hw, 1, 0f, 1f), g = Kit.Random(n * c * hw, 2), x = Kit.Random(n * c * hw, 3);
        var expected = new double[n * c * hw];
        MaskBlendReference.Forward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), expected, n, c, cm, hw);

        using Pinned pm = new(m), pg = new(g), px = new(x), py = new(new float[n * c * hw]);
        MaskBlendCuda.Forward(EmulatorLauncher.Instance, pm.Address, pg.Address, px.Address, py.Address, n, c, cm, hw);
        Kit.Close(expected, py.Data, 1e-6, 1e-5, "y");
    }

    [Test]
    public void Every_forward_version_matches_reference_aligned_and_misaligned(
        [Values(1, 2)] int version, [Values(0, 1)] int offset, [Values(1, 7, 4097, 3 * 5 * 17 * 19)] int total)
    {
        // 3x5x17x19 runs with a broadcast mask (Cm = 1, groups of 4 straddle planes); the rest with Cm = C = 1.
        (int n, int c, int cm, int hw) = total == 3 * 5 * 17 * 19 ? (3, 5, 1, 17 * 19) : (1, 1, 1, total);
        float[] m = Kit.Random(n * cm * hw, 1, 0f, 1f), g = Kit.Random(total, 2), x = Kit.Random(total, 3);
        var expected = new double[total];
        MaskBlendReference.Forward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), expected, n, c, cm, hw);

        using AlignedFloats am = new(m, offset), ag = new(g, offset), ax = new(x, offset), ay = new(new float[total], offset);
        MaskBlendCuda.Forward(EmulatorLauncher.Instance, am.Address, ag.Address, ax.Address, ay.Address, n, c, cm, hw, version);
        Kit.Close(expected, ay.Span, 1e-6, 1e-5, $"y (v{version}, offset {offset})");
    }

    [TestCaseSource(nameof(Shapes))]
    public void Backward_matches_reference_accumulating(int[] shape) => Backward(shape, accumulate: true);

    [TestCaseSource(nameof(Shapes))]
    public void Backward_matches_reference_overwriting(int[] shape) => Backward(shape, accumulate: false);

    [Test]
    public void Backward_skips_gradients_given_null()
    {
        float[] m = Kit.Random(7, 1, 0f, 1f), g = Kit.Random(7, 2), x = Kit.Random(7, 3), dy = Kit.Random(7, 4);
        float[] dg = Kit.Random(7, 5);
        float[] dgBefore = (float[])dg.Clone();
        var expectedDx = new double[7];
        MaskBlendReference.Backward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), Kit.ToDouble(dy),
            Span<double>.Empty, Span<double>.Empty, expectedDx, 1, 1, 1, 7, false, false, false);
        using Pinned pm = new(m), pg = new(g), px = new(x), pdy = new(dy), pdx = new(new float[7]), pdg = new(dg);
        MaskBlendCuda.Backward(EmulatorLauncher.Instance, pm.Address, pg.Address, px.Address, pdy.Address, 0, 0, pdx.Address,
            1, 1, 1, 7, false, false, false);
        Kit.Close(expectedDx, pdx.Data, 1e-6, 1e-5, "dx");
        Assert.That(dg, Is.EqualTo(dgBefore), "dg was not passed, so it must be untouched");
    }

    private static void Backward(int[] shape, bool accumulate)
    {
        (int n, int c, int cm, int hw) = (shape[0], shape[1], shape[2], shape[3]);
        int total = n * c * hw, maskTotal = n * cm * hw;
        float[] m = Kit.Random(maskTotal, 1, 0f, 1f), g = Kit.Random(total, 2), x = Kit.Random(total, 3), dy = Kit.Random(total, 4);
        float[] dm = Prior(maskTotal, 5, accumulate), dg = Prior(total, 6, accumulate), dx = Prior(total, 7, accumulate);
        double[] edm = Kit.ToDouble(dm), edg = Kit.ToDouble(dg), edx = Kit.ToDouble(dx);
        MaskBlendReference.Backward<double>(Kit.ToDouble(m), Kit.ToDouble(g), Kit.ToDouble(x), Kit.ToDouble(dy), edm, edg, edx,
            n, c, cm, hw, accumulate, accumulate, accumulate);

        using Pinned pm = new(m), pg = new(g), px = new(x), pdy = new(dy), pdm = new(dm), pdg = new(dg), pdx = new(dx);
        MaskBlendCuda.Backward(EmulatorLauncher.Instance, pm.Address, pg.Address, px.Address, pdy.Address, pdm.Address, pdg.Address,
            pdx.Address, n, c, cm, hw, accumulate, accumulate, accumulate);
        Kit.Close(edm, dm, 1e-5, 1e-5, "dm");
        Kit.Close(edg, dg, 1e-6, 1e-5, "dg");
        Kit.Close(edx, dx, 1e-6, 1e-5, "dx");
    }

    /// <summary>Prior gradient contents: random when accumulating, NaN when the kernel must overwrite.</summary>
    internal static float[] Prior(int count, int seed, bool accumulate)
        => accumulate ? Kit.Random(count, seed) : Enumerable.Repeat(float.NaN, count).ToArray();
}
