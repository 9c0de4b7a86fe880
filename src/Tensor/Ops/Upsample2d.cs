// Nearest or bilinear (align_corners = false) resize of the last two dims to (outH, outW).
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Upsample2d(bool bilinear, Tensor x) : Node(x)
{
    public override string Name => bilinear ? "UpsampleBilinear" : "UpsampleNearest";

    public static Tensor Apply(bool bilinear, Tensor x, int outH, int outW)
    {
        if (x.Rank < 2) throw new ShapeMismatchException($"Upsample: {x.Describe()} needs at least 2 dimensions.");
        if (outH <= 0 || outW <= 0) throw new ArgumentException($"Upsample: output size {outH}x{outW} must be positive.");
        Tensor y = Tensor.Empty(x.Shape.With(-2, outH).With(-1, outW), x.DType, x.Device);
        var node = new Upsample2d(bilinear, x);
        using (Profiler.Scope(node.Name))
            x.Backend.Upsample(bilinear, x, y);
        return Record(node, y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is { } dx)
            dy.Backend.UpsampleBackward(bilinear, dy, dx, acc);
    }
}
