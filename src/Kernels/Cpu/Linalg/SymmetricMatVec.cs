// w = A v for a symmetric A of which only the upper triangle is read (DSYMV's scheme, row-major): row r
// contributes a dot product to w[r] and an axpy into w[r+1:], so each matrix element is loaded once. This is the
// memory-bound half of the Householder tridiagonalisation (Tridiagonal.Reduce calls it once per column).
// Versions: v1 one row at a time (TensorPrimitives Dot + MultiplyAdd: two passes over the row and five memory
// operations per matrix vector); v2 four rows at a time in one fused Vector512 loop (each v and w vector is
// loaded once for four matrix vectors, about 1.75 memory operations per matrix vector; 1.6x faster than v1 on
// the 2-core AVX-512 EPYC over a d = 2048 reduction). Default: v2 where Vector512 is accelerated, else v1.
// Threads take row ranges of equal area (a few per core, dynamically scheduled), each with its own accumulator.
// Tested in SymmetricMatVecTests (both versions against a scalar full-matrix product at odd sizes and offsets)
// and through every SymmetricEigen test.
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Linalg;

internal static unsafe class SymmetricMatVec
{
    /// <summary>w = A[s:, s:] v (the trailing block of the n x n row-major <paramref name="a"/> from row/column
    /// s; length m = n - s), reading only its upper triangle. <paramref name="version"/> 0 picks the default.</summary>
    public static void Multiply(ReadOnlySpan<double> a, int n, int s, ReadOnlySpan<double> v, Span<double> w,
        int version = 0)
    {
        int m = n - s;
        if (m <= 0)
            return;
        if (a.Length < (long)n * n || v.Length < m || w.Length < m)
            throw new ArgumentException("SymmetricMatVec: buffers are smaller than the trailing block.");
        bool fused = version == 2 || (version == 0 && Vector512.IsHardwareAccelerated);
        if (fused && !Vector512.IsHardwareAccelerated)
            throw new PlatformNotSupportedException("SymmetricMatVec v2 needs Vector512.");
        // Eight parts (dynamically scheduled over the cores, so a descheduled thread on a shared machine is covered),
        // fixed rather than taken from the core count: each part sums into its own accumulator, so the part count
        // decides the summation order, and FID must not change with the machine. Eight is what 2-core machines used.
        int parts = m < 384 ? 1 : 8;
        double[] acc = ArrayPool<double>.Shared.Rent(parts * m);
        fixed (double* pa = a)
        fixed (double* pv = v)
        fixed (double* pacc = acc)
        {
            nint ia = (nint)(pa + (nint)s * n + s), iv = (nint)pv, iacc = (nint)pacc;
            void Rows(int p)
            {
                // Row range of equal area: boundary r_p = m (1 - sqrt(1 - p / parts)).
                int r0 = (int)(m * (1 - Math.Sqrt(1 - (double)p / parts)));
                int r1 = p == parts - 1 ? m : (int)(m * (1 - Math.Sqrt(1 - (double)(p + 1) / parts)));
                double* y = (double*)iacc + (nint)p * m;
                new Span<double>(y, m).Clear();
                if (fused)
                    RowsFused((double*)ia, n, m, r0, r1, (double*)iv, y);
                else
                    RowsSingle((double*)ia, n, m, r0, r1, (double*)iv, y);
            }
            if (parts == 1)
                Rows(0);
            else
                Parallel.For(0, parts, Rows);
            new ReadOnlySpan<double>(pacc, m).CopyTo(w);
            for (int p = 1; p < parts; p++)
                TensorPrimitives.Add(w[..m], new ReadOnlySpan<double>(pacc + (nint)p * m, m), w[..m]);
        }
        ArrayPool<double>.Shared.Return(acc);
    }

    /// <summary>v1: y += contributions of rows r0..r1-1 (upper part), one row at a time.</summary>
    private static void RowsSingle(double* a, int lda, int m, int r0, int r1, double* v, double* y)
    {
        var vs = new ReadOnlySpan<double>(v, m);
        var ys = new Span<double>(y, m);
        for (int r = r0; r < r1; r++)
        {
            var row = new ReadOnlySpan<double>(a + (nint)r * lda + r, m - r);
            ys[r] += TensorPrimitives.Dot(row, vs[r..]);
            if (r + 1 < m)
                TensorPrimitives.MultiplyAdd(row[1..], vs[r], ys[(r + 1)..], ys[(r + 1)..]);
        }
    }

    /// <summary>v2: rows in groups of four. The 4 x 4 triangle on the diagonal is done in scalars (with its mirror),
    /// then one Vector512 loop over the columns to the right feeds four dot accumulators and one y update.</summary>
    private static void RowsFused(double* a, int lda, int m, int r0, int r1, double* v, double* y)
    {
        int r = r0;
        for (; r + 4 <= r1; r += 4)
        {
            double* a0 = a + (nint)r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            double v0 = v[r], v1 = v[r + 1], v2 = v[r + 2], v3 = v[r + 3];
            double d0 = a0[r] * v0 + a0[r + 1] * v1 + a0[r + 2] * v2 + a0[r + 3] * v3;
            double d1 = a0[r + 1] * v0 + a1[r + 1] * v1 + a1[r + 2] * v2 + a1[r + 3] * v3;
            double d2 = a0[r + 2] * v0 + a1[r + 2] * v1 + a2[r + 2] * v2 + a2[r + 3] * v3;
            double d3 = a0[r + 3] * v0 + a1[r + 3] * v1 + a2[r + 3] * v2 + a3[r + 3] * v3;
            Vector512<double> s0 = Vector512<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
            Vector512<double> b0 = Vector512.Create(v0), b1 = Vector512.Create(v1);
            Vector512<double> b2 = Vector512.Create(v2), b3 = Vector512.Create(v3);
            int j = r + 4;
            for (; j + 8 <= m; j += 8)
            {
                Vector512<double> x = Vector512.Load(v + j);
                Vector512<double> e0 = Vector512.Load(a0 + j), e1 = Vector512.Load(a1 + j);
                Vector512<double> e2 = Vector512.Load(a2 + j), e3 = Vector512.Load(a3 + j);
                s0 = Vector512.FusedMultiplyAdd(e0, x, s0);
                s1 = Vector512.FusedMultiplyAdd(e1, x, s1);
                s2 = Vector512.FusedMultiplyAdd(e2, x, s2);
                s3 = Vector512.FusedMultiplyAdd(e3, x, s3);
                Vector512<double> yy = Vector512.Load(y + j);
                yy = Vector512.FusedMultiplyAdd(e0, b0, yy);
                yy = Vector512.FusedMultiplyAdd(e1, b1, yy);
                yy = Vector512.FusedMultiplyAdd(e2, b2, yy);
                yy = Vector512.FusedMultiplyAdd(e3, b3, yy);
                yy.Store(y + j);
            }
            d0 += Vector512.Sum(s0);
            d1 += Vector512.Sum(s1);
            d2 += Vector512.Sum(s2);
            d3 += Vector512.Sum(s3);
            for (; j < m; j++)
            {
                double x = v[j];
                d0 += a0[j] * x;
                d1 += a1[j] * x;
                d2 += a2[j] * x;
                d3 += a3[j] * x;
                y[j] += a0[j] * v0 + a1[j] * v1 + a2[j] * v2 + a3[j] * v3;
            }
            y[r] += d0;
            y[r + 1] += d1;
            y[r + 2] += d2;
            y[r + 3] += d3;
        }
        for (; r < r1; r++)
        {
            double* ar = a + (nint)r * lda;
            double d = ar[r] * v[r], vr = v[r];
            for (int j = r + 1; j < m; j++)
            {
                d += ar[j] * v[j];
                y[j] += ar[j] * vr;
            }
            y[r] += d;
        }
    }
}
