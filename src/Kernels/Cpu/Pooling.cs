// Average and max pooling over NCHW planes, square window k, stride s, zero padding p on every side
// (floor output size), forward and backward (accumulating, G3). Average pooling divides by k*k
// (countIncludePad = true, PyTorch's default) or by the real pixels in the window (false: pytorch-fid's
// Inception blocks); max pooling treats padding as -inf and records the argmax index per output so the
// backward is a scatter; ties take the first maximum in row-major window order, as PyTorch does.
// v1: window bounds clipped once per output row/column, sums in T, planes split over threads when a call
// has enough work; max pooling's 2x2 stride-2 windows (the U-Net's) run 8 at a time in AVX2 (MaxPlane2x2),
// bit for bit v1's window code. Oracle: Reference/PoolingReference.cs (PoolingTests, op catalog).
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Cpu;

public static class Pooling
{
    /// <summary>Below this many window taps per call one thread does the work (a Parallel.For costs ~10 us).</summary>
    private const long ParallelMinTaps = 1 << 16;

    public static int OutSize(int size, int kernel, int stride, int pad = 0) => (size + 2 * pad - kernel) / stride + 1;

    /// <summary>Throws <see cref="ArgumentException"/> when the pooling geometry is unusable (PyTorch's rules: pad at most k/2).</summary>
    public static void Validate(int h, int w, int k, int s, int pad)
    {
        if (k <= 0 || s <= 0) throw new ArgumentException($"Pooling: kernel {k} and stride {s} must be positive.");
        if (pad < 0 || 2 * pad > k) throw new ArgumentException($"Pooling: padding {pad} must be between 0 and half the kernel {k}.");
        if (h + 2 * pad < k || w + 2 * pad < k)
            throw new ArgumentException($"Pooling: kernel {k} is larger than the padded input {h + 2 * pad}x{w + 2 * pad}.");
    }

    private static void ForPlanes(int planes, long tapsPerPlane, Action<int> plane)
    {
        if (planes > 1 && planes * tapsPerPlane >= ParallelMinTaps) Parallel.For(0, planes, plane);
        else for (int p = 0; p < planes; p++) plane(p);
    }

    public static void AvgForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(h, w, k, s, pad);
        int oh = OutSize(h, k, s, pad), ow = OutSize(w, k, s, pad);
        unsafe
        {
            fixed (T* px = x) fixed (T* py = y)
            {
                T* xp = px, yp = py;
                ForPlanes(planes, (long)oh * ow * k * k, p =>
                {
                    T* src = xp + (long)p * h * w, dst = yp + (long)p * oh * ow;
                    for (int r = 0; r < oh; r++)
                    {
                        var (r0, r1, rp) = PoolingReference.Window(r, h, k, s, pad);
                        for (int q = 0; q < ow; q++)
                        {
                            var (c0, c1, cp) = PoolingReference.Window(q, w, k, s, pad);
                            T sum = T.Zero;
                            for (int i = r0; i < r1; i++)
                            {
                                T* row = src + i * w;
                                for (int j = c0; j < c1; j++) sum += row[j];
                            }
                            int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
                            dst[r * ow + q] = sum / T.CreateTruncating(count);
                        }
                    }
                });
            }
        }
    }

    public static void AvgBackward<T>(ReadOnlySpan<T> dy, int planes, int h, int w, int k, int s, int pad, bool countIncludePad, Span<T> dx, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(h, w, k, s, pad);
        int oh = OutSize(h, k, s, pad), ow = OutSize(w, k, s, pad);
        if (!accumulate) dx.Slice(0, planes * h * w).Clear();
        unsafe
        {
            fixed (T* pdy = dy) fixed (T* pdx = dx)
            {
                T* dyp = pdy, dxp = pdx;
                ForPlanes(planes, (long)oh * ow * k * k, p =>
                {
                    T* g = dyp + (long)p * oh * ow, dst = dxp + (long)p * h * w;
                    for (int r = 0; r < oh; r++)
                    {
                        var (r0, r1, rp) = PoolingReference.Window(r, h, k, s, pad);
                        for (int q = 0; q < ow; q++)
                        {
                            var (c0, c1, cp) = PoolingReference.Window(q, w, k, s, pad);
                            int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
                            T v = g[r * ow + q] / T.CreateTruncating(count);
                            for (int i = r0; i < r1; i++)
                            {
                                T* row = dst + i * w;
                                for (int j = c0; j < c1; j++) row[j] += v;
                            }
                        }
                    }
                });
            }
        }
    }

    /// <summary>y = window max; <paramref name="argmax"/> gets the flat input index of each max, or is empty when no
    /// backward will run (inference), which skips the index search.</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int k, int s, int pad, Span<T> y, Span<int> argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(h, w, k, s, pad);
        int oh = OutSize(h, k, s, pad), ow = OutSize(w, k, s, pad);
        bool withIndex = !argmax.IsEmpty;
        unsafe
        {
            fixed (T* px = x) fixed (T* py = y) fixed (int* pa = argmax)
            {
                T* xp = px, yp = py;
                int* ap = pa;
                bool pairs = typeof(T) == typeof(float) && k == 2 && s == 2 && pad == 0 && Avx2.IsSupported;
                ForPlanes(planes, (long)oh * ow * k * k, p =>
                {
                    if (pairs) MaxPlane2x2((float*)(xp + (long)p * h * w), p * h * w, h, w, oh, ow, (float*)(yp + (long)p * oh * ow), withIndex ? ap + (long)p * oh * ow : null);
                    else MaxPlane(xp + (long)p * h * w, p * h * w, h, w, k, s, pad, oh, ow, yp + (long)p * oh * ow, withIndex ? ap + (long)p * oh * ow : null);
                });
            }
        }
    }

    /// <summary>One plane: <paramref name="src"/> starts at flat input index <paramref name="b"/>; <paramref name="arg"/> null
    /// means values only. The max is found
    /// without a data-dependent branch (maxss, NaN tracked on the side), then the first index holding it: one
    /// unpredictable branch per window instead of one per tap.</summary>
    private static unsafe void MaxPlane<T>(T* src, int b, int h, int w, int k, int s, int pad, int oh, int ow, T* dst, int* arg)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < oh; r++) MaxRow(src, b, h, w, k, s, pad, ow, dst, arg, r, 0, ow);
    }

    /// <summary>Output row <paramref name="r"/>, columns [q0, q1) of MaxPlane.</summary>
    private static unsafe void MaxRow<T>(T* src, int b, int h, int w, int k, int s, int pad, int ow, T* dst, int* arg,
        int r, int q0, int q1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (r0, r1, _) = PoolingReference.Window(r, h, k, s, pad);
        for (int q = q0; q < q1; q++)
        {
            var (c0, c1, _) = PoolingReference.Window(q, w, k, s, pad);
            T m = src[r0 * w + c0];
            bool nan = false;
            for (int i = r0; i < r1; i++)
            {
                T* row = src + i * w;
                for (int j = c0; j < c1; j++) { T v = row[j]; m = T.MaxNative(m, v); nan |= T.IsNaN(v); }
            }
            if (arg == null) { dst[r * ow + q] = nan ? T.NaN : m; continue; }
            int best = nan ? LastNaN(src, w, r0, r1, c0, c1) : FirstEqual(src, w, r0, r1, c0, c1, m);
            dst[r * ow + q] = src[best];
            arg[r * ow + q] = b + best;
        }
    }

    /// <summary>MaxPlane for the U-Net's 2x2 stride-2 pool (float, AVX2): 8 windows at once, the same operations
    /// per window (the MaxNative chain a, b, c, d in row-major order; the first equal tap; the tap's own value), so
    /// outputs and indices are MaxPlane's bit for bit. A group of 8 holding a NaN, and the columns past the last
    /// whole group, go through MaxPlane's scalar window code (MaxRow). Why: the generic window loop cost ~10 ns an output
    /// (0.17 ms a 64-px 16-channel call, 3 ms of the demo's training step).</summary>
    private static unsafe void MaxPlane2x2(float* src, int b, int h, int w, int oh, int ow, float* dst, int* arg)
    {
        var lane2 = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        int groups = ow / 8 * 8;
        for (int r = 0; r < oh; r++)
        {
            float* row0 = src + 2 * r * w, row1 = row0 + w;
            for (int q = 0; q < groups; q += 8)
            {
                (Vector256<float> a, Vector256<float> bb) = Deinterleave(row0 + 2 * q);
                (Vector256<float> c, Vector256<float> d) = Deinterleave(row1 + 2 * q);
                Vector256<float> m = Avx.Max(Avx.Max(Avx.Max(a, bb), c), d);   // MaxNative(MaxNative(MaxNative(a, b), c), d)
                Vector256<float> nan = Avx.CompareUnordered(a, bb) | Avx.CompareUnordered(c, d);
                if (!Vector256.EqualsAll(nan.AsInt32(), Vector256<int>.Zero))
                {
                    MaxRow(src, b, h, w, 2, 2, 0, ow, dst, arg, r, q, q + 8);
                    continue;
                }
                if (arg == null) { Vector256.Store(m, dst + r * ow + q); continue; }
                // the first tap equal to the max, in window order a, b, c, d: blend from the last to the first
                Vector256<float> ec = Vector256.Equals(c, m), eb = Vector256.Equals(bb, m), ea = Vector256.Equals(a, m);
                Vector256<float> value = Vector256.ConditionalSelect(ea, a, Vector256.ConditionalSelect(eb, bb, Vector256.ConditionalSelect(ec, c, d)));
                Vector256<int> tap = Vector256.ConditionalSelect(ea.AsInt32(), Vector256<int>.Zero,
                    Vector256.ConditionalSelect(eb.AsInt32(), Vector256.Create(1), Vector256.ConditionalSelect(ec.AsInt32(), Vector256.Create(w), Vector256.Create(w + 1))));
                Vector256.Store(value, dst + r * ow + q);
                Vector256.Store(Vector256.Create(b + 2 * r * w + 2 * q) + lane2 + tap, arg + r * ow + q);
            }
            if (groups < ow) MaxRow(src, b, h, w, 2, 2, 0, ow, dst, arg, r, groups, ow);
        }
    }

    // Even and odd floats of 16 consecutive ones: (x0, x2, .., x14), (x1, x3, .., x15).
    private static unsafe (Vector256<float> Even, Vector256<float> Odd) Deinterleave(float* x)
    {
        Vector256<float> lo = Avx.LoadVector256(x), hi = Avx.LoadVector256(x + 8);
        Vector256<float> even = Avx.Shuffle(lo, hi, 0b10_00_10_00), odd = Avx.Shuffle(lo, hi, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    private static unsafe int FirstEqual<T>(T* x, int w, int r0, int r1, int c0, int c1, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = r0; i < r1; i++)
            for (int j = c0; j < c1; j++)
                if (x[i * w + j] == m) return i * w + j;
        return r0 * w + c0;   // unreachable: m is one of the window's values
    }

    /// <summary>PyTorch's rule when a window holds NaN: every NaN replaces the running max, so the last one wins.</summary>
    private static unsafe int LastNaN<T>(T* x, int w, int r0, int r1, int c0, int c1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int last = r0 * w + c0;
        for (int i = r0; i < r1; i++)
            for (int j = c0; j < c1; j++)
                if (T.IsNaN(x[i * w + j])) last = i * w + j;
        return last;
    }

    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int inputLength, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        if (!accumulate) dx.Slice(0, inputLength).Clear();
        for (int o = 0; o < dy.Length; o++) dx[argmax[o]] += dy[o];
    }
}
