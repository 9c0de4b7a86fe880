// Nearest and bilinear upsampling, v2: v1's arithmetic (Upsample, the oracle) with the source indices and
// weights of every output row and column computed once per call instead of once per output pixel, and the
// planes split over threads when a call has enough work.
// Why: in the demo's U-Net generator the bilinear 2x upsampling took 18 % of a GAN step, most of it in v1's
// per-pixel LinearSource (a division, a clamp and a truncation for the row and again for the column).
// Every plane is still visited in v1's order with v1's expressions, so the forward values and the backward's
// accumulation order are v1's: v2 is bit for bit v1 (UpsampleTests), and swapping it in changes no result.
// Benchmark: bench/Opacity.Bench/Cpu/UpsampleBench.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class UpsampleV2
{
    /// <summary>Below this many output pixels per call one thread does the work (a Parallel.For costs ~10 us).</summary>
    private const long ParallelMinOutputs = 1 << 14;

    /// <summary>Source indices and weights of one output axis: bilinear (I0, I1, W1) or nearest (I0 only). Shared with UpsampleV3.</summary>
    internal readonly struct Axis
    {
        public readonly int[] I0, I1;
        public readonly double[] W1, W0;

        public Axis(bool bilinear, int inSize, int outSize)
        {
            I0 = new int[outSize]; I1 = new int[outSize]; W1 = new double[outSize]; W0 = new double[outSize];
            for (int o = 0; o < outSize; o++)
            {
                if (!bilinear) { I0[o] = I1[o] = Upsample.NearestIndex(o, inSize, outSize); continue; }
                var (i0, i1, w1) = Upsample.LinearSource(o, inSize, outSize);
                I0[o] = i0; I1[o] = i1; W1[o] = w1; W0[o] = 1 - w1;
            }
        }
    }

    internal static void ForPlanes(int planes, long outputsPerPlane, Action<int> plane)
    {
        if (planes > 1 && planes * outputsPerPlane >= ParallelMinOutputs) Parallel.For(0, planes, plane);
        else for (int p = 0; p < planes; p++) plane(p);
    }

    public static void Forward<T>(bool bilinear, ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, planes, h, w, oh, ow);
        Axis rows = new(bilinear, h, oh), cols = new(bilinear, w, ow);
        unsafe
        {
            fixed (T* px = x) fixed (T* py = y)
            {
                T* xp = px, yp = py;
                ForPlanes(planes, (long)oh * ow, p =>
                {
                    T* src = xp + (long)p * h * w, dst = yp + (long)p * oh * ow;
                    for (int r = 0; r < oh; r++)
                    {
                        T* row0 = src + rows.I0[r] * w, row1 = src + rows.I1[r] * w, o = dst + r * ow;
                        if (!bilinear)
                        {
                            for (int c = 0; c < ow; c++) o[c] = row0[cols.I0[c]];
                            continue;
                        }
                        double wr = rows.W1[r], wr0 = rows.W0[r];
                        for (int c = 0; c < ow; c++)
                        {
                            int c0 = cols.I0[c], c1 = cols.I1[c];
                            double wc = cols.W1[c], wc0 = cols.W0[c];
                            double v = wr0 * (wc0 * double.CreateTruncating(row0[c0]) + wc * double.CreateTruncating(row0[c1]))
                                     + wr * (wc0 * double.CreateTruncating(row1[c0]) + wc * double.CreateTruncating(row1[c1]));
                            o[c] = T.CreateTruncating(v);
                        }
                    }
                });
            }
        }
    }

    public static void Backward<T>(bool bilinear, ReadOnlySpan<T> dy, int planes, int h, int w, int oh, int ow, Span<T> dx, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(dx.Length, dy.Length, planes, h, w, oh, ow);
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        Axis rows = new(bilinear, h, oh), cols = new(bilinear, w, ow);
        unsafe
        {
            fixed (T* pdy = dy) fixed (T* pdx = dx)
            {
                T* dyp = pdy, dxp = pdx;
                ForPlanes(planes, (long)oh * ow, p =>
                {
                    T* g = dyp + (long)p * oh * ow, dst = dxp + (long)p * h * w;
                    for (int r = 0; r < oh; r++)
                    {
                        T* row0 = dst + rows.I0[r] * w, row1 = dst + rows.I1[r] * w, gr = g + r * ow;
                        if (!bilinear)
                        {
                            for (int c = 0; c < ow; c++) row0[cols.I0[c]] += gr[c];
                            continue;
                        }
                        BilinearRowBackward(gr, cols, ow, row0, rows.W0[r], row1, rows.W1[r]);
                    }
                });
            }
        }
    }

    /// <summary>One output row's bilinear gradient scattered onto its two source rows (weights wr0 and wr), c ascending,
    /// the four terms of each output in v1's order. UpsampleV3 runs it for the rows whose two source rows are one.</summary>
    internal static unsafe void BilinearRowBackward<T>(T* gr, in Axis cols, int ow, T* row0, double wr0, T* row1, double wr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < ow; c++)
        {
            int c0 = cols.I0[c], c1 = cols.I1[c];
            double wc = cols.W1[c], wc0 = cols.W0[c];
            T v = gr[c];
            row0[c0] += v * T.CreateTruncating(wr0 * wc0);
            row0[c1] += v * T.CreateTruncating(wr0 * wc);
            row1[c0] += v * T.CreateTruncating(wr * wc0);
            row1[c1] += v * T.CreateTruncating(wr * wc);
        }
    }

    private static void Check(int inLength, int outLength, int planes, int h, int w, int oh, int ow)
    {
        if (planes < 0 || h <= 0 || w <= 0 || oh <= 0 || ow <= 0)
            throw new ArgumentException($"Upsample: {planes} planes of {h}x{w} to {oh}x{ow} is not a valid geometry.");
        if (inLength < (long)planes * h * w || outLength < (long)planes * oh * ow)
            throw new ArgumentException($"Upsample: buffers of {inLength} and {outLength} elements are too small for {planes} planes of {h}x{w} to {oh}x{ow}.");
    }
}
