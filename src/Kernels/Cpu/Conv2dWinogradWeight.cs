// Conv2d v6 dw for the convs v5's Winograd forward takes (3x3, stride 1, >= 16 channels each side): the adjoint
// of F(4x4, 3x3). The forward is y_tile = A^T [(G g G^T) (.) (B^T d B)] A per 4x4 output tile, so
//   dw[k][c] = G^T [ sum over images and tiles (A dy_tile A^T)[k] (.) (B^T d_tile B)[c] ] G,
// i.e. 36 independent products Mw_xi (K x C) += Y_xi (K x T) V_xi^T (T x C) with the tiles T as the depth.
// Why: the direct dw (Conv2dV3Weight) and the im2col GEMM spend 9 multiply-adds per channel pair per pixel;
// this spends 36 per 16 pixels (4x fewer), plus transforms that are adds only.
// How: tiles go in chunks of 64 (4 groups of 16 lanes, laid out as in Conv2dWinograd: TileLayout); per chunk the
// input and output-gradient tiles are transformed with the tiles in the vector lanes (V[xi][c][tile],
// Y[xi][k][tile]), read in place (RunWindow), then the 36 products run on the packed SGEMM driver (GemmPacked,
// serial) into one of 4 fixed partial sums, each chunk transformed and multiplied by the same core while it is in
// L2; maps of fewer than 4 chunks also cut the output channels into slabs. Chunk size, chunk-to-partial map, the
// slabs and the partials' final order are fixed by the shape, so the result does not depend on the core count.
// Lanes past the map (and the half past the last) carry zero gradients.
// Rounding as the forward's (~1e-5 of sum |x| |dy|). Tested by Conv2dWinogradTests; timed by quick-conv-shapes.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Opacity.Kernels.Cpu.Conv2dWinograd;

namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dWinogradWeight
{
    // Chunks of 64 tiles keep a chunk's transforms (36 x (C + K) x 64 floats, 1.2 MiB at C = K = 64) in the L2
    // of the core that multiplies them; with all the chunk's tiles in memory, the products were memory-bound.
    private const int ChunkGroups = 4, ChunkTiles = ChunkGroups * Lanes;

    // Fixed partial sums: chunk i goes to partial i % Partials, partials are added in order at the end, so the
    // result is the same on any core count (Conv2dV3Weight does the same with its partials).
    private const int Partials = 4;

    // Maps of fewer than Partials chunks (a 32-px or 16-px map of one image is one chunk) would leave cores idle:
    // there each partial's output channels are also cut into slabs of SlabRows rows, one task each (every task
    // transforms the chunk's input tiles again). A row's sum is the same whatever the slabs, and the slab count
    // depends on the shape alone.
    private const int SlabRows = 48;

    public static void BackwardWeight(in ConvGeometry g, float* x, float* dy, float* dw, bool accumulate)
    {
        TileLayout layout = Layout(g);
        int c = g.InChannels, k = g.OutChannels, oh = g.OutH, ow = g.OutW, cpad = (c + Lanes - 1) / Lanes * Lanes;
        long planeX = (long)g.InH * g.InW, planeY = (long)oh * ow;
        int halves = layout.Halves, groupsPerImage = (halves + 1) / 2, groups = g.Batch * groupsPerImage;
        int chunks = (groups + ChunkGroups - 1) / ChunkGroups, partials = Math.Min(Partials, Math.Max(1, chunks));
        int slabs = partials < Partials ? (k + SlabRows - 1) / SlabRows : 1, slabRows = (k + slabs - 1) / slabs;
        long mwSize = (long)Xi * k * cpad, vSize = (long)Xi * c * ChunkTiles, ySize = (long)Xi * slabRows * ChunkTiles;
        long taskSize = vSize + ySize;
        float[] work = ArrayPool<float>.Shared.Rent((int)(partials * mwSize + partials * slabs * taskSize));
        try
        {
            fixed (float* pw = work)
            {
                nint xP = (nint)x, dyP = (nint)dy, workP = (nint)pw;
                ConvGeometry geo = g;
                var shape = GemmMicroKernel.Default;
                // Task t: rows [k0, k1) of partial p, Mw_p += the products of chunks p, p + partials, ...; its own V and Y.
                void Partial(int t)
                {
                    int p = t / slabs, k0 = t % slabs * slabRows, kn = Math.Min(k, k0 + slabRows) - k0;
                    float* mw = (float*)workP + p * mwSize + (long)k0 * cpad;
                    float* v = (float*)workP + partials * mwSize + t * taskSize, yt = v + vSize;
                    for (int xi = 0; xi < Xi; xi++) new Span<float>(mw + (long)xi * k * cpad, kn * cpad).Clear();
                    for (int chunk = p; chunk < chunks; chunk += partials)
                    {
                        int g0 = chunk * ChunkGroups, gn = Math.Min(ChunkGroups, groups - g0), depth = gn * Lanes;
                        for (int j = 0; j < gn; j++)
                        {
                            int n = (g0 + j) / groupsPerImage, h = 2 * ((g0 + j) % groupsPerImage);
                            RunWindow a = Window(geo, layout, h), b = h + 1 < halves ? Window(geo, layout, h + 1) : a;
                            TransformInput((float*)xP + n * c * planeX, geo, layout.Quads, a, b, v + j * Lanes,
                                (long)c * ChunkTiles, ChunkTiles);
                            // dy's tiles: no padding; the half past the last carries zeros.
                            RunWindow da = layout.Window(h, 0, 0, oh, ow);
                            RunWindow db = h + 1 < halves ? layout.Window(h + 1, 0, 0, oh, ow) : RunWindow.None;
                            TransformGradient((float*)dyP + (n * k + k0) * planeY, planeY, kn, da, db, yt + j * Lanes,
                                (long)kn * ChunkTiles, ChunkTiles);
                        }
                        for (int xi = 0; xi < Xi; xi++)
                            GemmPacked.Run(shape, kn, c, depth, 1f, new MatrixPackA(yt + (long)xi * kn * ChunkTiles, ChunkTiles, false),
                                new MatrixPackB(v + (long)xi * c * ChunkTiles, ChunkTiles, true), 1f, mw + (long)xi * k * cpad, cpad, 1);
                    }
                }
                int tasks = partials * slabs;
                if (tasks > 1 && (long)groups * Lanes * c * k * Xi >= GemmPacked.ParallelMinMacs) Parallel.For(0, tasks, Partial);
                else for (int t = 0; t < tasks; t++) Partial(t);
                float* sum = pw;                                  // Mw = Mw_0 + Mw_1 + ..., in that order
                for (int p = 1; p < partials; p++)
                {
                    float* mp = pw + p * mwSize;
                    for (long i = 0; i < mwSize; i += Lanes) (Vector512.Load(sum + i) + Vector512.Load(mp + i)).Store(sum + i);
                }
                FinishWeights(sum, k, c, cpad, dw, accumulate);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(work);
        }
    }

    // dst[xi * xiStride + kk * kStride + lane] = (A dy A^T)[xi] of the 4x4 gradient tiles of two runs of 8 tiles
    // (lanes 0..7 from window a, 8..15 from b), every output channel.
    private static void TransformGradient(float* image, long planeSize, int k, in RunWindow a, in RunWindow b,
        float* dst, long xiStride, long kStride)
    {
        float* t = stackalloc float[4 * Alpha * Lanes];
        var sel = new Deinterleave();
        for (int kk = 0; kk < k; kk++)
        {
            float* plane = image + kk * planeSize;
            for (int i = 0; i < 4; i++)            // rows: dy A^T, tile columns separated by the permutes
            {
                a.Row32(plane, i, out var a0, out var a1);
                b.Row32(plane, i, out var b0, out var b1);
                sel.Columns4(a0, a1, b0, b1, out var q0, out var q1, out var q2, out var q3);
                AColumn(q0, q1, q2, q3, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
                Store6(t + i * Alpha * Lanes, Lanes, r0, r1, r2, r3, r4, r5);
            }
            for (int j = 0; j < Alpha; j++)        // columns: A (dy A^T)
            {
                float* tj = t + j * Lanes;
                AColumn(Vector512.Load(tj), Vector512.Load(tj + Alpha * Lanes), Vector512.Load(tj + 2 * Alpha * Lanes),
                    Vector512.Load(tj + 3 * Alpha * Lanes), out var y0, out var y1, out var y2, out var y3, out var y4, out var y5);
                Store6(dst + j * xiStride + kk * kStride, Alpha * xiStride, y0, y1, y2, y3, y4, y5);
            }
        }
    }

    // A q for one 4-vector q: the rows of F(4x4, 3x3)'s A (the columns of A^T).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AColumn(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3,
        out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3,
        out Vector512<float> r4, out Vector512<float> r5)
    {
        Vector512<float> even = q0 + q2, odd = q1 + q3;
        Vector512<float> evenFour = Vector512.FusedMultiplyAdd(Vector512.Create(4f), q2, q0);
        Vector512<float> oddEight = Vector512.FusedMultiplyAdd(Vector512.Create(8f), q3, q1 + q1);
        r0 = q0;
        r1 = even + odd;              // q0 + q1 + q2 + q3
        r2 = even - odd;              // q0 - q1 + q2 - q3
        r3 = evenFour + oddEight;     // q0 + 2q1 + 4q2 + 8q3
        r4 = evenFour - oddEight;     // q0 - 2q1 + 4q2 - 8q3
        r5 = q3;
    }

    // dw[kk][ch] (+)= G^T Mw[.][kk][ch] G, 16 input channels at a time.
    private static void FinishWeights(float* mw, int k, int c, int cpad, float* dw, bool accumulate)
    {
        long xiStride = (long)k * cpad;
        nint mwP = (nint)mw, dwP = (nint)dw;
        void Row(int kk)
        {
            float* taps = stackalloc float[9 * Lanes];
            Span<Vector512<float>> t = stackalloc Vector512<float>[3 * Alpha];   // t = G^T Mw, 3 x 6
            for (int c0 = 0; c0 < c; c0 += Lanes)
            {
                float* m = (float*)mwP + (long)kk * cpad + c0;
                for (int b = 0; b < Alpha; b++)
                {
                    GTColumn(Vector512.Load(m + b * xiStride), Vector512.Load(m + (Alpha + b) * xiStride),
                        Vector512.Load(m + (2 * Alpha + b) * xiStride), Vector512.Load(m + (3 * Alpha + b) * xiStride),
                        Vector512.Load(m + (4 * Alpha + b) * xiStride), Vector512.Load(m + (5 * Alpha + b) * xiStride),
                        out t[b], out t[Alpha + b], out t[2 * Alpha + b]);
                }
                for (int s = 0; s < 3; s++)                                      // dw = t G, 3 x 3
                {
                    GTColumn(t[s * Alpha], t[s * Alpha + 1], t[s * Alpha + 2], t[s * Alpha + 3], t[s * Alpha + 4],
                        t[s * Alpha + 5], out var w0, out var w1, out var w2);
                    w0.Store(taps + (s * 3) * Lanes); w1.Store(taps + (s * 3 + 1) * Lanes); w2.Store(taps + (s * 3 + 2) * Lanes);
                }
                for (int l = 0; l < Math.Min(Lanes, c - c0); l++)
                {
                    float* f = (float*)dwP + ((long)kk * c + c0 + l) * 9;
                    for (int tap = 0; tap < 9; tap++) f[tap] = (accumulate ? f[tap] : 0f) + taps[tap * Lanes + l];
                }
            }
        }
        if (k > 1 && (long)k * c >= 4096) Parallel.For(0, k, Row);
        else for (int kk = 0; kk < k; kk++) Row(kk);
    }

    // G^T m for one 6-vector m: the rows of G^T (the columns of G).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GTColumn(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, out Vector512<float> q0, out Vector512<float> q1, out Vector512<float> q2)
    {
        Vector512<float> p12 = m1 + m2, p34 = m3 + m4, sixth = Vector512.Create(1f / 6);
        q0 = Vector512.FusedMultiplyAdd(m0, Vector512.Create(0.25f),
            Vector512.FusedMultiplyAdd(p34, Vector512.Create(1f / 24), -(p12 * sixth)));      // m0/4 - (m1+m2)/6 + (m3+m4)/24
        q1 = Vector512.FusedMultiplyAdd(m3 - m4, Vector512.Create(1f / 12), (m2 - m1) * sixth); // (m2-m1)/6 + (m3-m4)/12
        q2 = Vector512.FusedMultiplyAdd(p34 - p12, sixth, m5);                                  // (m3+m4-m1-m2)/6 + m5
    }
}
