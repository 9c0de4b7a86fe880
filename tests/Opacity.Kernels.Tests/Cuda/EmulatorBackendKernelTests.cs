// The CUDA backend's generic kernels (kernels/cu/broadcast.cu, dense.cu) in the host emulator vs the
// scalar references, at shapes the op catalog does not reach: broadcast and reduce-to over
// interleaved kept/reduced dims (coalescing), every GEMM transpose combination with accumulate, and
// direct convolution with stride, padding and dilation (forward, both backward, bias) accumulating.
// spatial.cu is covered through CudaBackend by DeviceCatalogTests ("emulated-cuda") in Opacity.Tensor.Tests.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorBackendKernelTests
{

    [TestCase(0, new[] { 2, 3, 4, 5 }, new[] { 1, 3, 1, 5 })]
    [TestCase(1, new[] { 3, 1, 4, 6 }, new[] { 3, 1, 1, 6 })]
    [TestCase(2, new[] { 2, 3, 4, 5, 2 }, new[] { 2, 3, 1, 1, 2 })]
    [TestCase(3, new[] { 7, 9 }, new[] { 1, 9 })]
    public void Binary_and_reduce_to_match_the_reference(int kind, int[] shape, int[] bShape)
    {
        int n = shape.Aggregate(1, (p, d) => p * d), nb = bShape.Aggregate(1, (p, d) => p * d);
        float[] a = Kit.Random(n, 1), b = Kit.AwayFromZero(nb, 2);
        int[] sa = Kit.BroadcastStrides(shape, shape), sb = Kit.BroadcastStrides(shape, bShape);
        var want = new double[n];
        BroadcastReference.Binary((BinaryKind)kind, Kit.ToDouble(a), sa, Kit.ToDouble(b), sb, want, shape);
        using Pinned pa = new(a), pb = new(b), py = new(new float[n]);
        BroadcastCuda.Binary(EmulatorLauncher.Instance, kind, pa.Address, sa, pb.Address, sb, py.Address, shape);
        Kit.Close(want, py.Data, 1e-5, 1e-5, $"binary {kind}");

        var red = new double[nb];
        Array.Fill(red, 0.5);
        BroadcastReference.ReduceTo(Kit.ToDouble(py.Data), shape, red, sb, accumulate: true);
        float[] got = Enumerable.Repeat(0.5f, nb).ToArray();
        using Pinned pr = new(got);
        BroadcastCuda.ReduceTo(EmulatorLauncher.Instance, py.Address, shape, pr.Address, sb, accumulate: true);
        Kit.Close(red, pr.Data, 1e-4, 1e-5, "reduce_to");
    }

    [Test]
    public void Five_unmergeable_broadcast_dims_are_refused_with_the_limit()
    {
        int[] shape = [2, 3, 4, 5, 2], bShape = [2, 1, 4, 1, 2];
        using Pinned p = new(new float[240]);
        var e = Assert.Throws<NotSupportedException>(() => BroadcastCuda.Binary(EmulatorLauncher.Instance, 0, p.Address, Kit.BroadcastStrides(shape, shape),
            p.Address, Kit.BroadcastStrides(shape, bShape), p.Address, shape));
        Assert.That(e!.Message, Does.Contain("at most 4"));
    }

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void Gemm_matches_the_reference_for_every_transpose(bool transA, bool transB)
    {
        const int m = 13, n = 7, k = 37;
        float[] a = Kit.Random(m * k, 3), b = Kit.Random(k * n, 4), c = Kit.Random(m * n, 5);
        double[] want = Kit.ToDouble(c);
        GemmReference.Gemm(transA, transB, m, n, k, 1.0, Kit.ToDouble(a), transA ? m : k, Kit.ToDouble(b), transB ? k : n, 1.0, want, n);
        using Pinned pa = new(a), pb = new(b), pc = new(c);
        DenseCuda.Gemm(EmulatorLauncher.Instance, transA, transB, m, n, k, pa.Address, pb.Address, pc.Address, accumulate: true);
        Kit.Close(want, pc.Data, 1e-4, 1e-5, "gemm");
    }

    [Test]
    public void Direct_conv_matches_the_reference_forward_and_backward()
    {
        var g = new ConvGeometry(2, 3, 9, 8, 4, 3, 3, 2, 1, 2, 1, 2, 1);
        float[] x = Kit.Random((int)g.XLength, 6), w = Kit.Random((int)g.WLength, 7), bias = Kit.Random(4, 8);
        float[] dy = Kit.Random((int)g.YLength, 9), y0 = Kit.Random((int)g.YLength, 10), dx0 = Kit.Random((int)g.XLength, 11), dw0 = Kit.Random((int)g.WLength, 12);
        double[] y = Kit.ToDouble(y0), dx = Kit.ToDouble(dx0), dw = Kit.ToDouble(dw0), db = [1, 2, 3, 4];
        ConvReference.Forward(g, Kit.ToDouble(x), Kit.ToDouble(w), Kit.ToDouble(bias), y, accumulate: true);
        ConvReference.BackwardInput(g, Kit.ToDouble(w), Kit.ToDouble(dy), dx, accumulate: true);
        ConvReference.BackwardWeight(g, Kit.ToDouble(x), Kit.ToDouble(dy), dw, accumulate: true);
        ConvReference.BackwardBias(g, Kit.ToDouble(dy), db, accumulate: true);
        using Pinned px = new(x), pw = new(w), pb = new(bias), pdy = new(dy), py = new(y0), pdx = new(dx0), pdw = new(dw0), pdb = new([1f, 2f, 3f, 4f]);
        var l = EmulatorLauncher.Instance;
        DenseCuda.ConvForward(l, g, px.Address, pw.Address, pb.Address, py.Address, accumulate: true);
        DenseCuda.ConvBackwardInput(l, g, pw.Address, pdy.Address, pdx.Address, accumulate: true);
        DenseCuda.ConvBackwardWeight(l, g, px.Address, pdy.Address, pdw.Address, accumulate: true);
        DenseCuda.ConvBackwardBias(l, g, pdy.Address, pdb.Address, accumulate: true);
        Kit.Close(y, py.Data, 1e-4, 1e-5, "conv forward");
        Kit.Close(dx, pdx.Data, 1e-4, 1e-5, "conv backward input");
        Kit.Close(dw, pdw.Data, 1e-4, 1e-5, "conv backward weight");
        Kit.Close(db, pdb.Data, 1e-4, 1e-5, "conv backward bias");
    }
}
