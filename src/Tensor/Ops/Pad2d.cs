// Reflection or zero padding of the last two dims (left, right, top, bottom as PyTorch's F.pad).
// Backward scatters dy back onto the pixels each padded pixel copied.
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Pad2d(PadMode mode, Tensor x, int left, int right, int top, int bottom) : Node(x)
{
    public override string Name => mode == PadMode.Reflect ? "ReflectionPad2d" : "ZeroPad2d";

    public static Tensor Apply(PadMode mode, Tensor x, int left, int right, int top, int bottom)
    {
        if (x.Rank < 2) throw new ShapeMismatchException($"Pad2d: {x.Describe()} needs at least 2 dimensions.");
        int h = x.Shape[-2], w = x.Shape[-1];
        if (left < 0 || right < 0 || top < 0 || bottom < 0)
            throw new ArgumentException($"Pad2d: negative padding ({left}, {right}, {top}, {bottom}).");
        if (mode == PadMode.Reflect && (left >= w || right >= w || top >= h || bottom >= h))
            throw new ShapeMismatchException($"ReflectionPad2d: padding ({left}, {right}, {top}, {bottom}) must be smaller than the input size {h}x{w} of {x.Describe()}.");
        Shape shape = x.Shape.With(-2, h + top + bottom).With(-1, w + left + right);
        Tensor y = Tensor.Empty(shape, x.DType, x.Device);
        var node = new Pad2d(mode, x, left, right, top, bottom);
        using (Profiler.Scope(node.Name))
            x.Backend.Pad2d(mode, x, top, bottom, left, right, y);
        return Record(node, y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is { } dx)
            dy.Backend.Pad2dBackward(mode, dy, top, bottom, left, right, dx, acc);
    }
}
