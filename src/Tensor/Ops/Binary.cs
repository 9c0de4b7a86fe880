// add, sub, mul, div with NumPy broadcasting (over batch and channel, or any dims).
// Backward (y = a op b, gradients reduced back onto a broadcast operand by summing):
//   add: da = dy, db = dy;  sub: da = dy, db = -dy;  mul: da = dy*b, db = dy*a;
//   div: da = dy/b, db = -dy*a/b^2.
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;
using Opacity.Tensors.Backends;

namespace Opacity.Tensors.Ops;

internal sealed class Binary(BinaryKind kind, Tensor a, Tensor b) : Node(a, b)
{
    public override string Name => kind.ToString();

    public static Tensor Apply(BinaryKind kind, Tensor a, Tensor b)
    {
        OpChecks.SameKind(kind.ToString(), a, b);
        Shape shape = Shape.Broadcast(a.Shape, b.Shape, kind.ToString());
        Tensor y = Tensor.Empty(shape, a.DType, a.Device);
        using (Profiler.Scope(kind.ToString()))
            a.Backend.Binary(kind, a, OpChecks.BroadcastStrides(a.Shape, shape), b, OpChecks.BroadcastStrides(b.Shape, shape), y);
        return Record(new Binary(kind, a, b), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor a = Inputs[0], b = Inputs[1];
        var be = dy.Backend;
        bool sameShapes = a.Shape == dy.Shape && b.Shape == dy.Shape;
        if (GradTarget(a, out bool accA) is { } da)
        {
            switch (kind)
            {
                case BinaryKind.Add or BinaryKind.Sub: ReduceInto(dy, a, da, accA); break;
                case BinaryKind.Mul when sameShapes: be.MulAccumulate(b, dy, da, accA); break;
                case BinaryKind.Mul: using (Tensor t = Full(BinaryKind.Mul, dy, b)) ReduceInto(t, a, da, accA); break;
                default: using (Tensor t = Full(BinaryKind.Div, dy, b)) ReduceInto(t, a, da, accA); break;
            }
        }
        if (GradTarget(b, out bool accB) is { } db)
        {
            switch (kind)
            {
                case BinaryKind.Add: ReduceInto(dy, b, db, accB); break;
                case BinaryKind.Sub when b.Shape == dy.Shape: be.UnaryBackward(UnaryKind.Neg, dy, dy, dy, db, accB, 0, 0); break;
                case BinaryKind.Sub:
                    using (Tensor neg = Tensor.Empty(dy.Shape, dy.DType, dy.Device))
                    {
                        be.Unary(UnaryKind.Neg, dy, neg, 0, 0);
                        ReduceInto(neg, b, db, accB);
                    }
                    break;
                case BinaryKind.Mul when sameShapes: be.MulAccumulate(a, dy, db, accB); break;
                case BinaryKind.Mul: using (Tensor t = Full(BinaryKind.Mul, dy, a)) ReduceInto(t, b, db, accB); break;
                case BinaryKind.Div when sameShapes: be.DivDenominatorGrad(a, b, dy, db, accB); break;
                default:
                    // -dy * a / b^2 = -(dy * y) / b, with y = a / b recomputed at full shape
                    using (Tensor y = Full(BinaryKind.Div, a, b, dy.Shape))
                    using (Tensor t = Full(BinaryKind.Mul, dy, y))
                    using (Tensor u = Full(BinaryKind.Div, t, b))
                    {
                        be.Unary(UnaryKind.Neg, u, u, 0, 0);
                        ReduceInto(u, b, db, accB);
                    }
                    break;
            }
        }
    }

    // p op q at the broadcast shape (no graph: backward runs with grad mode off).
    private static Tensor Full(BinaryKind k, Tensor p, Tensor q, Shape? shape = null)
    {
        Shape s = shape ?? Shape.Broadcast(p.Shape, q.Shape, k.ToString());
        Tensor r = TensorScope.Untracked(() => Tensor.Empty(s, p.DType, p.Device));
        p.Backend.Binary(k, p, OpChecks.BroadcastStrides(p.Shape, s), q, OpChecks.BroadcastStrides(q.Shape, s), r);
        return r;
    }

    /// <summary>grad (+)= full summed over the dims where <paramref name="input"/> was broadcast.</summary>
    internal static void ReduceInto(Tensor full, Tensor input, Tensor grad, bool accumulate)
    {
        if (input.Shape == full.Shape)
        {
            if (accumulate) full.Backend.AddInPlace(grad, full); else full.Backend.Copy(full, grad);
            return;
        }
        full.Backend.ReduceTo(full, grad, OpChecks.BroadcastStrides(input.Shape, full.Shape), accumulate);
    }
}
