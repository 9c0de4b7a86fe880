// Matrix product of 2-D tensors, y = a · op(b), op = transpose when transB (Linear's x · W^T).
// Backward: da = dy · op(b)^T, db = (transB ? dy^T · a : a^T · dy). Through the packed SGEMM on float32.
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class MatMul(Tensor a, Tensor b, bool transB) : Node(a, b)
{
    public static Tensor Apply(Tensor a, Tensor b, bool transB)
    {
        OpChecks.SameKind("MatMul", a, b);
        OpChecks.Rank("MatMul", a, 2, "(M, K)");
        OpChecks.Rank("MatMul", b, 2, transB ? "(N, K)" : "(K, N)");
        int m = a.Shape[0], k = a.Shape[1];
        int kb = transB ? b.Shape[1] : b.Shape[0], n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ShapeMismatchException($"MatMul: inner dimensions differ: {a.Describe()} times {(transB ? "transposed " : "")}{b.Describe()}.");
        Tensor y = Tensor.Empty(new Shape(m, n), a.DType, a.Device);
        using (Profiler.Scope("MatMul"))
            a.Backend.Gemm(false, transB, m, n, k, a, b, y, accumulate: false);
        return Record(new MatMul(a, b, transB), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor a = Inputs[0], b = Inputs[1];
        int m = a.Shape[0], k = a.Shape[1], n = dy.Shape[1];
        if (GradTarget(a, out bool accA) is { } da)
            dy.Backend.Gemm(false, !transB, m, k, n, dy, b, da, accA);           // (m,n)·(n,k)
        if (GradTarget(b, out bool accB) is { } db)
        {
            if (transB) dy.Backend.Gemm(true, false, n, k, m, dy, a, db, accB); // dW (n,k) = dy^T · a
            else dy.Backend.Gemm(true, false, k, n, m, a, dy, db, accB);        // (k,n) = a^T · dy
        }
    }
}
