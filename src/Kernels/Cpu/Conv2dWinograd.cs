// Conv2d v5 forward for 3x3, stride-1, dilation-1 convs: Winograd F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016) with its batched products on the 12x32 SGEMM micro-kernel.
// Why: the direct kernel (Conv2dV3) and oneDNN both spend 9 multiply-adds per input channel per output pixel and
// run near what two cores give; F(4x4, 3x3) computes a 4x4 output tile from a 6x6 input tile with 36 products
// per channel pair instead of 144, so the FMA work drops 4x and the transforms (adds only) are cheap beside it.
// The price is rounding: the transforms mix values of different size, so results differ from the exact sum by
// up to ~1e-5 of sum |x| |w| (measured 5.7e-6; a direct float32 sum stays near 1e-7). Larger tiles save more
// products and lose more precision; F(4x4, 3x3) is the usual float32 choice.
// Layout (C = in channels, K = out channels, one "group" = 16 4x4 output tiles: two runs of 8 adjacent tiles,
// from one tile row or, on 32-px maps, from two; v7's quads also take four runs of 4, TileLayout):
//   U[xi][kb][c][12]       G g G^T of every (k, c) filter, packed as the micro-kernel's 12-row A slivers
//   V[xi][s][c][32]        B^T d B of each input tile: lane = tile, a 32-lane sliver = two groups
//   M[xi][s][kpad][32]     M_xi = U_xi V_xi, 36 independent (K x C)(C x 32) products per sliver
//   y tile = A^T M A       + bias, interleaved back to 16 contiguous pixels per 4-tile segment and output row
// The input tiles are read in place, the conv's zero padding supplied by masked loads (RunWindow, in
// Conv2dWinogradLanes.cs, with the permutes that separate stride-4 tile columns into lanes). Each task (image, a
// few slivers, a range of output-channel blocks) owns its V and M (thread-static, L2-sized), and every output
// element's sum is the same whichever task makes it, so the result does not depend on the core count. Rows of
// fewer than 7 tiles (output width < 25) would waste more than a fifth of each 8-lane run and stay on v4's paths
// (v7: unless 4-tile runs fill them), as do convs with fewer than 16 input or output channels, where the
// transforms cost more than the products saved (quick-conv-shapes; Conv2dRule.cs).
// Tested by Conv2dWinogradTests (against ConvReference in float64, the bar scaled to sum |x| |w|) and Conv2dTests
// (versions 5 to 7 on every shape); timed by ConvBench / quick-conv-shapes.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dWinograd
{
    // A group fills 16 lanes with two "halves" of 8 tiles (TileLayout): a run of 8 horizontally adjacent tiles
    // (32 output columns) or, in v7's quads, two runs of 4; halves are numbered along tile rows, so one group is
    // 16 tiles of one row, the 8 tiles of two rows (32-px maps) or the 4 tiles of four rows (16-px maps, quads).
    internal const int Alpha = 6, Xi = Alpha * Alpha, Lanes = 16, HalfTiles = 8, HalfCols = 4 * HalfTiles, Nr = 32, Mr = 12;

    /// <summary>Below this many input or output channels the transforms cost more than the products they save.</summary>
    internal const int MinChannels = 16;

    private const int ScratchBytesPerTask = 1 << 20;

    /// <summary>Whether the kernels take g: 3x3, stride 1, >= 16 channels each side, and rows that 8-tile runs fill
    /// (or, with <paramref name="quads"/>, v7's rule, 4-tile runs).</summary>
    public static bool Applies(in ConvGeometry g, bool quads = false)
    {
        if (!Avx512F.IsSupported || GemmMicroKernel.Default != GemmKernelShape.Avx512_12x32) return false;
        if (g.KernelH != 3 || g.KernelW != 3 || g.StrideH != 1 || g.StrideW != 1 || g.DilationH != 1 || g.DilationW != 1)
            return false;
        if (g.InChannels < MinChannels || g.OutChannels < MinChannels) return false;
        return TileLayout.For(g, quads) is not null;
    }

    /// <summary>The layout the kernels use for g (eights where they apply; which convs come here is the rule's choice).</summary>
    internal static TileLayout Layout(in ConvGeometry g)
        => Applies(g, quads: true) ? TileLayout.For(g, quads: true)!.Value
            : throw new InvalidOperationException($"Winograd F(4x4, 3x3) does not apply to {g}.");

    public static void Forward(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
        => Forward(g, x, w, flipped: false, bias, y, accumulate);

    /// <summary>dx (+)= the forward of dy through the flipped weights (pad 2 - P): w (OC, IC, 3, 3) of the conv g is read
    /// as the flipped conv's (IC, OC, 3, 3) filters rotated by 180 degrees while its filters are transformed, so no
    /// flipped copy of w is made (the same values, so the same result as a forward on such a copy).</summary>
    public static void BackwardInput(in ConvGeometry g, float* w, float* dy, float* dx, bool accumulate)
        => Forward(Conv2dRule.Flipped(g), dy, w, flipped: true, null, dx, accumulate);

    private static void Forward(in ConvGeometry g, float* x, float* w, bool flipped, float* bias, float* y, bool accumulate)
    {
        TileLayout layout = Layout(g);
        int c = g.InChannels, k = g.OutChannels, blocks = (k + Mr - 1) / Mr, kpad = blocks * Mr;
        int halves = layout.Halves, groups = (halves + 1) / 2, slivers = (groups + 1) / 2;
        int perTask = Math.Clamp(ScratchBytesPerTask / (Xi * (c + kpad) * Nr * sizeof(float)), 1, 8);
        int tasksPerImage = (slivers + perTask - 1) / perTask, tasks = g.Batch * tasksPerImage;
        // Fewer tasks than cores (one image of a 16-px map is a single task): split the output channels too, each
        // split transforming the same input tiles. Every output element's sum is the same whichever split makes it.
        int splits = tasks >= Environment.ProcessorCount ? 1 : Math.Min(blocks, (Environment.ProcessorCount + tasks - 1) / tasks);
        int blocksPerSplit = (blocks + splits - 1) / splits;
        splits = (blocks + blocksPerSplit - 1) / blocksPerSplit;
        float[] uArray = ArrayPool<float>.Shared.Rent(Xi * kpad * c);
        try
        {
            fixed (float* u = uArray)
            {
                TransformWeights(w, k, c, blocks, flipped, u);
                var job = new Job(g, layout, u, x, y, bias, accumulate, c, k, kpad, slivers, perTask);
                long macs = (long)g.Batch * halves * HalfTiles * Xi * c * k;
                void RunTask(int t)
                {
                    int split = t % splits, task = t / splits, kb0 = split * blocksPerSplit;
                    job.Run(task / tasksPerImage, task % tasksPerImage * perTask, kb0, Math.Min(blocks, kb0 + blocksPerSplit));
                }
                if (tasks * splits == 1 || macs < GemmPacked.ParallelMinMacs)
                    for (int t = 0; t < tasks * splits; t++) RunTask(t);
                else
                    Parallel.For(0, tasks * splits, RunTask);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(uArray);
        }
    }

    // U[xi][kb][c][i] = (G g G^T)[xi] of filter (kb*12 + i, c), zero for output channels past K. One 12-row block
    // of filters per task, its 12 filters of one input channel in the lanes of one vector (lanes 12..15 unused).
    // flipped: filter (kk, ch) is w[ch, kk] rotated by 180 degrees (w holds the (C, K, 3, 3) weights of the conv
    // whose dx this is).
    private static void TransformWeights(float* w, int k, int c, int blocks, bool flipped, float* u)
    {
        long xiStride = (long)blocks * c * Mr;
        nint wp = (nint)w, up = (nint)u;
        void Block(int kb)
        {
            float* taps = stackalloc float[9 * Lanes];  // taps[r * 3 + s][i] = w[kb*12 + i, ch, r, s]
            new Span<float>(taps, 9 * Lanes).Clear();
            Span<Vector512<float>> t = stackalloc Vector512<float>[Alpha * 3];  // t = G g, 6 x 3
            int rows = Math.Min(Mr, k - kb * Mr);
            for (int ch = 0; ch < c; ch++)
            {
                for (int i = 0; i < rows; i++)
                {
                    if (flipped)
                    {
                        float* f = (float*)wp + ((long)ch * k + kb * Mr + i) * 9;
                        for (int tap = 0; tap < 9; tap++) taps[tap * Lanes + i] = f[8 - tap];
                    }
                    else
                    {
                        float* f = (float*)wp + ((long)(kb * Mr + i) * c + ch) * 9;
                        for (int tap = 0; tap < 9; tap++) taps[tap * Lanes + i] = f[tap];
                    }
                }
                for (int s = 0; s < 3; s++)
                {
                    GColumn(Vector512.Load(taps + s * Lanes), Vector512.Load(taps + (3 + s) * Lanes),
                        Vector512.Load(taps + (6 + s) * Lanes), out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
                    t[s] = r0; t[3 + s] = r1; t[6 + s] = r2; t[9 + s] = r3; t[12 + s] = r4; t[15 + s] = r5;
                }
                float* dst = (float*)up + ((long)kb * c + ch) * Mr;
                for (int a = 0; a < Alpha; a++)                                     // u = t G^T, 6 x 6
                {
                    GColumn(t[a * 3], t[a * 3 + 1], t[a * 3 + 2], out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
                    float* row = dst + a * Alpha * xiStride;
                    Store12(row, u0); Store12(row + xiStride, u1); Store12(row + 2 * xiStride, u2);
                    Store12(row + 3 * xiStride, u3); Store12(row + 4 * xiStride, u4); Store12(row + 5 * xiStride, u5);
                }
            }
        }
        if (blocks > 1 && (long)k * c >= 2048) Parallel.For(0, blocks, Block);
        else for (int kb = 0; kb < blocks; kb++) Block(kb);
    }

    // G p for one 3-vector p: the rows of F(4x4, 3x3)'s G (1/4; -1/6 (1, 1, 1); -1/6 (1, -1, 1); 1/24 (1, 2, 4);
    // 1/24 (1, -2, 4); the last tap).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GColumn(Vector512<float> p0, Vector512<float> p1, Vector512<float> p2, out Vector512<float> r0,
        out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3, out Vector512<float> r4, out Vector512<float> r5)
    {
        Vector512<float> sixth = Vector512.Create(-1f / 6), quarter = Vector512.Create(0.25f), x24 = Vector512.Create(1f / 24);
        Vector512<float> even = p0 + p2, evenFour = Vector512.FusedMultiplyAdd(Vector512.Create(4f), p2, p0), twoP1 = p1 + p1;
        r0 = p0 * quarter;
        r1 = (even + p1) * sixth;
        r2 = (even - p1) * sixth;
        r3 = (evenFour + twoP1) * x24;
        r4 = (evenFour - twoP1) * x24;
        r5 = p2;
    }

    // Lanes 0..11 of v at dst (a 12-float A-sliver row; lanes 12..15 must not spill into the next row).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store12(float* dst, Vector512<float> v)
    {
        v.GetLower().Store(dst);
        v.GetUpper().GetLower().Store(dst + 8);
    }

    /// <summary>One call's shapes and buffers; <see cref="Run"/> does one task: slivers [s0, s0 + perTask) of one image,
    /// output channel blocks [kb0, kb1).</summary>
    private readonly struct Job(in ConvGeometry g, TileLayout layout, float* u, float* x, float* y, float* bias, bool accumulate,
        int c, int k, int kpad, int slivers, int perTask)
    {
        private readonly ConvGeometry _g = g;
        private readonly int halves = layout.Halves;

        public void Run(int n, int s0, int kb0, int kb1)
        {
            int ns = Math.Min(perTask, slivers - s0);
            long vXi = (long)perTask * c * Nr, mXi = (long)perTask * kpad * Nr;
            float* v = PackScratch.A((int)(Xi * vXi)), m = PackScratch.B((int)(Xi * mXi));
            float* image = x + (long)n * c * _g.InH * _g.InW;
            for (int sb = 0; sb < ns; sb++)
                for (int half = 0; half < 2; half++)
                {
                    int group = (s0 + sb) * 2 + half;
                    float* vHalf = v + (long)sb * c * Nr + half * Lanes;
                    if (2 * group < halves) InputTiles(image, 2 * group, vHalf, vXi);
                    else for (int xi = 0; xi < Xi; xi++)
                            for (int ch = 0; ch < c; ch++) Vector512<float>.Zero.Store(vHalf + xi * vXi + ch * Nr);
                }
            for (int xi = 0; xi < Xi; xi++)
            {
                float* ua = u + (long)xi * kpad * c;
                for (int sb = 0; sb < ns; sb++)
                {
                    var vb = new PackedRows32(v + xi * vXi + (long)sb * c * Nr);
                    float* mb = m + xi * mXi + (long)sb * kpad * Nr;
                    for (int kb = kb0; kb < kb1; kb++)
                        GemmMicroKernel.KernelCut(GemmMicroKernel.CutRows(Math.Min(Mr, k - kb * Mr)), c,
                            ua + (long)kb * c * Mr, vb, mb + kb * Mr * Nr, Nr, 1f, 0f);
                }
            }
            float* yn = y + (long)n * k * _g.OutH * _g.OutW;
            for (int sb = 0; sb < ns; sb++)
                for (int half = 0; half < 2; half++)
                {
                    int group = (s0 + sb) * 2 + half;
                    if (2 * group < halves)
                        OutputTiles(m + (long)sb * kpad * Nr + half * Lanes, mXi, yn, 2 * group, kb0 * Mr, Math.Min(k, kb1 * Mr));
                }
        }

        // V[xi][.][ch][lanes] for the 16 tiles of halves h and h + 1 (lanes 0..7, 8..15); past the last half,
        // lanes 8..15 repeat half h (their products are never stored).
        private void InputTiles(float* image, int h, float* vHalf, long vXi)
            => TransformInput(image, _g, layout.Quads, Window(_g, layout, h), Window(_g, layout, h + 1 < halves ? h + 1 : h),
                vHalf, vXi, Nr);

        // y[kk][row + r][col + j] (+)= bias + (A^T M A)[r][j] for the four segments of halves h and h + 1 (if
        // there is one), output channels [k0, k1), clipped to the map.
        private void OutputTiles(float* mHalf, long mXi, float* yn, int h, int k0, int k1)
        {
            int oh = _g.OutH, ow = _g.OutW;
            bool hasB = h + 1 < halves;
            var (rowA0, colA0) = layout.Segment(h, 0);
            var (rowA1, colA1) = layout.Segment(h, 1);
            var (rowB0, colB0) = hasB ? layout.Segment(h + 1, 0) : (-1, 0);
            var (rowB1, colB1) = hasB ? layout.Segment(h + 1, 1) : (-1, 0);
            int rowsA0 = Rows(rowA0), rowsA1 = Rows(rowA1), rowsB0 = Rows(rowB0), rowsB1 = Rows(rowB1);
            int rows = Math.Max(Math.Max(rowsA0, rowsA1), Math.Max(rowsB0, rowsB1));
            float* t = stackalloc float[4 * Alpha * Lanes];
            float* edge = stackalloc float[Lanes];
            var sel = new Interleave();
            for (int kk = k0; kk < k1; kk++)
            {
                float* mk = mHalf + kk * Nr;
                for (int j = 0; j < Alpha; j++)       // columns: A^T M
                {
                    float* mj = mk + j * mXi;
                    long row = Alpha * mXi;
                    ATranspose(Vector512.Load(mj), Vector512.Load(mj + row), Vector512.Load(mj + 2 * row),
                        Vector512.Load(mj + 3 * row), Vector512.Load(mj + 4 * row), Vector512.Load(mj + 5 * row),
                        out var a0, out var a1, out var a2, out var a3);
                    a0.Store(t + j * Lanes); a1.Store(t + (Alpha + j) * Lanes);
                    a2.Store(t + (2 * Alpha + j) * Lanes); a3.Store(t + (3 * Alpha + j) * Lanes);
                }
                var b = Vector512.Create(bias == null ? 0f : bias[kk]);
                float* plane = yn + (long)kk * oh * ow;
                for (int r = 0; r < rows; r++)  // rows: (A^T M) A, the tiles' 4 columns interleaved
                {
                    float* tr = t + r * Alpha * Lanes;
                    ATranspose(Vector512.Load(tr), Vector512.Load(tr + Lanes), Vector512.Load(tr + 2 * Lanes),
                        Vector512.Load(tr + 3 * Lanes), Vector512.Load(tr + 4 * Lanes), Vector512.Load(tr + 5 * Lanes),
                        out var y0, out var y1, out var y2, out var y3);
                    sel.Pixels(y0 + b, y1 + b, y2 + b, y3 + b, out var p0, out var p1, out var p2, out var p3);
                    if (r < rowsA0) Put(plane + (long)(rowA0 + r) * ow + colA0, p0, ow - colA0, edge);
                    if (r < rowsA1) Put(plane + (long)(rowA1 + r) * ow + colA1, p1, ow - colA1, edge);
                    if (r < rowsB0) Put(plane + (long)(rowB0 + r) * ow + colB0, p2, ow - colB0, edge);
                    if (r < rowsB1) Put(plane + (long)(rowB1 + r) * ow + colB1, p3, ow - colB1, edge);
                }
            }
        }

        // Output rows of a segment's tile row that lie inside the map (0 for a missing segment or one past the map).
        private int Rows(int row) => row < 0 ? 0 : Math.Clamp(_g.OutH - row, 0, 4);

        // 16 output pixels at dst, of which the first `cols` lie inside the map.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Put(float* dst, Vector512<float> p, int cols, float* edge)
        {
            if (cols >= Lanes)
            {
                (accumulate ? Vector512.Load(dst) + p : p).Store(dst);
                return;
            }
            if (cols <= 0) return;
            p.Store(edge);
            for (int q = 0; q < cols; q++) dst[q] = accumulate ? dst[q] + edge[q] : edge[q];
        }
    }

    /// <summary>Half h's input window in one image of g's input (its tiles' rows and columns, through the padding).</summary>
    internal static RunWindow Window(in ConvGeometry g, in TileLayout layout, int h) => layout.Window(h, g.PadH, g.PadW, g.InH, g.InW);

    /// <summary>dst[xi * xiStride + ch * chStride + lane] = (B^T d B)[xi] of the 6x6 input tiles of two halves
    /// (lanes 0..7 from window a, 8..15 from b) in each of the input planes of image.</summary>
    internal static void TransformInput(float* image, in ConvGeometry g, bool quads, in RunWindow a, in RunWindow b,
        float* dst, long xiStride, long chStride)
    {
        int c = g.InChannels;
        float* t = stackalloc float[Xi * Lanes];
        var sel = new Deinterleave();
        long planeSize = (long)g.InH * g.InW;
        for (int ch = 0; ch < c; ch++)
        {
            float* plane = image + ch * planeSize;
            for (int i = 0; i < Alpha; i++)       // rows: d B, tile columns separated by the permutes
            {
                a.Row(plane, i, out var a0, out var a1, out var a2);
                b.Row(plane, i, out var b0, out var b1, out var b2);
                Vector512<float> d0, d1, d2, d3, d4, d5;
                if (!quads) sel.Columns(a0, a1, a2, b0, b1, b2, out d0, out d1, out d2, out d3, out d4, out d5);
                else
                {
                    a.NextA(plane, i, out var aNext);
                    b.NextA(plane, i, out var bNext);
                    sel.ColumnsQuads(a0, a1, aNext, a2, b0, b1, bNext, b2, out d0, out d1, out d2, out d3, out d4, out d5);
                }
                BTranspose(d0, d1, d2, d3, d4, d5, out var t0, out var t1, out var t2, out var t3, out var t4, out var t5);
                Store6(t + i * Alpha * Lanes, Lanes, t0, t1, t2, t3, t4, t5);
            }
            for (int j = 0; j < Alpha; j++)       // columns: B^T (d B)
            {
                float* hj = t + j * Lanes;
                BTranspose(Vector512.Load(hj), Vector512.Load(hj + Alpha * Lanes), Vector512.Load(hj + 2 * Alpha * Lanes),
                    Vector512.Load(hj + 3 * Alpha * Lanes), Vector512.Load(hj + 4 * Alpha * Lanes), Vector512.Load(hj + 5 * Alpha * Lanes),
                    out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
                Store6(dst + j * xiStride + ch * chStride, Alpha * xiStride, v0, v1, v2, v3, v4, v5);
            }
        }
    }

    /// <summary>v0..v5 at dst, dst + stride, ..., dst + 5 stride: one row or column of a transformed 6x6 tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store6(float* dst, long stride, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2,
        Vector512<float> v3, Vector512<float> v4, Vector512<float> v5)
    {
        v0.Store(dst); v1.Store(dst + stride); v2.Store(dst + 2 * stride);
        v3.Store(dst + 3 * stride); v4.Store(dst + 4 * stride); v5.Store(dst + 5 * stride);
    }

    // B^T d for one 6-vector d (each element a vector of 16 tiles): the rows of F(4x4, 3x3)'s B^T.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BTranspose(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3,
        Vector512<float> d4, Vector512<float> d5, out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2,
        out Vector512<float> t3, out Vector512<float> t4, out Vector512<float> t5)
    {
        Vector512<float> four = Vector512.Create(4f), minusFour = Vector512.Create(-4f), minusFive = Vector512.Create(-5f);
        Vector512<float> two = Vector512.Create(2f);
        t0 = Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(minusFive, d2, d4));  // 4d0 - 5d2 + d4
        t1 = Vector512.FusedMultiplyAdd(minusFour, d1 + d2, d3 + d4);                              // -4d1 - 4d2 + d3 + d4
        t2 = Vector512.FusedMultiplyAdd(four, d1 - d2, d4 - d3);                                   // 4d1 - 4d2 - d3 + d4
        t3 = Vector512.FusedMultiplyAdd(two, d3 - d1, d4 - d2);                                    // -2d1 - d2 + 2d3 + d4
        t4 = Vector512.FusedMultiplyAdd(two, d1 - d3, d4 - d2);                                    // 2d1 - d2 - 2d3 + d4
        t5 = Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(minusFive, d3, d5));  // 4d1 - 5d3 + d5
    }

    // A^T m for one 6-vector m: the rows of F(4x4, 3x3)'s A^T.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ATranspose(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2,
        out Vector512<float> o3)
    {
        Vector512<float> p12 = m1 + m2, d12 = m1 - m2, p34 = m3 + m4, d34 = m3 - m4;
        o0 = m0 + p12 + p34;                                                                        // m0 + m1 + m2 + m3 + m4
        o1 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), d34, d12);                           // m1 - m2 + 2m3 - 2m4
        o2 = Vector512.FusedMultiplyAdd(Vector512.Create(4f), p34, p12);                           // m1 + m2 + 4m3 + 4m4
        o3 = Vector512.FusedMultiplyAdd(Vector512.Create(8f), d34, d12) + m5;                      // m1 - m2 + 8m3 - 8m4 + m5
    }
}
