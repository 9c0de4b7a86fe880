// Softmax / log-softmax along one axis. Backward uses the saved output y:
// softmax dx = y * (dy - sum(dy * y)); log-softmax dx = dy - exp(y) * sum(dy).
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Softmax(bool log, Tensor x, Tensor y, int axis) : Node(x)
{
    public override string Name => log ? "LogSoftmax" : "Softmax";

    public static Tensor Apply(bool log, Tensor x, int axis)
    {
        int ax = x.Shape.NormalizeAxis(axis);
        (int outer, int inner) = Concat.Layout(x.Shape, ax);
        Tensor y = Tensor.Empty(x.Shape, x.DType, x.Device);
        var probe = new Softmax(log, x, y, ax);
        using (Profiler.Scope(probe.Name))
            x.Backend.Softmax(log, x, outer, x.Shape[ax], inner, y);
        return Record(probe, y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is not { } dx) return;
        (int outer, int inner) = Concat.Layout(dy.Shape, axis);
        dy.Backend.SoftmaxBackward(log, y, dy, outer, dy.Shape[axis], inner, dx, acc);
    }
}
