// Bilinear upsampling, v3 (float32). Forward: v1's expression split into its two halves, so the inner loop
// is SIMD. v1 computes v = wr0 * (wc0 * a + wc * b) + wr * (wc0 * c + wc * d) in double per output pixel:
// the bracketed sums are a horizontal interpolation of source row I0 (a, b) and of row I1 (c, d). v3 computes
// each source row's horizontal interpolation h[col] = wc0 * x[c0] + wc * x[c1] once (a 2x upsampling reads
// every source row for two output rows) and then each output row as wr0 * h0 + wr * h1, four doubles per
// AVX instruction. Same operations, same operands, same order, no fused multiply-add (the JIT does not
// contract a * b + c), and double -> float conversion rounds to nearest like the scalar cast: the result is
// bit for bit v1's (UpsampleTests), so swapping it in changes no training run.
// Why: the demo's U-Net decoder upsamples 2x at every level; bilinear forward plus backward were 8 % of the
// op time of its training step (bench/results/intel-xeon-2core/demo_step_profile.md), v2's forward ~12
// cycles per output pixel in scalar double arithmetic. The backward of an exact 2x is gathered (see GatherRow:
// each dx element adds its own four terms in v2's order, no scattered read-modify-writes), also bit for bit;
// nearest, other scales and float64 stay on v2.
// Benchmark: bench/Opacity.Bench/Cpu/UpsampleBench.cs.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Opacity.Kernels.Cpu;

public static class UpsampleV3
{
    private const int MaxStackColumns = 2048;   // two rows of doubles, 32 KiB of stack

    public static void Forward(bool bilinear, ReadOnlySpan<float> x, int planes, int h, int w, int oh, int ow, Span<float> y)
    {
        // Nearest, no AVX, or a bad geometry (v2 names it in its exception): v2.
        if (!bilinear || !Avx.IsSupported || planes < 0 || h <= 0 || w <= 0 || oh <= 0 || ow <= 0
            || x.Length < (long)planes * h * w || y.Length < (long)planes * oh * ow)
        {
            UpsampleV2.Forward(bilinear, x, planes, h, w, oh, ow, y);
            return;
        }
        UpsampleV2.Axis rows = new(true, h, oh), cols = new(true, w, ow);
        unsafe
        {
            fixed (float* px = x) fixed (float* py = y)
            {
                float* xp = px, yp = py;
                void Plane(int p)
                {
                    // Two cached horizontal rows (source index -> its interpolated row), ow doubles each.
                    Span<double> buffers = ow <= MaxStackColumns ? stackalloc double[2 * ow] : new double[2 * ow];
                    fixed (double* hb = buffers)
                    {
                        double* h0 = hb, h1 = hb + ow;
                        int k0 = -1, k1 = -1;
                        float* src = xp + (long)p * h * w, dst = yp + (long)p * oh * ow;
                        for (int r = 0; r < oh; r++)
                        {
                            int i0 = rows.I0[r], i1 = rows.I1[r];
                            if (k0 != i0)
                            {
                                if (k1 == i0)
                                {
                                    double* t = h0; h0 = h1; h1 = t;
                                    k1 = k0; k0 = i0;
                                }
                                else
                                {
                                    Horizontal(src + (long)i0 * w, cols, ow, h0);
                                    k0 = i0;
                                }
                            }
                            if (k1 != i1)
                            {
                                Horizontal(src + (long)i1 * w, cols, ow, h1);
                                k1 = i1;
                            }
                            Vertical(h0, h1, rows.W0[r], rows.W1[r], ow, dst + (long)r * ow);
                        }
                    }
                }
                UpsampleV2.ForPlanes(planes, (long)oh * ow, Plane);
            }
        }
    }

    /// <summary>dx (+)= the adjoint of Forward. Exact 2x bilinear upsampling (the U-Net decoder's) runs gathered:
    /// each dx element sums its four contributions itself; every other case runs v2.</summary>
    public static void Backward(bool bilinear, ReadOnlySpan<float> dy, int planes, int h, int w, int oh, int ow, Span<float> dx, bool accumulate)
    {
        if (!bilinear || h <= 0 || oh != 2 * h || ow != 2 * w || w < MinGatheredWidth || planes < 0
            || dx.Length < (long)planes * h * w || dy.Length < (long)planes * oh * ow)
        {
            UpsampleV2.Backward(bilinear, dy, planes, h, w, oh, ow, dx, accumulate);
            return;
        }
        UpsampleV2.Axis rows = new(true, h, oh), cols = new(true, w, ow);
        if (EdgeContributions(cols, w, ow) is not { } edges)
        {
            UpsampleV2.Backward(bilinear, dy, planes, h, w, oh, ow, dx, accumulate);
            return;
        }
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        unsafe
        {
            fixed (float* pdy = dy) fixed (float* pdx = dx)
            {
                float* dyp = pdy, dxp = pdx;
                void Plane(int p)
                {
                    float* g = dyp + (long)p * oh * ow, dst = dxp + (long)p * h * w;
                    for (int r = 0; r < oh; r++)
                    {
                        int i0 = rows.I0[r], i1 = rows.I1[r];
                        float* gr = g + (long)r * ow;
                        if (i0 == i1)
                        {
                            // One source row for both (the clamped last row): the terms interleave, so v2's loop.
                            UpsampleV2.BilinearRowBackward(gr, cols, ow, dst + (long)i0 * w, rows.W0[r], dst + (long)i1 * w, rows.W1[r]);
                            continue;
                        }
                        GatherRow(gr, cols, edges, w, rows.W0[r], dst + (long)i0 * w);
                        GatherRow(gr, cols, edges, w, rows.W1[r], dst + (long)i1 * w);
                    }
                }
                UpsampleV2.ForPlanes(planes, (long)oh * ow, Plane);
            }
        }
    }

    /// <summary>Below this width v2 runs (the gathered interior would be too short to matter).</summary>
    private const int MinGatheredWidth = 6;

    // One dx row's share of output row gr (weight wr of that row): v2 visits c = 0..ow-1 and adds
    // gr[c] * (float)(wr * W0[c]) to dx[I0[c]], then gr[c] * (float)(wr * W1[c]) to dx[I1[c]]. Element e
    // gets its terms in that order; for 2 <= e <= w-3 they are c = 2e-1 (via I1), 2e (I1), 2e+1 (I0), 2e+2
    // (I0), so it sums them itself, in that order, with the same float products. The four edge elements
    // replay their own ordered lists from the tables (clamping adds zero-weight terms there).
    private static unsafe void GatherRow(float* gr, in UpsampleV2.Axis cols, (int E, (int C, bool Right)[] Terms)[] edges, int w, double wr, float* d)
    {
        float fa = (float)(wr * cols.W1[3]), fb = (float)(wr * cols.W1[4]);   // c = 2e-1 and 2e, via I1
        float fc = (float)(wr * cols.W0[5]), fd = (float)(wr * cols.W0[6]);   // c = 2e+1 and 2e+2, via I0
        for (int e = 2; e <= w - 3; e++)
        {
            float* q = gr + 2 * e;
            float acc = d[e];
            acc += q[-1] * fa;
            acc += q[0] * fb;
            acc += q[1] * fc;
            acc += q[2] * fd;
            d[e] = acc;
        }
        foreach (var (e, terms) in edges)
        {
            float acc = d[e];
            foreach (var (c, right) in terms) acc += gr[c] * (float)(wr * (right ? cols.W1[c] : cols.W0[c]));
            d[e] = acc;
        }
    }

    // The ordered terms of dx elements 0, 1, w-2 and w-1 (c ascending, I0 before I1); null unless the tables
    // have the exact-2x shape that gives every interior element GatherRow's four terms (then v2 runs: never seen
    // for an exact 2x, but not assumed). Interior outputs c (1 <= c <= ow-2) must read columns (c-1)/2 and (c+1)/2
    // when odd, c/2-1 and c/2 when even, with one pair of weights per parity; the end outputs read columns 0-1 and w-2 - w-1.
    private static (int E, (int C, bool Right)[] Terms)[]? EdgeContributions(in UpsampleV2.Axis cols, int w, int ow)
    {
        for (int c = 1; c <= ow - 2; c++)
        {
            bool odd = (c & 1) == 1;
            int i0 = odd ? (c - 1) / 2 : c / 2 - 1, i1 = odd ? (c + 1) / 2 : c / 2;
            if (cols.I0[c] != i0 || cols.I1[c] != i1) return null;
            if (c >= 3 && c <= ow - 3 && (cols.W0[c] != cols.W0[odd ? 5 : 6] || cols.W1[c] != cols.W1[odd ? 3 : 4])) return null;
        }
        if (cols.I0[0] > 1 || cols.I1[0] > 1 || cols.I0[ow - 1] < w - 2 || cols.I1[ow - 1] < w - 2) return null;
        int[] edge = [0, 1, w - 2, w - 1];
        var lists = new (int E, (int C, bool Right)[] Terms)[4];
        for (int k = 0; k < 4; k++)
        {
            int e = edge[k], n = 0;
            var terms = new (int C, bool Right)[12];   // two per output in the window
            for (int c = Math.Max(0, 2 * e - 2); c <= Math.Min(ow - 1, 2 * e + 3); c++)
            {
                if (cols.I0[c] == e) terms[n++] = (c, false);
                if (cols.I1[c] == e) terms[n++] = (c, true);
            }
            lists[k] = (e, terms[..n]);
        }
        return lists;
    }

    // h[c] = wc0 * x[c0] + wc * x[c1]: v1's bracketed sum.
    private static unsafe void Horizontal(float* row, in UpsampleV2.Axis cols, int ow, double* h)
    {
        for (int c = 0; c < ow; c++)
            h[c] = cols.W0[c] * (double)row[cols.I0[c]] + cols.W1[c] * (double)row[cols.I1[c]];
    }

    // y[c] = (float)(wr0 * h0[c] + wr * h1[c]).
    private static unsafe void Vertical(double* h0, double* h1, double wr0, double wr, int ow, float* y)
    {
        Vector256<double> a = Vector256.Create(wr0), b = Vector256.Create(wr);
        int c = 0;
        for (; c + 4 <= ow; c += 4)
        {
            Vector256<double> v = Avx.Add(Avx.Multiply(a, Avx.LoadVector256(h0 + c)), Avx.Multiply(b, Avx.LoadVector256(h1 + c)));
            Sse.Store(y + c, Avx.ConvertToVector128Single(v));
        }
        for (; c < ow; c++) y[c] = (float)(wr0 * h0[c] + wr * h1[c]);
    }
}
