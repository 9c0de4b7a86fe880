namespace Opacity.Tensors;

/// <summary>An immutable list of dimension sizes, outermost first (NCHW for images).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    public Shape(params int[] dims)
    {
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"Shape {Format(dims)} has a negative dimension.");
        _dims = (int[])dims.Clone();
    }

    public static implicit operator Shape(int[] dims) => new(dims);

    public int Rank => _dims?.Length ?? 0;
    public int this[int axis] => Dims[NormalizeAxis(axis)];
    public ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>Number of elements (1 for a rank-0 scalar).</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>Maps a negative axis (-1 = last) to its positive index, checking the range.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this}.");
        return a;
    }

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= Dims[i]; }
        return s;
    }

    public int[] ToArray() => Dims.ToArray();
    public Shape With(int axis, int size) { int[] d = ToArray(); d[NormalizeAxis(axis)] = size; return new Shape(d); }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode() { var h = new HashCode(); foreach (int d in Dims) h.Add(d); return h.ToHashCode(); }
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public override string ToString() => Format(Dims);
    private static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(", ", dims.ToArray()) + "]";

    /// <summary>NumPy broadcasting: align trailing dims; each pair must be equal or one of them 1.</summary>
    public static Shape Broadcast(Shape a, Shape b, string opName)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException($"{opName}: shapes {a} and {b} cannot be broadcast (dimension {i}: {da} vs {db}).");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }
}
