// Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix by the implicit-shift QL method
// (EISPACK tql2, as in JAMA), with a fast way to accumulate the vectors.
// Versions: v1 (the only one). The QL sweeps themselves are scalar and O(n^2); their Givens rotations do not
// feed back into the iteration, so instead of applying each rotation to two full rows of Z at once (a pass
// over all of Z per sweep, memory bound), they are recorded and applied later in batches, one column chunk
// of Z at a time (the chunk stays in L2 across the whole batch; chunks run on all cores; Vector512/256 rows).
// Z is row-major with row i the vector belonging to d[i] (Z = V^T), so a rotation mixes rows i and i+1.
// Tested in SymmetricEigenTests (against the Jacobi reference and residuals).
using System.Buffers;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Linalg;

public static class TridiagonalQl
{
    private const int MaxIterationsPerValue = 60;
    private const int RotationBatch = 1 << 20;   // 16 MiB of (c, s) pairs before a flush
    private const int ChunkColumns = 32;

    /// <summary>Diagonalises T (diagonal <paramref name="d"/>, sub-diagonal <paramref name="e"/> of length n - 1):
    /// on return d holds the eigenvalues, unsorted. When <paramref name="z"/> is not empty (n x n, row-major),
    /// the rotations are applied to its rows: with Z = Q^T on entry, row i of Z is the eigenvector of d[i].</summary>
    public static void Solve(Span<double> d, ReadOnlySpan<double> e, int n, Span<double> z)
    {
        if (n <= 1)
            return;
        bool vectors = !z.IsEmpty;
        var ee = new double[n];
        e[..(n - 1)].CopyTo(ee);
        var rec = vectors ? new RotationLog(n) : null;
        double f = 0, tst1 = 0, eps = Math.Pow(2.0, -52.0);
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(ee[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(ee[m]) > eps * tst1)
                m++;
            if (m > l)
            {
                int iter = 0;
                do
                {
                    if (++iter > MaxIterationsPerValue)
                        throw new InvalidOperationException($"Tridiagonal QL did not converge for eigenvalue {l} of {n} after {MaxIterationsPerValue} iterations.");
                    // Implicit Wilkinson-like shift from the leading 2 x 2 block.
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * ee[l]);
                    double r = double.Hypot(p, 1.0);
                    if (p < 0)
                        r = -r;
                    d[l] = ee[l] / (p + r);
                    d[l + 1] = ee[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++)
                        d[i] -= h;
                    f += h;
                    // Implicit QL transformation, bottom (m) to top (l).
                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, el1 = ee[l + 1], s = 0, s2 = 0;
                    rec?.BeginSweep(l, m, z);
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2; c2 = c; s2 = s;
                        g = c * ee[i];
                        h = c * p;
                        r = double.Hypot(p, ee[i]);
                        ee[i + 1] = s * r;
                        s = ee[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        rec?.Add(c, s);
                    }
                    p = -s * s2 * c3 * el1 * ee[l] / dl1;
                    ee[l] = s * p;
                    d[l] = c * p;
                } while (Math.Abs(ee[l]) > eps * tst1);
            }
            d[l] += f;
            ee[l] = 0;
        }
        rec?.Flush(z);
        LastRotationCount = rec?.Total ?? 0;
    }

    /// <summary>Rotations applied by the last call on this thread that accumulated vectors (for benchmarks).</summary>
    [ThreadStatic]
    internal static long LastRotationCount;

    /// <summary>Recorded sweeps: sweep q covers rows l..m and owns rotations [start, start + m - l) in order
    /// i = m-1 down to l.</summary>
    private sealed class RotationLog(int n)
    {
        private readonly List<(int L, int M, int Start)> _sweeps = [];
        // About n^2 rotations are typical: the log holds a quarter of that (capped at RotationBatch), so every
        // size flushes a few times (and the tests at n = 65..200 cover the batch boundaries).
        private readonly int _capacity = (int)Math.Min(RotationBatch, (long)n * n / 4 + n);
        private readonly double[] _cs = new double[2 * Math.Min(RotationBatch, (long)n * n / 4 + n)];
        private int _count;

        public long Total { get; private set; }

        public void BeginSweep(int l, int m, Span<double> z)
        {
            if (_count + (m - l) > _capacity)
                Flush(z);
            _sweeps.Add((l, m, _count));
        }

        public void Add(double c, double s)
        {
            Total++;
            _cs[2 * _count] = c;
            _cs[2 * _count + 1] = s;
            _count++;
        }

        public unsafe void Flush(Span<double> z)
        {
            if (_sweeps.Count == 0)
                return;
            int chunks = (n + ChunkColumns - 1) / ChunkColumns;
            fixed (double* pz = z)
            fixed (double* pcs = _cs)
            {
                nint iz = (nint)pz, ics = (nint)pcs;
                void Chunk(int q)
                {
                    int k0 = q * ChunkColumns, width = Math.Min(ChunkColumns, n - k0);
                    double* cs = (double*)ics;
                    // Work on a packed copy (n rows of `width`): a power-of-two row stride of Z would map all
                    // rows of the chunk onto a few cache sets and turn the L2-resident chunk into misses.
                    double[] packed = ArrayPool<double>.Shared.Rent(n * ChunkColumns);
                    fixed (double* zc = packed)
                    {
                        for (int r = 0; r < n; r++)
                            new ReadOnlySpan<double>((double*)iz + (nint)r * n + k0, width).CopyTo(new Span<double>(zc + r * width, width));
                        foreach ((int l, int m, int start) in _sweeps)
                        {
                            if (Vector512.IsHardwareAccelerated && width == 32)
                            {
                                Sweep32(zc, width, l, m, cs + 2 * start);
                                continue;
                            }
                            int idx = start;
                            for (int i = m - 1; i >= l; i--, idx++)
                                Rotate(zc + i * width, zc + (i + 1) * width, width, cs[2 * idx], cs[2 * idx + 1]);
                        }
                        for (int r = 0; r < n; r++)
                            new ReadOnlySpan<double>(zc + r * width, width).CopyTo(new Span<double>((double*)iz + (nint)r * n + k0, width));
                    }
                    ArrayPool<double>.Shared.Return(packed);
                }
                if (chunks > 1 && (long)_count * n > 1_000_000)
                    Parallel.For(0, chunks, Chunk);
                else
                    for (int q = 0; q < chunks; q++)
                        Chunk(q);
            }
            _sweeps.Clear();
            _count = 0;
        }

        /// <summary>One sweep over a 32-column chunk: row i+1 is final after rotation i and is stored; the new
        /// row i stays in registers as the partner of rotation i-1 (one load and one store per rotation).</summary>
        private static unsafe void Sweep32(double* zc, int n, int l, int m, double* cs)
        {
            double* row = zc + (nint)m * n;
            var b0 = Vector512.Load(row);
            var b1 = Vector512.Load(row + 8);
            var b2 = Vector512.Load(row + 16);
            var b3 = Vector512.Load(row + 24);
            for (int i = m - 1; i >= l; i--, cs += 2)
            {
                var vc = Vector512.Create(cs[0]);
                var vs = Vector512.Create(cs[1]);
                double* below = row;
                row -= n;
                var a0 = Vector512.Load(row);
                var a1 = Vector512.Load(row + 8);
                var a2 = Vector512.Load(row + 16);
                var a3 = Vector512.Load(row + 24);
                Vector512.FusedMultiplyAdd(vs, a0, vc * b0).Store(below);
                Vector512.FusedMultiplyAdd(vs, a1, vc * b1).Store(below + 8);
                Vector512.FusedMultiplyAdd(vs, a2, vc * b2).Store(below + 16);
                Vector512.FusedMultiplyAdd(vs, a3, vc * b3).Store(below + 24);
                b0 = Vector512.FusedMultiplyAdd(vc, a0, -(vs * b0));
                b1 = Vector512.FusedMultiplyAdd(vc, a1, -(vs * b1));
                b2 = Vector512.FusedMultiplyAdd(vc, a2, -(vs * b2));
                b3 = Vector512.FusedMultiplyAdd(vc, a3, -(vs * b3));
            }
            b0.Store(row);
            b1.Store(row + 8);
            b2.Store(row + 16);
            b3.Store(row + 24);
        }

        /// <summary>(row i, row i+1) <- (c zi - s zi1, s zi + c zi1) over one chunk.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static unsafe void Rotate(double* zi, double* zi1, int width, double c, double s)
        {
            int k = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vc = Vector512.Create(c);
                var vs = Vector512.Create(s);
                for (; k <= width - 8; k += 8)
                {
                    var a = Vector512.Load(zi + k);
                    var b = Vector512.Load(zi1 + k);
                    Vector512.FusedMultiplyAdd(vs, a, vc * b).Store(zi1 + k);
                    Vector512.FusedMultiplyAdd(vc, a, -(vs * b)).Store(zi + k);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var vc = Vector256.Create(c);
                var vs = Vector256.Create(s);
                for (; k <= width - 4; k += 4)
                {
                    var a = Vector256.Load(zi + k);
                    var b = Vector256.Load(zi1 + k);
                    Vector256.FusedMultiplyAdd(vs, a, vc * b).Store(zi1 + k);
                    Vector256.FusedMultiplyAdd(vc, a, -(vs * b)).Store(zi + k);
                }
            }
            for (; k < width; k++)
            {
                double a = zi[k], b = zi1[k];
                zi1[k] = s * a + c * b;
                zi[k] = c * a - s * b;
            }
        }
    }
}
