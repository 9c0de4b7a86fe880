// Concatenation along one axis (channels for U-Net skips). Each input is a run of `rows` blocks
// (the product of the dims before the axis) of length C_i * inner; the output interleaves them.
// Backward copies each block of dy back (accumulating when the input already has a gradient).
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Concat(Tensor[] inputs, int axis) : Node(inputs)
{
    public static Tensor Apply(IReadOnlyList<Tensor> inputs, int axis)
    {
        if (inputs.Count == 0) throw new ArgumentException("Concat: no tensors given.");
        Tensor first = inputs[0];
        int ax = first.Shape.NormalizeAxis(axis);
        int total = 0;
        foreach (Tensor t in inputs)
        {
            OpChecks.SameKind("Concat", first, t);
            bool ok = t.Rank == first.Rank;
            for (int d = 0; ok && d < t.Rank; d++) ok = d == ax || t.Shape[d] == first.Shape[d];
            if (!ok) throw new ShapeMismatchException($"Concat along axis {ax}: {t.Describe()} does not match {first.Describe()} outside that axis.");
            total += t.Shape[ax];
        }
        Shape shape = first.Shape.With(ax, total);
        (int rows, int inner) = Layout(shape, ax);
        Tensor y = Tensor.Empty(shape, first.DType, first.Device);
        using (Profiler.Scope("Concat"))
        {
            int offset = 0;
            foreach (Tensor t in inputs)
            {
                int len = t.Shape[ax] * inner;
                first.Backend.CopyBlocks(t, 0, len, y, offset, total * inner, rows, len, accumulate: false);
                offset += len;
            }
        }
        return Record(new Concat([.. inputs], ax), y);
    }

    internal static (int Rows, int Inner) Layout(Shape shape, int axis)
    {
        int rows = 1, inner = 1;
        for (int d = 0; d < axis; d++) rows *= shape[d];
        for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
        return (rows, inner);
    }

    protected internal override void Backward(Tensor dy)
    {
        (int rows, int inner) = Layout(dy.Shape, axis);
        int total = dy.Shape[axis], offset = 0;
        foreach (Tensor t in Inputs)
        {
            int len = t.Shape[axis] * inner;
            if (GradTarget(t, out bool acc) is { } dx)
                dy.Backend.CopyBlocks(dy, offset, total * inner, dx, 0, len, rows, len, acc);
            offset += len;
        }
    }
}

/// <summary>A contiguous copy of [start, start + length) along one axis; backward writes dy into that window.</summary>
internal sealed class Slice(Tensor x, int axis, int start) : Node(x)
{
    public static Tensor Apply(Tensor x, int axis, int start, int length)
    {
        int ax = x.Shape.NormalizeAxis(axis);
        if (start < 0 || length <= 0 || start + length > x.Shape[ax])
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {ax} of {x.Describe()}.");
        Shape shape = x.Shape.With(ax, length);
        (int rows, int inner) = Concat.Layout(x.Shape, ax);
        Tensor y = Tensor.Empty(shape, x.DType, x.Device);
        using (Profiler.Scope("Slice"))
            x.Backend.CopyBlocks(x, start * inner, x.Shape[ax] * inner, y, 0, length * inner, rows, length * inner, accumulate: false);
        return Record(new Slice(x, ax, start), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0];
        if (GradTarget(x, out bool acc) is not { } dx) return;
        if (!acc) dx.Backend.Fill(dx, 0);
        (int rows, int inner) = Concat.Layout(x.Shape, axis);
        int length = dy.Shape[axis];
        dy.Backend.CopyBlocks(dy, 0, length * inner, dx, start * inner, x.Shape[axis] * inner, rows, length * inner, accumulate: true);
    }
}
