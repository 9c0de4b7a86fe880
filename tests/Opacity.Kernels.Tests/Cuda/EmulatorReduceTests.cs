// kernels/cu/reduce.cu (warp shuffles + __shared__ per-warp sums + __syncthreads) in the host emulator
// vs ReduceReference.Sum, at sizes that leave partial warps and partial blocks.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorReduceTests
{
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(33)]
    [TestCase(4097)]
    [TestCase(3 * 5 * 17 * 19)]
    public void Sum_matches_reference(int count)
    {
        float[] x = Kit.Random(count, count);
        double expected = ReduceReference.Sum<double>(Kit.ToDouble(x));
        using Pinned px = new(x), partials = new(new float[ReduceCuda.PartialCount(count)]), result = new(new float[1]);
        ReduceCuda.Sum(EmulatorLauncher.Instance, px.Address, count, partials.Address, result.Address);
        Kit.Close([expected], result.Data, 1e-4, 1e-5, $"sum of {count}");
    }

    [Test]
    public void Sum_of_ones_is_exact_with_many_blocks()
    {
        // 8191 ones: 32 blocks in pass 1, a partial last warp; every partial sum is an exact float.
        float[] x = Enumerable.Repeat(1f, 8191).ToArray();
        using Pinned px = new(x), partials = new(new float[ReduceCuda.PartialCount(x.Length)]), result = new(new float[1]);
        ReduceCuda.Sum(EmulatorLauncher.Instance, px.Address, x.Length, partials.Address, result.Address);
        Assert.That(result.Data[0], Is.EqualTo(8191f));
    }
}
