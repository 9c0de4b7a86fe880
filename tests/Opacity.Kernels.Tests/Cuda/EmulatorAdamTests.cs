// kernels/cu/adam.cu in the host emulator vs AdamReference over three consecutive steps (bias
// corrections change every step), with and without weight decay.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorAdamTests
{
    [TestCase(1, 0f)]
    [TestCase(7, 0f)]
    [TestCase(4097, 0.01f)]
    [TestCase(3 * 5 * 17 * 19, 0f)]
    public void Three_steps_match_reference(int count, float weightDecay)
    {
        const float lr = 2e-4f, beta1 = 0.5f, beta2 = 0.999f, eps = 1e-8f;   // the CycleGAN recipe
        float[] p = Kit.Random(count, 1), m = new float[count], v = new float[count];
        double[] ep = Kit.ToDouble(p), em = new double[count], ev = new double[count];
        using Pinned pp = new(p), pm = new(m), pv = new(v);
        for (int step = 1; step <= 3; step++)
        {
            float[] g = Kit.Random(count, 10 + step);
            AdamReference.Step<double>(ep, Kit.ToDouble(g), em, ev, step, lr, beta1, beta2, eps, weightDecay);
            using Pinned pg = new(g);
            AdamCuda.Step(EmulatorLauncher.Instance, pp.Address, pg.Address, pm.Address, pv.Address, count, step, lr, beta1, beta2, eps, weightDecay);
        }
        Kit.Close(em, m, 1e-6, 1e-5, "m");
        Kit.Close(ev, v, 1e-6, 1e-5, "v");
        Kit.Close(ep, p, 1e-6, 1e-5, "p");
    }
}
