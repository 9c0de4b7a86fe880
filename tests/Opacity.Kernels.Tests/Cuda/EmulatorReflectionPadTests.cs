// kernels/cu/reflection_pad.cu in the host emulator vs ReflectionPadReference (the kernel's backward
// gathers, the reference scatters), including pads that reflect onto the same input from both sides.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorReflectionPadTests
{
    // planes, h, w, top, bottom, left, right
    [TestCase(1, 1, 1, 0, 0, 0, 0)]
    [TestCase(1, 1, 7, 0, 0, 3, 6)]
    [TestCase(1, 2, 2, 1, 1, 1, 1)]
    [TestCase(1, 1, 4097, 0, 0, 5, 7)]
    [TestCase(15, 17, 19, 3, 3, 3, 3)]
    [TestCase(2, 4, 5, 3, 2, 4, 1)]
    public void Forward_and_backward_match_reference(int planes, int h, int w, int top, int bottom, int left, int right)
    {
        int ho = h + top + bottom, wo = w + left + right;
        float[] x = Kit.Random(planes * h * w, 1), dy = Kit.Random(planes * ho * wo, 2);
        var ey = new double[planes * ho * wo];
        ReflectionPadReference.Forward<double>(Kit.ToDouble(x), ey, planes, h, w, top, bottom, left, right);
        using Pinned px = new(x), py = new(new float[ey.Length]);
        ReflectionPadCuda.Forward(EmulatorLauncher.Instance, px.Address, py.Address, planes, h, w, top, bottom, left, right);
        Kit.Close(ey, py.Data, 0, 0, "y");   // a copy: exact

        foreach (bool accumulate in new[] { true, false })
        {
            float[] dx = EmulatorMaskBlendTests.Prior(x.Length, 3, accumulate);
            double[] edx = Kit.ToDouble(dx);
            ReflectionPadReference.Backward<double>(Kit.ToDouble(dy), edx, planes, h, w, top, bottom, left, right, accumulate);
            using Pinned pdy = new(dy), pdx = new(dx);
            ReflectionPadCuda.Backward(EmulatorLauncher.Instance, pdy.Address, pdx.Address, planes, h, w, top, bottom, left, right, accumulate);
            Kit.Close(edx, dx, 1e-6, 1e-5, $"dx (accumulate {accumulate})");
        }
    }
}
