// Conv2d v7 (Winograd F(4x4, 3x3), Conv2dWinograd.cs: v5's and v6's eights, which v7 keeps wherever they
// apply, and v7's quads) against ConvReference computed in float64. Winograd's
// transforms round differently from a direct sum, so the bar is per element and scaled to the sum's size:
// |actual - exact| <= RelToAbsSum * sum(|x| |w|) over the element's window (+ a float ulp of the value itself,
// for the accumulate and bias adds). Shapes: whole and partial tiles (OH, OW not multiples of 4; OW where the
// last 16-tile group is part empty), pad 0/1/2, out channels that end in the 12x32 kernel's 4- and 8-row cuts,
// batch 3 (threaded tasks), quads (4 and 12 tiles a row, an odd run count), dw's output-channel slabs, and dx
// through the flipped forward.
// The applicability rule is pinned on the demo's shapes.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class Conv2dWinogradTests
{
    // Measured worst on these shapes: 5.7e-6 (a direct float32 sum stays near 1e-7); a wrong coefficient or a
    // misplaced tile is off by O(1) of the sum.
    private const double RelToAbsSum = 2e-5;

    private static readonly ConvGeometry[] Shapes =
    [
        new(1, 16, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        new(2, 24, 61, 53, 20, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 20, 66, 66, 28, 3, 3, 1, 1, 0, 0, 1, 1),
        new(1, 17, 60, 62, 33, 3, 3, 1, 1, 2, 2, 1, 1),
        new(3, 48, 19, 128, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 64, 13, 190, 40, 3, 3, 1, 1, 1, 1, 1, 1),
        // 8 tiles a row (32-px maps): a group's two halves lie in two tile rows; 7 tiles (27 px); odd half count.
        new(2, 48, 32, 32, 48, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 16, 27, 27, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 32, 12, 34, 16, 3, 3, 1, 1, 0, 0, 1, 1),
        // v7's quads: 4 tiles a row (a group = 4 tile rows; a part-filled last tile; an odd run count, so the last
        // half has one run), 12 tiles a row (3 runs a row), pad 2.
        new(2, 24, 16, 16, 20, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 16, 21, 16, 17, 3, 3, 1, 1, 0, 0, 1, 1),
        new(1, 16, 9, 48, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        new(1, 20, 12, 12, 16, 3, 3, 1, 1, 2, 2, 1, 1),
        // One chunk, 52 output channels: dw's two slabs of 26 rows; the forward's output-channel splits.
        new(1, 16, 16, 16, 52, 3, 3, 1, 1, 1, 1, 1, 1),
    ];

    public static IEnumerable<TestCaseData> Cases()
        => Shapes.Select(g => new TestCaseData(g).SetArgDisplayNames(
            $"N{g.Batch} C{g.InChannels}->{g.OutChannels} {g.InH}x{g.InW} p{g.PadH}"));

    [TestCaseSource(nameof(Cases))]
    public void Forward_is_within_rounding_of_the_exact_conv(ConvGeometry g)
    {
        Assume.That(Conv2dWinograd.Applies(g, quads: true), "Winograd needs AVX-512");
        float[] x = CloseAssert.Random((int)g.XLength, 11), w = CloseAssert.Random((int)g.WLength, 12);
        float[] bias = CloseAssert.Random(g.OutChannels, 13), y0 = CloseAssert.Random((int)g.YLength, 14);
        double[] scale = AbsSum(g, x, w);
        foreach (bool withBias in new[] { false, true })
            foreach (bool accumulate in new[] { false, true })
            {
                float[] b = withBias ? bias : [];
                var (exact, actual) = Start(y0, accumulate);
                ConvReference.Forward<double>(g, D(x), D(w), D(b), exact, accumulate);
                Conv2d.Forward(7, g, x, w, b, actual, accumulate);
                AssertWithin(exact, actual, scale, $"forward bias={withBias} acc={accumulate}");
            }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardInput_is_within_rounding_of_the_exact_gradient(ConvGeometry g)
    {
        var flipped = Conv2dRule.Flipped(g);
        Assume.That(Conv2dRule.BackwardInput(g, 7), Is.EqualTo(ConvDxPath.FlippedWinograd), "Winograd needs AVX-512");
        float[] w = CloseAssert.Random((int)g.WLength, 15), dy = CloseAssert.Random((int)g.YLength, 16);
        float[] dx0 = CloseAssert.Random((int)g.XLength, 17);
        float[] wFlipped = new float[w.Length];
        for (int o = 0; o < g.OutChannels; o++)
            for (int i = 0; i < g.InChannels; i++)
                for (int t = 0; t < 9; t++)
                    wFlipped[(i * g.OutChannels + o) * 9 + t] = w[(o * g.InChannels + i) * 9 + 8 - t];
        double[] scale = AbsSum(flipped, dy, wFlipped);
        foreach (bool accumulate in new[] { false, true })
        {
            var (exact, actual) = Start(dx0, accumulate);
            ConvReference.BackwardInput<double>(g, D(w), D(dy), exact, accumulate);
            Conv2d.BackwardInput(7, g, w, dy, actual, accumulate);
            AssertWithin(exact, actual, scale, $"dx acc={accumulate}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardWeight_is_within_rounding_of_the_exact_gradient(ConvGeometry g)
    {
        Assume.That(Conv2dWinograd.Applies(g, quads: true), "Winograd needs AVX-512");
        float[] x = CloseAssert.Random((int)g.XLength, 18), dy = CloseAssert.Random((int)g.YLength, 19);
        float[] dw0 = CloseAssert.Random((int)g.WLength, 20);
        // dw[k][c][r][s] sums dy[k] * x[c] shifted by (r, s) over the batch and the map: its |.| sum is the bar's scale.
        var scale = new double[dw0.Length];
        ConvReference.BackwardWeight<double>(g, x.Select(v => (double)Math.Abs(v)).ToArray(),
            dy.Select(v => (double)Math.Abs(v)).ToArray(), scale, false);
        foreach (bool accumulate in new[] { false, true })
        {
            var (exact, actual) = Start(dw0, accumulate);
            ConvReference.BackwardWeight<double>(g, D(x), D(dy), exact, accumulate);
            Conv2d.BackwardWeight(7, g, x, dy, actual, accumulate);
            AssertWithin(exact, actual, scale, $"dw acc={accumulate}");
        }
    }

    // The kernels read x and dy in place, the padding supplied by masked loads that must not touch the addresses
    // they mask (RunWindow). Here x and dy each fill whole pages between two inaccessible ones, so a plain load
    // past either end would kill the test process; the results must equal those from ordinary arrays.
    [TestCase(1, 64, 64, 1)]
    [TestCase(2, 32, 78, 2)]   // 34 x 80 output: a part-filled last run and tile row, 2 columns of padding
    [TestCase(1, 34, 32, 0)]   // 32 x 30 output: two tile rows a group, no padding, the last tile past the map
    [TestCase(1, 16, 16, 1)]   // quads: 4 tile rows a group
    public unsafe void Reads_nothing_outside_its_input_or_gradient(int batch, int height, int width, int pad)
    {
        Assume.That(OperatingSystem.IsLinux(), "guard pages are made with Linux's mmap");
        var g = new ConvGeometry(batch, 16, height, width, 16, 3, 3, 1, 1, pad, pad, 1, 1);
        Assume.That(Conv2dWinograd.Applies(g, quads: true), "Winograd needs AVX-512");
        float[] x = CloseAssert.Random((int)g.XLength, 21), w = CloseAssert.Random((int)g.WLength, 22);
        float[] dy = CloseAssert.Random((int)g.YLength, 23);
        using var gx = new GuardedFloats(x);
        var flipped = Conv2dRule.Flipped(g);                        // dx reads dy with flipped's padding
        using var gdy = new GuardedFloats(dy);
        Assert.That(Run(y => Conv2d.Forward(7, g, gx.Span, w, [], y, false), (int)g.YLength),
            Is.EqualTo(Run(y => Conv2d.Forward(7, g, x, w, [], y, false), (int)g.YLength)), "forward");
        Assert.That(Run(d => Conv2d.BackwardInput(7, g, w, gdy.Span, d, false), (int)g.XLength),
            Is.EqualTo(Run(d => Conv2d.BackwardInput(7, g, w, dy, d, false), (int)g.XLength)), $"dx ({flipped})");
        Assert.That(Run(d => Conv2d.BackwardWeight(7, g, gx.Span, gdy.Span, d, false), (int)g.WLength),
            Is.EqualTo(Run(d => Conv2d.BackwardWeight(7, g, x, dy, d, false), (int)g.WLength)), "dw");
    }

    private static float[] Run(SpanAction kernel, int length)
    {
        var result = new float[length];
        kernel(result);
        return result;
    }

    private delegate void SpanAction(Span<float> output);

    /// <summary>A copy of values ending exactly at an inaccessible page and starting right after one (their size a
    /// whole number of pages), made with mmap and mprotect.</summary>
    private sealed unsafe class GuardedFloats : IDisposable
    {
        private const int Page = 4096, ProtNone = 0, ProtReadWrite = 3, PrivateAnonymous = 0x22;
        private readonly nint _map;
        private readonly long _bytes;
        private readonly int _length;

        public GuardedFloats(float[] values)
        {
            _length = values.Length;
            long size = (long)values.Length * sizeof(float);
            Assert.That(size % Page, Is.Zero, "the shape must fill whole pages");
            _bytes = size + 2 * Page;
            _map = Mmap(0, (nint)_bytes, ProtReadWrite, PrivateAnonymous, -1, 0);
            Assert.That(_map, Is.Not.EqualTo((nint)(-1)), "mmap failed");
            Assert.That(Mprotect(_map, Page, ProtNone) | Mprotect(_map + (nint)(_bytes - Page), Page, ProtNone), Is.Zero, "mprotect failed");
            values.CopyTo(Span);
        }

        public Span<float> Span => new((void*)(_map + Page), _length);

        public void Dispose() => Assert.That(Munmap(_map, (nint)_bytes), Is.Zero, "munmap failed");

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mmap")]
        private static extern nint Mmap(nint addr, nint length, int prot, int flags, int fd, nint offset);
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mprotect")]
        private static extern int Mprotect(nint addr, nint length, int prot);
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "munmap")]
        private static extern int Munmap(nint addr, nint length);
    }

    [Test]
    public void The_rule_takes_wide_rows_with_16_or_more_channels_and_nothing_else()
    {
        Assume.That(GemmMicroKernel.Default, Is.EqualTo(GemmKernelShape.Avx512_12x32), "Winograd needs AVX-512");
        ConvGeometry Conv3x3(int c, int k, int px, int stride = 1, int dilation = 1)
            => new(1, c, px, px, k, 3, 3, stride, stride, dilation, dilation, dilation, dilation);
        Assert.That(Conv2dWinograd.Applies(Conv3x3(24, 24, 64)), "the demo U-Net's 64-px level");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(64, 64, 128)), "the conv anchor");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(48, 48, 32)), "8 tiles a row: two rows a group");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(96, 96, 16)), Is.False, "4 tiles a row fill half a half-group");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(96, 96, 16), quads: true), "v7: 4 tiles a row as one quad run");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(192, 192, 8), quads: true), Is.False, "2 tiles a row fill half a quad run");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(24, 24, 48), quads: true) && !Conv2dWinograd.Applies(Conv3x3(24, 24, 48)),
            "12 tiles a row: three quad runs, not two 8-tile runs");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(8, 24, 64)), Is.False, "too few input channels");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(24, 2, 64)), Is.False, "too few output channels");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(24, 24, 64, stride: 2)), Is.False, "stride 2");
        Assert.That(Conv2dWinograd.Applies(Conv3x3(24, 24, 64, dilation: 2)), Is.False, "dilation 2");
        Assert.That(Conv2dWinograd.Applies(new ConvGeometry(1, 24, 64, 64, 24, 4, 4, 1, 1, 1, 1, 1, 1)), Is.False, "4x4");
    }

    // sum over the window of |x| |w|: the size of the terms the output element is made of.
    private static double[] AbsSum(in ConvGeometry g, float[] x, float[] w)
    {
        var s = new double[g.YLength];
        ConvReference.Forward<double>(g, x.Select(v => (double)Math.Abs(v)).ToArray(),
            w.Select(v => (double)Math.Abs(v)).ToArray(), [], s, false);
        return s;
    }

    private static void AssertWithin(double[] exact, float[] actual, double[] scale, string what)
    {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < exact.Length; i++)
        {
            double err = Math.Abs(actual[i] - exact[i]), bound = RelToAbsSum * scale[i] + 1.2e-7 * Math.Abs(exact[i]);
            if (!(err <= bound) && (at < 0 || err / bound > worst)) { worst = err / bound; at = i; }
        }
        Assert.That(at, Is.EqualTo(-1),
            () => $"{what}: element {at} is {actual[at]}, exact {exact[at]}, beyond the rounding bound by {worst:F1}x");
    }

    private static double[] D(float[] v) => v.Select(f => (double)f).ToArray();

    // The exact result starts from init (accumulate) or zero; the kernel's output from init or NaN, which
    // accumulate = false must overwrite.
    private static (double[] Exact, float[] Actual) Start(float[] init, bool accumulate)
        => (accumulate ? D(init) : new double[init.Length],
            accumulate ? (float[])init.Clone() : Enumerable.Repeat(float.NaN, init.Length).ToArray());
}
