// Bilinear upsampling forward, v3 (float32): v1's expression split into its two halves, so the inner loop
// is SIMD. v1 computes v = wr0 * (wc0 * a + wc * b) + wr * (wc0 * c + wc * d) in double per output pixel:
// the bracketed sums are a horizontal interpolation of source row I0 (a, b) and of row I1 (c, d). v3 computes
// each source row's horizontal interpolation h[col] = wc0 * x[c0] + wc * x[c1] once (a 2x upsampling reads
// every source row for two output rows) and then each output row as wr0 * h0 + wr * h1, four doubles per
// AVX instruction. Same operations, same operands, same order, no fused multiply-add (the JIT does not
// contract a * b + c), and double -> float conversion rounds to nearest like the scalar cast: the result is
// bit for bit v1's (UpsampleTests), so swapping it in changes no training run.
// Why: the demo's U-Net decoder upsamples 2x at every level; bilinear forward plus backward were 8 % of the
// op time of its training step (bench/results/intel-xeon-2core/demo_step_profile.md), v2's forward ~12
// cycles per output pixel in scalar double arithmetic. Nearest, the backward and float64 stay on v2.
// Benchmark: bench/Opacity.Bench/Cpu/UpsampleBench.cs.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Opacity.Kernels.Cpu;

public static class UpsampleV3
{
    private const long ParallelMinOutputs = 1 << 14;
    private const int MaxStackColumns = 2048;   // two rows of doubles, 32 KiB of stack

    public static void Forward(bool bilinear, ReadOnlySpan<float> x, int planes, int h, int w, int oh, int ow, Span<float> y)
    {
        if (!bilinear || !Avx.IsSupported)
        {
            UpsampleV2.Forward(bilinear, x, planes, h, w, oh, ow, y);
            return;
        }
        if (planes < 0 || h <= 0 || w <= 0 || oh <= 0 || ow <= 0 || x.Length < (long)planes * h * w || y.Length < (long)planes * oh * ow)
        {
            UpsampleV2.Forward(bilinear, x, planes, h, w, oh, ow, y);   // v2 names the bad geometry
            return;
        }
        var rows = Table(h, oh);
        var cols = Table(w, ow);
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
                if (planes > 1 && planes * (long)oh * ow >= ParallelMinOutputs) Parallel.For(0, planes, Plane);
                else for (int p = 0; p < planes; p++) Plane(p);
            }
        }
    }

    private sealed record Axis(int[] I0, int[] I1, double[] W0, double[] W1);

    private static Axis Table(int inSize, int outSize)
    {
        var a = new Axis(new int[outSize], new int[outSize], new double[outSize], new double[outSize]);
        for (int o = 0; o < outSize; o++)
        {
            var (i0, i1, w1) = Upsample.LinearSource(o, inSize, outSize);
            a.I0[o] = i0; a.I1[o] = i1; a.W1[o] = w1; a.W0[o] = 1 - w1;
        }
        return a;
    }

    // h[c] = wc0 * x[c0] + wc * x[c1]: v1's bracketed sum.
    private static unsafe void Horizontal(float* row, Axis cols, int ow, double* h)
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
