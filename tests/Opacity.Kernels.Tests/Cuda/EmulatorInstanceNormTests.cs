// kernels/cu/instance_norm.cu (two block reductions per plane; backward loops over the batch per channel)
// in the host emulator vs InstanceNormReference, with and without affine parameters and accumulation.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorInstanceNormTests
{
    private const float Eps = 1e-5f;

    private static readonly object[] Cases =
    [
        new object[] { 1, 1, 1, true }, new object[] { 1, 1, 7, false }, new object[] { 1, 1, 4097, true },
        new object[] { 3, 5, 17 * 19, true }, new object[] { 3, 5, 17 * 19, false },
    ];

    [TestCaseSource(nameof(Cases))]
    public void Forward_and_backward_match_reference(int n, int c, int hw, bool affine)
    {
        int total = n * c * hw;
        float[] x = Kit.Random(total, 1, -3f, 5f), dy = Kit.Random(total, 2);
        float[] gamma = affine ? Kit.Random(c, 3, 0.5f, 1.5f) : [], beta = affine ? Kit.Random(c, 4) : [];

        var ey = new double[total];
        var emean = new double[n * c];
        var erstd = new double[n * c];
        InstanceNormReference.Forward<double>(Kit.ToDouble(x), Kit.ToDouble(gamma), Kit.ToDouble(beta), ey, emean, erstd, n, c, hw, Eps);

        using Pinned px = new(x), pg = new(gamma), pb = new(beta), py = new(new float[total]),
            pmean = new(new float[n * c]), prstd = new(new float[n * c]);
        ulong g = affine ? pg.Address : 0, b = affine ? pb.Address : 0;
        InstanceNormCuda.Forward(EmulatorLauncher.Instance, px.Address, g, b, py.Address, pmean.Address, prstd.Address, n, c, hw, Eps);
        Kit.Close(emean, pmean.Data, 1e-5, 1e-5, "mean");
        Kit.Close(erstd, prstd.Data, 1e-4, 1e-4, "rstd");
        Kit.Close(ey, py.Data, 1e-4, 1e-4, "y");

        // Backward from the reference's saved statistics (as floats), accumulating into random priors.
        float[] mean = Array.ConvertAll(emean, v => (float)v), rstd = Array.ConvertAll(erstd, v => (float)v);
        float[] dx = Kit.Random(total, 5), dgamma = Kit.Random(c, 6), dbeta = Kit.Random(c, 7);
        double[] edx = Kit.ToDouble(dx), edgamma = Kit.ToDouble(dgamma), edbeta = Kit.ToDouble(dbeta);
        InstanceNormReference.Backward<double>(Kit.ToDouble(x), Kit.ToDouble(gamma), Kit.ToDouble(mean), Kit.ToDouble(rstd),
            Kit.ToDouble(dy), edx, edgamma, edbeta, n, c, hw, accumulateDx: true, accumulateParams: true);
        using Pinned pm2 = new(mean), pr2 = new(rstd), pdy = new(dy), pdx = new(dx), pdg = new(dgamma), pdb = new(dbeta);
        InstanceNormCuda.Backward(EmulatorLauncher.Instance, px.Address, g, pm2.Address, pr2.Address, pdy.Address, pdx.Address,
            pdg.Address, pdb.Address, n, c, hw, accumulateDx: true, accumulateParams: true);
        Kit.Close(edx, dx, 1e-4, 1e-4, "dx");
        Kit.Close(edgamma, dgamma, 1e-3, 1e-4, "dgamma");
        Kit.Close(edbeta, dbeta, 1e-3, 1e-4, "dbeta");
    }

    [Test]
    public void Backward_overwrites_when_not_accumulating()
    {
        const int n = 2, c = 3, hw = 45;
        float[] x = Kit.Random(n * c * hw, 1), dy = Kit.Random(n * c * hw, 2), gamma = Kit.Random(c, 3, 0.5f, 1.5f);
        var mean = new double[n * c];
        var rstd = new double[n * c];
        InstanceNormReference.Forward<double>(Kit.ToDouble(x), Kit.ToDouble(gamma), [], new double[n * c * hw], mean, rstd, n, c, hw, Eps);
        var edx = new double[n * c * hw];
        var edg = new double[c];
        var edb = new double[c];
        InstanceNormReference.Backward<double>(Kit.ToDouble(x), Kit.ToDouble(gamma), mean, rstd, Kit.ToDouble(dy), edx, edg, edb,
            n, c, hw, false, false);
        float[] fm = Array.ConvertAll(mean, v => (float)v), fr = Array.ConvertAll(rstd, v => (float)v);
        using Pinned px = new(x), pg = new(gamma), pm = new(fm), pr = new(fr), pdy = new(dy),
            pdx = new(EmulatorMaskBlendTests.Prior(n * c * hw, 0, false)), pdg = new(EmulatorMaskBlendTests.Prior(c, 0, false)),
            pdb = new(EmulatorMaskBlendTests.Prior(c, 0, false));
        InstanceNormCuda.Backward(EmulatorLauncher.Instance, px.Address, pg.Address, pm.Address, pr.Address, pdy.Address,
            pdx.Address, pdg.Address, pdb.Address, n, c, hw, false, false);
        Kit.Close(edx, pdx.Data, 1e-4, 1e-4, "dx");
        Kit.Close(edg, pdg.Data, 1e-3, 1e-4, "dgamma");
        Kit.Close(edb, pdb.Data, 1e-3, 1e-4, "dbeta");
    }
}
