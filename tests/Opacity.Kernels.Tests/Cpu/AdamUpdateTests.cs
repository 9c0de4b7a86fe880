// AdamUpdate v2 (StepSimd, MovingAverageSimd: vectorised, threaded) against v1 (the scalar double loop) bit for bit:
// lengths around the vector width and the threading threshold, both weight decays, early and late steps. A training
// run's parameters must not move when the update is vectorised.
using Opacity.Kernels.Cpu;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class AdamUpdateTests
{
    private static readonly int[] Lengths = [0, 1, 7, 8, 9, 17, 33, 1000, AdamUpdate.ParallelMin + 13, 3 * AdamUpdate.ParallelMin + 5];

    [TestCase(0.0, false, 1L)]
    [TestCase(0.0, false, 1000L)]
    [TestCase(0.01, false, 7L)]
    [TestCase(0.01, true, 7L)]
    public void Simd_step_is_bit_for_bit_the_scalar_step(double weightDecay, bool decoupled, long step)
    {
        foreach (int n in Lengths)
        {
            float[] p = CloseAssert.Random(n, 1), g = CloseAssert.Random(n, 2), m = CloseAssert.Random(n, 3);
            float[] v = CloseAssert.Random(n, 4).Select(x => x * x).ToArray();
            if (n > 3) { g[1] = 0f; g[2] = 1e-30f; v[3] = 0f; }   // zero and tiny gradients, a zero second moment
            float[] p1 = (float[])p.Clone(), m1 = (float[])m.Clone(), v1 = (float[])v.Clone();
            float[] p2 = (float[])p.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone();
            AdamUpdate.Step<float>(p1, g, m1, v1, 5e-4, 0.5, 0.999, 1e-8, weightDecay, decoupled, step);
            AdamUpdate.StepSimd(p2, g, m2, v2, 5e-4, 0.5, 0.999, 1e-8, weightDecay, decoupled, step);
            AssertBits(p1, p2, $"p, n = {n}");
            AssertBits(m1, m2, $"m, n = {n}");
            AssertBits(v1, v2, $"v, n = {n}");
            if (n > 0) Assert.That(p2, Is.Not.EqualTo(p), "the update changed nothing");
        }
    }

    [Test]
    public void Simd_moving_average_is_bit_for_bit_the_scalar_one()
    {
        foreach (int n in Lengths)
        {
            float[] theta = CloseAssert.Random(n, 5), a1 = CloseAssert.Random(n, 6), a2 = (float[])a1.Clone();
            AdamUpdate.MovingAverage(a1, theta, 0.999);
            AdamUpdate.MovingAverageSimd(a2, theta, 0.999);
            AssertBits(a1, a2, $"average, n = {n}");
        }
    }

    [Test]
    public void Simd_step_rejects_spans_of_different_lengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => AdamUpdate.StepSimd(new float[4], new float[4], new float[3], new float[4], 1e-3, 0.9, 0.999, 1e-8, 0, false, 1));
        Assert.That(ex!.Message, Does.Contain("4, 4, 3, 4"));
    }

    private static void AssertBits(float[] want, float[] got, string what)
    {
        for (int i = 0; i < want.Length; i++)
            if (BitConverter.SingleToInt32Bits(want[i]) != BitConverter.SingleToInt32Bits(got[i]))
                Assert.Fail($"{what}: element {i} is {got[i]:R}, the scalar update gives {want[i]:R}");
    }
}
