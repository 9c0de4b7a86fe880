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

/// <summary>Which tiles share a group's 16 lanes. A "half" is 8 lanes: one run of 8 adjacent tiles of a tile row
/// ("eights": rows that 8-tile runs fill to >= 80 %), or two runs of 4 ("quads", v7: rows that only 4-tile runs
/// fill, such as the 4 tiles of a 16-px map); runs and halves are numbered along tile rows. Either way a half is
/// two segments of 4 tiles (16 output columns), adjacent in eights.</summary>
internal readonly struct TileLayout
{
    public readonly bool Quads;
    public readonly int RunsPerRow, Runs, Halves;

    private TileLayout(int tilesX, int tilesY, bool quads)
    {
        Quads = quads;
        int tilesPerRun = quads ? 4 : HalfTiles;
        RunsPerRow = (tilesX + tilesPerRun - 1) / tilesPerRun;
        Runs = tilesY * RunsPerRow;
        Halves = quads ? (Runs + 1) / 2 : Runs;
    }

    /// <summary>Eights where they fill the rows, else quads if allowed and they do; null when neither does
    /// (rows of 1-3, 5 or 6 tiles).</summary>
    public static TileLayout? For(in ConvGeometry g, bool quads)
    {
        int tilesX = (g.OutW + 3) / 4, tilesY = (g.OutH + 3) / 4;
        if (Fills(tilesX, HalfTiles)) return new TileLayout(tilesX, tilesY, quads: false);
        if (quads && Fills(tilesX, 4)) return new TileLayout(tilesX, tilesY, quads: true);
        return null;
    }

    // Runs of n tiles leave at most a fifth of a row's lanes empty (below that the empty lanes cost more than
    // Winograd saves; quick-conv-shapes).
    private static bool Fills(int tilesX, int n) => (tilesX + n - 1) / n * n * 4 <= tilesX * 5;

    /// <summary>Output row (the first of its tile row's 4) and column of segment s (0 or 1) of half h; row -1 when
    /// the half has no second run (quads, an odd run count).</summary>
    public (int Row, int Col) Segment(int h, int s)
    {
        if (!Quads) return (4 * (h / RunsPerRow), h % RunsPerRow * HalfCols + s * Lanes);
        int q = 2 * h + s;
        return q < Runs ? (4 * (q / RunsPerRow), q % RunsPerRow * Lanes) : (-1, 0);
    }

    /// <summary>Half h's input tiles in a height x width plane read through padding (padH, padW).</summary>
    public RunWindow Window(int h, int padH, int padW, int height, int width)
    {
        var (rowA, colA) = Segment(h, 0);
        if (!Quads) return new RunWindow(rowA - padH, colA - padW, height, width);
        var (rowB, colB) = Segment(h, 1);
        return RunWindow.Pair(rowA - padH, colA - padW, rowB < 0 ? height : rowB - padH, colB - padW, height, width);
    }
}

/// <summary>Where one half's two segments read their rows in a height x width plane: segment A rows RowA + i,
/// columns ColA .. ColA + 31, segment B likewise (in eights, B = A's columns + 16, so A | B | B's next 16 are one
/// run's 48 columns). Columns negative or past the plane (the conv's padding, the map's last tiles) load as zeros.</summary>
internal readonly unsafe struct RunWindow
{
    private readonly long _offsetA, _offsetB;
    private readonly int _rowA, _rowB, _height, _width;
    private readonly Vector512<float> _maskA, _maskB, _maskB2, _maskA2;

    /// <summary>One run of 8 tiles: rows row0 + i, columns col0 .. col0 + 47.</summary>
    public RunWindow(int row0, int col0, int height, int width) : this(row0, col0, row0, col0 + Lanes, height, width) { }

    private RunWindow(int rowA, int colA, int rowB, int colB, int height, int width)
    {
        _offsetA = (long)rowA * width + colA; _offsetB = (long)rowB * width + colB;
        _rowA = rowA; _rowB = rowB; _height = height; _width = width;
        _maskA = Inside(colA, width); _maskA2 = Inside(colA + Lanes, width);
        _maskB = Inside(colB, width); _maskB2 = Inside(colB + Lanes, width);
    }

    /// <summary>Two runs of 4 tiles (quads); rowB = height when there is no second run.</summary>
    public static RunWindow Pair(int rowA, int colA, int rowB, int colB, int height, int width)
        => new(rowA, colA, rowB, colB, height, width);

    /// <summary>No tiles: every load is zero.</summary>
    public static RunWindow None => new(0, 0, 0, 0);

    // All bits set in the lanes whose column col + lane lies in [0, width).
    private static Vector512<float> Inside(int col, int width)
    {
        Vector512<int> cols = Vector512.Create(col) + Vector512<int>.Indices;
        return (Vector512.GreaterThanOrEqual(cols, Vector512<int>.Zero) & Vector512.LessThan(cols, Vector512.Create(width))).AsSingle();
    }

    /// <summary>Row i: segment A's 16 columns, B's 16 and B's next 16 (of which a 6x6 tile reads the first two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row(float* plane, int i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> bNext)
    {
        Row32(plane, i, out a, out b);
        bNext = Load(plane, _rowB, _offsetB + Lanes, _maskB2, i);
    }

    /// <summary>Row i: segment A's next 16 columns (quads only; in eights they are segment B's first 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NextA(float* plane, int i, out Vector512<float> aNext) => aNext = Load(plane, _rowA, _offsetA + Lanes, _maskA2, i);

    /// <summary>Row i: segment A's 16 columns and B's 16 (a half of 4x4 output-gradient tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row32(float* plane, int i, out Vector512<float> a, out Vector512<float> b)
    {
        a = Load(plane, _rowA, _offsetA, _maskA, i);
        b = Load(plane, _rowB, _offsetB, _maskB, i);
    }

    // 16 columns from offset on row row0 + i: zeros for a row outside the plane, else a masked load.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Load(float* plane, int row0, long offset, Vector512<float> mask, int i)
        => (uint)(row0 + i) < (uint)_height
            ? Avx512F.MaskLoad(plane + offset + (long)i * _width, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
}

/// <summary>The six stride-4 columns of two runs of 8 adjacent tiles in input rows A and B:
/// d_j[t] = A[4t + j] for lanes t = 0..7 and B[4(t - 8) + j] for t = 8..15, j = 0..5.</summary>
internal readonly struct Deinterleave
{
    private readonly Vector512<int> _phase0, _phase1, _phase2, _phase3, _halves, _ends, _next0, _next1;
    private readonly Vector512<int> _pairEnds, _quadEnds, _quadNext0, _quadNext1;

    public Deinterleave()
    {
        _phase0 = Phase(0); _phase1 = Phase(1); _phase2 = Phase(2); _phase3 = Phase(3);
        _halves = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        _ends = Vector512.Create(0, 1, 16, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _next0 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 16, 9, 10, 11, 12, 13, 14, 15, 18);
        _next1 = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 17, 9, 10, 11, 12, 13, 14, 15, 19);
        _pairEnds = Vector512.Create(0, 1, 16, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _quadEnds = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 0, 0, 0, 0, 0, 0, 0, 0);
        _quadNext0 = Vector512.Create(1, 2, 3, 16, 5, 6, 7, 18, 9, 10, 11, 20, 13, 14, 15, 22);
        _quadNext1 = Vector512.Create(1, 2, 3, 17, 5, 6, 7, 19, 9, 10, 11, 21, 13, 14, 15, 23);
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

    /// <summary>Quads: lanes 0..3 from segment A of row A (a0, its next 16 columns aNext0), 4..7 from segment B
    /// (a1, aNext1), 8..15 likewise from row B. Columns 0..3 come out of a0 | a1 as in eights; columns 4 and 5
    /// of each run's last tile come from the segments' next columns instead of the following tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ColumnsQuads(Vector512<float> a0, Vector512<float> a1, Vector512<float> aNext0, Vector512<float> aNext1,
        Vector512<float> b0, Vector512<float> b1, Vector512<float> bNext0, Vector512<float> bNext1, out Vector512<float> d0,
        out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3, out Vector512<float> d4, out Vector512<float> d5)
    {
        Columns4(a0, a1, b0, b1, out d0, out d1, out d2, out d3);
        // e = the 17th and 18th columns of the four segments, in lane order.
        Vector512<float> e = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(aNext0, _pairEnds, aNext1), _quadEnds,
            Avx512F.PermuteVar16x32x2(bNext0, _pairEnds, bNext1));
        d4 = Avx512F.PermuteVar16x32x2(d0, _quadNext0, e);
        d5 = Avx512F.PermuteVar16x32x2(d1, _quadNext1, e);
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
