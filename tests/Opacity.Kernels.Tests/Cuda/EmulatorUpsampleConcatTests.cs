// kernels/cu/upsample.cu and concat.cu in the host emulator vs UpsampleReference / ConcatReference,
// forward (exact copies) and backward (accumulating into random priors, overwriting NaN priors).
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorUpsampleConcatTests
{
    private static readonly EmulatorLauncher L = EmulatorLauncher.Instance;

    [TestCase(1, 1, 1, 1, true)]
    [TestCase(1, 1, 7, 2, false)]
    [TestCase(15, 17, 19, 2, true)]
    [TestCase(2, 5, 3, 3, false)]
    public void Upsample_nearest_matches_reference(int planes, int h, int w, int s, bool accumulate)
    {
        float[] x = Kit.Random(planes * h * w, 1), dy = Kit.Random(planes * h * w * s * s, 2);
        var ey = new double[dy.Length];
        UpsampleReference.NearestForward<double>(Kit.ToDouble(x), ey, planes, h, w, s);
        float[] dx = EmulatorMaskBlendTests.Prior(x.Length, 3, accumulate);
        double[] edx = Kit.ToDouble(dx);
        UpsampleReference.NearestBackward<double>(Kit.ToDouble(dy), edx, planes, h, w, s, accumulate);

        using Pinned px = new(x), py = new(new float[dy.Length]), pdy = new(dy), pdx = new(dx);
        UpsampleCuda.NearestForward(L, px.Address, py.Address, planes, h, w, s);
        UpsampleCuda.NearestBackward(L, pdy.Address, pdx.Address, planes, h, w, s, accumulate);
        Kit.Close(ey, py.Data, 0, 0, "y");
        Kit.Close(edx, dx, 1e-6, 1e-5, "dx");
    }

    [TestCase(1, 1, 1, 1, true)]
    [TestCase(3, 5, 2, 17 * 19, false)]
    [TestCase(2, 3, 7, 4097, true)]
    public void Channel_concat_matches_reference(int n, int ca, int cb, int hw, bool accumulate)
    {
        float[] a = Kit.Random(n * ca * hw, 1), b = Kit.Random(n * cb * hw, 2), dy = Kit.Random(n * (ca + cb) * hw, 3);
        var ey = new double[dy.Length];
        ConcatReference.ChannelsForward<double>(Kit.ToDouble(a), Kit.ToDouble(b), ey, n, ca, cb, hw);
        float[] da = EmulatorMaskBlendTests.Prior(a.Length, 4, accumulate), db = EmulatorMaskBlendTests.Prior(b.Length, 5, accumulate);
        double[] eda = Kit.ToDouble(da), edb = Kit.ToDouble(db);
        ConcatReference.ChannelsBackward<double>(Kit.ToDouble(dy), eda, edb, n, ca, cb, hw, accumulate, accumulate);

        using Pinned pa = new(a), pb = new(b), py = new(new float[dy.Length]), pdy = new(dy), pda = new(da), pdb = new(db);
        ConcatCuda.ChannelsForward(L, pa.Address, pb.Address, py.Address, n, ca, cb, hw);
        ConcatCuda.ChannelsBackward(L, pdy.Address, pda.Address, pdb.Address, n, ca, cb, hw, accumulate, accumulate);
        Kit.Close(ey, py.Data, 0, 0, "y");
        Kit.Close(eda, da, 1e-6, 1e-5, "da");
        Kit.Close(edb, db, 1e-6, 1e-5, "db");
    }
}
