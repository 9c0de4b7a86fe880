// Average and max pooling, square window k, stride s, no padding (floor output size).
// Max pooling saves the argmax of each window for the backward scatter.
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Pool2d(bool max, Tensor x, int k, int s, int[]? argmax) : Node(x)
{
    public override string Name => max ? "MaxPool2d" : "AvgPool2d";

    public static Tensor Apply(bool max, Tensor x, int kernel, int stride)
    {
        string op = max ? "MaxPool2d" : "AvgPool2d";
        if (x.Rank < 2) throw new ShapeMismatchException($"{op}: {x.Describe()} needs at least 2 dimensions.");
        if (kernel <= 0 || stride <= 0) throw new ArgumentException($"{op}: kernel {kernel} and stride {stride} must be positive.");
        int h = x.Shape[-2], w = x.Shape[-1];
        if (kernel > h || kernel > w) throw new ShapeMismatchException($"{op}: kernel {kernel} is larger than the input {h}x{w} of {x.Describe()}.");
        Shape shape = x.Shape.With(-2, Pooling.OutSize(h, kernel, stride)).With(-1, Pooling.OutSize(w, kernel, stride));
        Tensor y = Tensor.Empty(shape, x.DType, x.Device);
        int[]? argmax = max ? new int[shape.Numel] : null;
        using (Profiler.Scope(op))
        {
            if (max) x.Backend.MaxPool(x, kernel, stride, y, argmax!);
            else x.Backend.AvgPool(x, kernel, stride, y);
        }
        return Record(new Pool2d(max, x, kernel, stride, argmax), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is not { } dx) return;
        if (max) dy.Backend.MaxPoolBackward(dy, argmax!, dx, acc);
        else dy.Backend.AvgPoolBackward(dy, k, s, dx, acc);
    }
}
