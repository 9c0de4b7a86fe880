// How Winograd's tiles get into and out of the vector lanes (Conv2dWinograd, Conv2dWinogradWeight): a run of 8
// horizontally adjacent 4x4 tiles reads 6 rows of 34 columns (RunWindow); the stride-4 tile columns of two runs
// are separated into 16 lanes with two-source permutes (Deinterleave), and 16 tiles' output columns are woven
// back into contiguous pixels (Interleave).
// RunWindow reads the unpadded tensor in place: lanes that fall in the conv's zero padding (or past the map's
// last whole tile or run) are masked loads, which neither read nor fault on the masked addresses (AVX-512
// fault suppression), so the kernels need no zero-padded copy of the batch. Values are those the padded copy
// held, so results are bit-for-bit those of the copying version (same operations, same order).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Opacity.Kernels.Cpu.Conv2dWinograd;

namespace Opacity.Kernels.Cpu;

/// <summary>Where one run of 8 tiles reads its rows in a height x width plane: rows Row0 + i, columns Col0 ..
/// Col0 + 47 (negative, or past the plane, where the conv pads); lanes outside the plane load as zeros.</summary>
internal readonly unsafe struct RunWindow
{
    private readonly long _offset;
    private readonly int _row0, _height, _width;
    private readonly Vector512<float> _mask0, _mask1, _mask2;

    public RunWindow(int row0, int col0, int height, int width)
    {
        _offset = (long)row0 * width + col0;
        _row0 = row0; _height = height; _width = width;
        _mask0 = Inside(col0, width); _mask1 = Inside(col0 + Lanes, width); _mask2 = Inside(col0 + 2 * Lanes, width);
    }

    /// <summary>No tiles: every load is zero.</summary>
    public static RunWindow None => new(0, 0, 0, 0);

    /// <summary>Run h (runs numbered along tile rows, runsPerRow a row) of a map read through padding (padH, padW).</summary>
    public static RunWindow Of(int h, int runsPerRow, int padH, int padW, int height, int width)
        => new(4 * (h / runsPerRow) - padH, h % runsPerRow * HalfCols - padW, height, width);

    // All bits set in the lanes whose column col + lane lies in [0, width).
    private static Vector512<float> Inside(int col, int width)
    {
        Vector512<int> cols = Vector512.Create(col) + Vector512<int>.Indices;
        return (Vector512.GreaterThanOrEqual(cols, Vector512<int>.Zero) & Vector512.LessThan(cols, Vector512.Create(width))).AsSingle();
    }

    /// <summary>Row i's 48 columns (the third vector serves only its first two: a run's 34 input columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row(float* plane, int i, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2)
    {
        if ((uint)(_row0 + i) >= (uint)_height) { v0 = v1 = v2 = Vector512<float>.Zero; return; }
        float* p = plane + _offset + (long)i * _width;
        v0 = Avx512F.MaskLoad(p, _mask0, Vector512<float>.Zero);
        v1 = Avx512F.MaskLoad(p + Lanes, _mask1, Vector512<float>.Zero);
        v2 = Avx512F.MaskLoad(p + 2 * Lanes, _mask2, Vector512<float>.Zero);
    }

    /// <summary>Row i's first 32 columns: a run of 4x4 output-gradient tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row32(float* plane, int i, out Vector512<float> v0, out Vector512<float> v1)
    {
        if ((uint)(_row0 + i) >= (uint)_height) { v0 = v1 = Vector512<float>.Zero; return; }
        float* p = plane + _offset + (long)i * _width;
        v0 = Avx512F.MaskLoad(p, _mask0, Vector512<float>.Zero);
        v1 = Avx512F.MaskLoad(p + Lanes, _mask1, Vector512<float>.Zero);
    }
}

/// <summary>The six stride-4 columns of two runs of 8 adjacent tiles in input rows A and B:
/// d_j[t] = A[4t + j] for lanes t = 0..7 and B[4(t - 8) + j] for t = 8..15, j = 0..5.</summary>
internal readonly struct Deinterleave
{
    private readonly Vector512<int> _phase0, _phase1, _phase2, _phase3, _halves, _ends, _next0, _next1;

    public Deinterleave()
    {
        _phase0 = Phase(0); _phase1 = Phase(1); _phase2 = Phase(2); _phase3 = Phase(3);
        _halves = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        _ends = Vector512.Create(0, 1, 16, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _next0 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 16, 9, 10, 11, 12, 13, 14, 15, 18);
        _next1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 17, 9, 10, 11, 12, 13, 14, 15, 19);
    }

    // Lanes 0..7: elements p, p + 4, ..., p + 28 of a 32-float pair (the upper 8 lanes are not used).
    private static Vector512<int> Phase(int p)
        => Vector512.Create(p, p + 4, p + 8, p + 12, p + 16, p + 20, p + 24, p + 28, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Row A is a0 | a1 | a2 (48 floats), row B likewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Columns(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> b0,
        Vector512<float> b1, Vector512<float> b2, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2,
        out Vector512<float> d3, out Vector512<float> d4, out Vector512<float> d5)
    {
        Columns4(a0, a1, b0, b1, out d0, out d1, out d2, out d3);
        // e = A[32], A[33], B[32], B[33]: the 5th and 6th columns of each run's last tile.
        Vector512<float> e = Avx512F.PermuteVar16x32x2(a2, _ends, b2);
        d4 = Avx512F.PermuteVar16x32x2(d0, _next0, e);  // A[4t + 4] = d0[t + 1]; each run's last tile from e
        d5 = Avx512F.PermuteVar16x32x2(d1, _next1, e);
    }

    /// <summary>Columns 0..3 only (32 floats a run, a0 | a1 and b0 | b1): the first four of <see cref="Columns"/>,
    /// and all of a 4x4 output-gradient tile's, which do not overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Columns4(Vector512<float> a0, Vector512<float> a1, Vector512<float> b0, Vector512<float> b1,
        out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
    {
        d0 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a0, _phase0, a1), _halves, Avx512F.PermuteVar16x32x2(b0, _phase0, b1));
        d1 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a0, _phase1, a1), _halves, Avx512F.PermuteVar16x32x2(b0, _phase1, b1));
        d2 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a0, _phase2, a1), _halves, Avx512F.PermuteVar16x32x2(b0, _phase2, b1));
        d3 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(a0, _phase3, a1), _halves, Avx512F.PermuteVar16x32x2(b0, _phase3, b1));
    }
}

/// <summary>The inverse for outputs: out[4t + j] = y_j[t] from four vectors of 16 tiles, as 64 pixels
/// (p0 | p1: lanes 0..7's run, p2 | p3: lanes 8..15's).</summary>
internal readonly struct Interleave
{
    private readonly Vector512<int> _pairsLow, _pairsHigh, _quadsLow, _quadsHigh;

    public Interleave()
    {
        _pairsLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        _pairsHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        _quadsLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
        _quadsHigh = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Pixels(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3,
        out Vector512<float> p0, out Vector512<float> p1, out Vector512<float> p2, out Vector512<float> p3)
    {
        Vector512<float> lo01 = Avx512F.PermuteVar16x32x2(y0, _pairsLow, y1), hi01 = Avx512F.PermuteVar16x32x2(y0, _pairsHigh, y1);
        Vector512<float> lo23 = Avx512F.PermuteVar16x32x2(y2, _pairsLow, y3), hi23 = Avx512F.PermuteVar16x32x2(y2, _pairsHigh, y3);
        p0 = Avx512F.PermuteVar16x32x2(lo01, _quadsLow, lo23);   // tiles 0..3
        p1 = Avx512F.PermuteVar16x32x2(lo01, _quadsHigh, lo23);  // tiles 4..7
        p2 = Avx512F.PermuteVar16x32x2(hi01, _quadsLow, hi23);   // tiles 8..11
        p3 = Avx512F.PermuteVar16x32x2(hi01, _quadsHigh, hi23);  // tiles 12..15
    }
}
