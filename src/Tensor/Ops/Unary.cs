// Elementwise unary ops: neg, exp, log, sqrt, abs, tanh, sigmoid, relu, leaky relu, clamp, pow.
// Forward through TensorPrimitives (or SimdMap for the parameterised ones); backward bodies are the
// operator structs in Kernels/Cpu/Simd/ElementwiseOps.cs, each given (x, y, dy).
using Opacity.Tensors.Autograd;
using Opacity.Tensors.Backends;

namespace Opacity.Tensors.Ops;

internal sealed class Unary(UnaryKind kind, Tensor x, Tensor y, double p1, double p2) : Node(x)
{
    public override string Name => kind.ToString();

    public static Tensor Apply(UnaryKind kind, Tensor x, double p1 = 0, double p2 = 0)
    {
        Tensor y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using (Profiler.Scope(kind.ToString()))
            x.Backend.Unary(kind, x, y, p1, p2);
        return Record(new Unary(kind, x, y, p1, p2), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is { } dx)
            dy.Backend.UnaryBackward(kind, Inputs[0], y, dy, dx, acc, p1, p2);
    }
}
