// The v2 kernels that the launchers pick by shape (binary and reduce-to: rows of the innermost dim;
// softmax: a warp per row; norm statistics: one pass; norm apply: per-plane grid rows; padding, resize
// and max-pool backward: gathers) in the host emulator vs the scalar references,
// each at shapes on both sides of the launcher's rule, forced to v1 and to v2 and left to the rule, so
// every path the backend can take is checked. Shapes cross the block and warp sizes (tails, idle lanes).
// Max-pool backward v2 promises v1's float additions in v1's order, so it is compared bit for bit.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorVersion2Tests
{
    private static readonly int[] Versions = [1, 2, BroadcastCuda.ByShape];

    // same shape (one long row), bias over channels, channel broadcast over planes, a short inner dim, rows > 1 with a tail
    [TestCase(0, new[] { 3, 700 }, new[] { 3, 700 })]
    [TestCase(1, new[] { 2, 3, 300 }, new[] { 1, 3, 1 })]
    [TestCase(2, new[] { 2, 5, 129 }, new[] { 2, 5, 1 })]
    [TestCase(3, new[] { 4, 6, 5 }, new[] { 1, 6, 5 })]
    [TestCase(0, new[] { 2, 3, 4, 260 }, new[] { 2, 1, 4, 260 })]
    public void Binary_v1_v2_and_the_rule_match_the_reference(int kind, int[] shape, int[] bShape)
    {
        int n = shape.Aggregate(1, (p, d) => p * d), nb = bShape.Aggregate(1, (p, d) => p * d);
        float[] a = Kit.Random(n, 21), b = Kit.AwayFromZero(nb, 22);
        int[] sa = Kit.BroadcastStrides(shape, shape), sb = Kit.BroadcastStrides(shape, bShape);
        var want = new double[n];
        BroadcastReference.Binary((BinaryKind)kind, Kit.ToDouble(a), sa, Kit.ToDouble(b), sb, want, shape);
        foreach (int version in Versions)
        {
            using Pinned pa = new(a), pb = new(b), py = new(new float[n]);
            BroadcastCuda.Binary(EmulatorLauncher.Instance, kind, pa.Address, sa, pb.Address, sb, py.Address, shape, version);
            Kit.Close(want, py.Data, 1e-6, 1e-6, $"binary {kind} v{version}");
        }
    }

    // rows of 256 (the bench), bias gradient N,C,HW -> C (two reduced dims), reduced dim too short for v2, reduce over the leading dim
    [TestCase(new[] { 37, 256 }, new[] { 37, 1 })]
    [TestCase(new[] { 3, 4, 70 }, new[] { 1, 4, 1 })]
    [TestCase(new[] { 5, 9, 7 }, new[] { 5, 9, 1 })]
    [TestCase(new[] { 40, 6 }, new[] { 1, 6 })]
    [TestCase(new[] { 2, 3, 5, 33 }, new[] { 1, 3, 1, 1 })]
    public void ReduceTo_v1_v2_and_the_rule_match_the_reference(int[] shape, int[] dstShape)
    {
        int n = shape.Aggregate(1, (p, d) => p * d), nd = dstShape.Aggregate(1, (p, d) => p * d);
        float[] src = Kit.Random(n, 23), prior = Kit.Random(nd, 24);
        int[] ds = Kit.BroadcastStrides(shape, dstShape);
        foreach (bool accumulate in new[] { false, true })
        {
            double[] want = accumulate ? Kit.ToDouble(prior) : new double[nd];
            BroadcastReference.ReduceTo(Kit.ToDouble(src), shape, want, ds, accumulate);
            foreach (int version in Versions)
            {
                using Pinned ps = new(src), pd = new((float[])prior.Clone());
                BroadcastCuda.ReduceTo(EmulatorLauncher.Instance, ps.Address, shape, pd.Address, ds, accumulate, version);
                Kit.Close(want, pd.Data, 1e-5, 1e-5, $"reduce_to v{version} accumulate={accumulate}");
            }
        }
    }

    // rows of 64 (the bench), axis shorter than a warp, axis with a tail past 32, inner > 1 (the rule keeps v1; v2 forced still right)
    [TestCase(9, 64, 1)]
    [TestCase(5, 7, 1)]
    [TestCase(3, 75, 1)]
    [TestCase(2, 10, 6)]
    public void Softmax_v2_matches_the_reference(int outer, int axis, int inner)
    {
        int n = outer * axis * inner;
        float[] x = Kit.Random(n, 25, -6f, 6f);
        foreach (bool log in new[] { false, true })
        {
            var want = new double[n];
            Softmax.Forward<double>(log, Kit.ToDouble(x), outer, axis, inner, want);
            foreach (int version in Versions)
            {
                using Pinned px = new(x), py = new(new float[n]);
                SpatialCuda.Softmax(EmulatorLauncher.Instance, log, px.Address, outer, axis, inner, py.Address, version);
                Kit.Close(want, py.Data, 1e-6, 1e-5, $"softmax log={log} v{version}");
            }
        }
    }

    // instance norm (per plane), batch norm (per channel over the batch), a plane past one 1024-thread pass, an offset mean
    [TestCase(2, 3, 50, true, 0f)]
    [TestCase(3, 2, 41, false, 0f)]
    [TestCase(1, 2, 4500, true, 0f)]
    [TestCase(2, 2, 300, true, 100f)]
    public void Norm_statistics_and_apply_v2_match_the_reference(int n, int c, int hw, bool perInstance, float offset)
    {
        int total = n * c * hw, groups = perInstance ? n * c : c;
        float[] x = Array.ConvertAll(Kit.Random(total, 26, -3f, 5f), v => v + offset);
        float[] gamma = Kit.Random(c, 27, 0.5f, 1.5f), beta = Kit.Random(c, 28);
        double[] y = new double[total], mean = new double[groups], rstd = new double[groups];
        NormalizationReference.Forward<double>(Kit.ToDouble(x), n, c, hw, perInstance, 1e-5, Kit.ToDouble(gamma), Kit.ToDouble(beta), y, mean, rstd);
        foreach (int version in Versions)
        {
            using Pinned px = new(x), pm = new(new float[groups]), pr = new(new float[groups]), pg = new(gamma), pb = new(beta), py = new(new float[total]);
            SpatialCuda.NormStatistics(EmulatorLauncher.Instance, px.Address, n, c, hw, perInstance, 1e-5f, pm.Address, pr.Address, version);
            Kit.Close(mean, pm.Data, 1e-5, 1e-6, $"mean v{version}");
            Kit.Close(rstd, pr.Data, 1e-6, 1e-5, $"rstd v{version}");
            SpatialCuda.NormApply(EmulatorLauncher.Instance, px.Address, n, c, hw, perInstance, pm.Address, pr.Address, pg.Address, pb.Address, py.Address, version);
            Kit.Close(y, py.Data, 1e-4, 1e-5, $"apply v{version}");
        }
    }

    // reflection 1 and 3 (the generators), asymmetric, pads of side - 1 (the most one reflection allows), a 1-pixel
    // side with zero padding, and zero padding wider than its side (no reflection, so v2 holds)
    [TestCase(true, 3, 6, 7, 1, 1, 1, 1)]
    [TestCase(true, 2, 9, 8, 3, 3, 3, 3)]
    [TestCase(true, 2, 5, 6, 0, 2, 4, 1)]
    [TestCase(true, 1, 4, 4, 3, 3, 3, 3)]
    [TestCase(false, 2, 1, 5, 2, 1, 0, 3)]
    [TestCase(false, 2, 3, 3, 4, 4, 4, 4)]
    public void Pad_backward_v1_v2_and_the_rule_match_the_reference(bool reflect, int planes, int h, int w, int top, int bottom, int left, int right)
    {
        int oh = h + top + bottom, ow = w + left + right;
        float[] dy = Kit.Random(planes * oh * ow, 29), prior = Kit.Random(planes * h * w, 30);
        PadMode mode = reflect ? PadMode.Reflect : PadMode.Zero;
        foreach (bool accumulate in new[] { false, true })
        {
            double[] want = accumulate ? Kit.ToDouble(prior) : new double[prior.Length];
            PaddingReference.Backward<double>(mode, Kit.ToDouble(dy), planes, h, w, top, bottom, left, right, want, accumulate);
            foreach (int version in Versions)
            {
                using Pinned pdy = new(dy), pdx = new((float[])prior.Clone());
                SpatialCuda.PadBackward(EmulatorLauncher.Instance, reflect, pdy.Address, planes, h, w, top, bottom, left, right, pdx.Address, accumulate, version);
                Kit.Close(want, pdx.Data, 1e-5, 1e-5, $"pad backward v{version} accumulate={accumulate}");
            }
        }
    }

    [Test]
    public void Pad_backward_v2_refuses_a_reflection_pad_as_wide_as_its_side()
    {
        using Pinned p = new(new float[100]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SpatialCuda.PadBackward(EmulatorLauncher.Instance, true, p.Address, 1, 3, 3, 3, 0, 0, 0, p.Address, false, 2));
        Assert.That(e!.Message, Does.Contain("below its side"));
    }

    // bilinear and nearest x2 (the U-Net), odd non-integer scales up and down, a 1-pixel input (every output clamps to it)
    [TestCase(true, 2, 5, 6, 10, 12)]
    [TestCase(false, 2, 5, 6, 10, 12)]
    [TestCase(true, 1, 7, 3, 17, 11)]
    [TestCase(false, 3, 9, 8, 4, 5)]
    [TestCase(true, 2, 9, 8, 4, 5)]
    [TestCase(true, 1, 1, 1, 5, 3)]
    public void Resize_backward_v1_v2_and_the_rule_match_the_reference(bool bilinear, int planes, int h, int w, int oh, int ow)
    {
        float[] dy = Kit.Random(planes * oh * ow, 31), prior = Kit.Random(planes * h * w, 32);
        foreach (bool accumulate in new[] { false, true })
        {
            double[] want = accumulate ? Kit.ToDouble(prior) : new double[prior.Length];
            Upsample.Backward<double>(bilinear, Kit.ToDouble(dy), planes, h, w, oh, ow, want, accumulate);
            foreach (int version in Versions)
            {
                using Pinned pdy = new(dy), pdx = new((float[])prior.Clone());
                SpatialCuda.ResizeBackward(EmulatorLauncher.Instance, bilinear, pdy.Address, planes, h, w, oh, ow, pdx.Address, accumulate, version);
                Kit.Close(want, pdx.Data, 1e-5, 1e-5, $"resize backward bilinear={bilinear} v{version} accumulate={accumulate}");
            }
        }
    }

    // k2 s2 (the U-Net and classifier pools); k3 s2 p1 at odd sizes; k3 s1 p1 (InceptionE: overlapping windows, one
    // pixel the max of several); odd sizes whose last row/column no window reaches; a stride longer than the window
    // (pixels between windows); k4 s1 p2 (up to 16 windows per pixel); tied values (the first maximum wins)
    [TestCase(3, 8, 8, 2, 2, 0, false)]
    [TestCase(2, 9, 7, 3, 2, 1, false)]
    [TestCase(2, 7, 9, 3, 1, 1, false)]
    [TestCase(1, 6, 5, 3, 2, 0, false)]
    [TestCase(2, 7, 8, 2, 3, 1, false)]
    [TestCase(1, 4, 5, 4, 1, 2, false)]
    [TestCase(2, 9, 7, 3, 1, 1, true)]
    public void Max_pool_backward_v2_is_bit_identical_to_v1_and_the_cpu(int planes, int h, int w, int k, int s, int pad, bool ties)
    {
        int oh = Pooling.OutSize(h, k, s, pad), ow = Pooling.OutSize(w, k, s, pad), n = planes * h * w, m = planes * oh * ow;
        float[] x = Kit.Random(n, 33);
        if (ties) x = Array.ConvertAll(x, v => MathF.Round(v));   // five values: most windows hold a tie
        float[] dy = Kit.Random(m, 34), prior = Kit.Random(n, 35);
        int[] argmax = new int[m];
        PoolingReference.MaxForward<float>(x, planes, h, w, k, s, pad, new float[m], argmax);
        int most = argmax.GroupBy(a => a).Max(g => g.Count());
        if (s < k) Assert.That(most, Is.GreaterThan(1), "overlapping windows: the data must make some pixel the max of several");
        foreach (bool accumulate in new[] { false, true })
        {
            float[] cpu = (float[])prior.Clone();
            Pooling.MaxBackward<float>(dy, argmax, cpu, n, accumulate);
            double[] want = accumulate ? Kit.ToDouble(prior) : new double[n];
            PoolingReference.MaxBackward<double>(Kit.ToDouble(dy), argmax, want, n, accumulate);
            Kit.Close(want, cpu, 1e-6, 1e-6, $"cpu float max-pool backward accumulate={accumulate}");
            foreach (int version in Versions)
            {
                using Pinned pdy = new(dy), pdx = new((float[])prior.Clone());
                using PinnedInts pa = new(argmax);
                SpatialCuda.MaxPoolBackward(EmulatorLauncher.Instance, pdy.Address, pa.Address, planes, h, w, k, s, pad, pdx.Address, accumulate, version);
                Kit.BitIdentical(cpu, pdx.Data, $"max-pool backward v{version} accumulate={accumulate} (most windows per argmax {most})");
            }
        }
    }

    [Test]
    public void Max_pool_backward_default_launches_v2_over_every_input_pixel()
    {
        var recorder = new Recorder();
        // 800 input pixels: more than one block, so v2's grid is told apart from v1's (one thread per plane)
        using Pinned pdy = new(new float[2 * 9 * 9]), pdx = new(new float[2 * 20 * 20]);
        using PinnedInts pa = new(new int[2 * 9 * 9]);
        SpatialCuda.MaxPoolBackward(recorder, pdy.Address, pa.Address, 2, 20, 20, 3, 2, 0, pdx.Address, false);
        Assert.That(recorder.Launched, Is.EqualTo(new[] { "opk_max_pool_bwd_v2" }));
        Assert.That(recorder.Threads, Is.GreaterThanOrEqualTo(2 * 20 * 20));
    }

    /// <summary>Records each launch's kernel and thread count, then runs it on the emulator.</summary>
    private sealed class Recorder : IKernelLauncher
    {
        public List<string> Launched { get; } = [];

        public long Threads { get; private set; }

        public void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args)
        {
            Launched.Add(kernel.Name);
            Threads = (long)grid.X * grid.Y * grid.Z * block.X * block.Y * block.Z;
            EmulatorLauncher.Instance.Launch(kernel, grid, block, sharedBytes, ref args);
        }
    }
}
