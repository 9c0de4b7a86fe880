// The CPU implementation of the op contract. float32 goes to the fast kernels (SIMD, packed GEMM,
// im2col conv); float64 runs the generic kernels or the scalar references, which is what the
// gradient checks exercise. Every method here is a thin dispatch: the math lives in Opacity.Kernels.
using System.Numerics.Tensors;
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cpu.Simd;

namespace Opacity.Tensors.Backends;

internal sealed partial class CpuBackend : Backend
{
    public static readonly CpuBackend Instance = new();

    public override Storage Allocate(DType dtype, int length, bool zero) => Storage.AllocateCpu(dtype, length, zero);

    public override void Copy(Tensor src, Tensor dst)
    {
        if (src.DType == DType.F32) src.AsSpan().CopyTo(dst.AsSpan()); else src.AsSpanF64().CopyTo(dst.AsSpanF64());
    }

    public override void AddInPlace(Tensor dst, Tensor src)
    {
        if (dst.DType == DType.F32) TensorPrimitives.Add(dst.AsSpan(), src.AsSpan(), dst.AsSpan());
        else TensorPrimitives.Add(dst.AsSpanF64(), src.AsSpanF64(), dst.AsSpanF64());
    }

    public override void Fill(Tensor dst, double value)
    {
        if (dst.DType == DType.F32) dst.AsSpan().Fill((float)value); else dst.AsSpanF64().Fill(value);
    }

    public override void Binary(BinaryKind kind, Tensor a, int[] aStrides, Tensor b, int[] bStrides, Tensor y)
    {
        int[] shape = y.Shape.ToArray();
        if (y.DType == DType.F32) Broadcast.Binary(kind, a.AsSpan(), aStrides, b.AsSpan(), bStrides, y.AsSpan(), shape);
        else Broadcast.Binary(kind, a.AsSpanF64(), aStrides, b.AsSpanF64(), bStrides, y.AsSpanF64(), shape);
    }

    public override void Expand(Tensor src, int[] srcStrides, Tensor y)
    {
        int[] shape = y.Shape.ToArray();
        if (y.DType == DType.F32) Broadcast.Expand<float>(src.AsSpan(), srcStrides, y.AsSpan(), shape);
        else Broadcast.Expand<double>(src.AsSpanF64(), srcStrides, y.AsSpanF64(), shape);
    }

    public override void ReduceTo(Tensor src, Tensor dst, int[] dstStrides, bool accumulate)
    {
        int[] shape = src.Shape.ToArray();
        if (src.DType == DType.F32) Broadcast.ReduceTo(src.AsSpan(), shape, dst.AsSpan(), dstStrides, accumulate);
        else Broadcast.ReduceTo(src.AsSpanF64(), shape, dst.AsSpanF64(), dstStrides, accumulate);
    }

    public override void Unary(UnaryKind kind, Tensor x, Tensor y, double p1, double p2)
    {
        if (x.DType == DType.F32) Unary(kind, x.AsSpan(), y.AsSpan(), (float)p1, (float)p2);
        else Unary(kind, x.AsSpanF64(), y.AsSpanF64(), p1, p2);
    }

    private static void Unary<T>(UnaryKind kind, ReadOnlySpan<T> x, Span<T> y, T p1, T p2) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case UnaryKind.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryKind.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryKind.Log: TensorPrimitives.Log(x, y); break;
            case UnaryKind.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryKind.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryKind.Relu: SimdMap.Unary(x, y, new ReluOp<T>()); break;
            case UnaryKind.LeakyRelu: SimdMap.Unary(x, y, new LeakyReluOp<T>(p1)); break;
            case UnaryKind.Clamp: SimdMap.Unary(x, y, new ClampOp<T>(p1, p2)); break;
            case UnaryKind.Pow: TensorPrimitives.Pow(x, p1, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public override void UnaryBackward(UnaryKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate, double p1, double p2)
    {
        if (x.DType == DType.F32) UnaryBackward(kind, x.AsSpan(), y.AsSpan(), dy.AsSpan(), dx.AsSpan(), accumulate, (float)p1, (float)p2);
        else UnaryBackward(kind, x.AsSpanF64(), y.AsSpanF64(), dy.AsSpanF64(), dx.AsSpanF64(), accumulate, p1, p2);
    }

    private static void UnaryBackward<T>(UnaryKind kind, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, bool acc, T p1, T p2)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case UnaryKind.Neg:
                if (acc) TensorPrimitives.Subtract(dx, dy, dx); else TensorPrimitives.Negate(dy, dx);
                break;
            case UnaryKind.Exp: SimdMap.Ternary(x, y, dy, dx, acc, new ExpGradOp<T>()); break;
            case UnaryKind.Log: SimdMap.Ternary(x, y, dy, dx, acc, new LogGradOp<T>()); break;
            case UnaryKind.Sqrt: SimdMap.Ternary(x, y, dy, dx, acc, new SqrtGradOp<T>()); break;
            case UnaryKind.Abs: SimdMap.Ternary(x, y, dy, dx, acc, new AbsGradOp<T>()); break;
            case UnaryKind.Tanh: SimdMap.Ternary(x, y, dy, dx, acc, new TanhGradOp<T>()); break;
            case UnaryKind.Sigmoid: SimdMap.Ternary(x, y, dy, dx, acc, new SigmoidGradOp<T>()); break;
            case UnaryKind.Relu: SimdMap.Ternary(x, y, dy, dx, acc, new LeakyReluGradOp<T>(T.Zero)); break;
            case UnaryKind.LeakyRelu: SimdMap.Ternary(x, y, dy, dx, acc, new LeakyReluGradOp<T>(p1)); break;
            case UnaryKind.Clamp: SimdMap.Ternary(x, y, dy, dx, acc, new ClampGradOp<T>(p1, p2)); break;
            case UnaryKind.Pow:
                // d(x^p)/dx = p * x^(p-1): computed as a temporary, then scaled by dy
                for (int i = 0; i < dx.Length; i++)
                {
                    T g = dy[i] * p1 * T.Pow(x[i], p1 - T.One);
                    dx[i] = acc ? dx[i] + g : g;
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public override void MulAccumulate(Tensor b, Tensor c, Tensor r, bool accumulate)
    {
        if (r.DType == DType.F32) SimdMap.Ternary(b.AsSpan(), b.AsSpan(), c.AsSpan(), r.AsSpan(), accumulate, new MulGradOp<float>());
        else SimdMap.Ternary(b.AsSpanF64(), b.AsSpanF64(), c.AsSpanF64(), r.AsSpanF64(), accumulate, new MulGradOp<double>());
    }

    public override void DivDenominatorGrad(Tensor a, Tensor b, Tensor dy, Tensor r, bool accumulate)
    {
        if (r.DType == DType.F32) SimdMap.Ternary(a.AsSpan(), b.AsSpan(), dy.AsSpan(), r.AsSpan(), accumulate, new DivDenominatorGradOp<float>());
        else SimdMap.Ternary(a.AsSpanF64(), b.AsSpanF64(), dy.AsSpanF64(), r.AsSpanF64(), accumulate, new DivDenominatorGradOp<double>());
    }

    public override void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (c.DType == DType.F32) Opacity.Kernels.Cpu.Gemm.Sgemm(transA, transB, m, n, k, 1f, a.AsSpan(), lda, b.AsSpan(), ldb, accumulate ? 1f : 0f, c.AsSpan(), n);
        else GemmReference.Gemm(transA, transB, m, n, k, 1.0, a.AsSpanF64(), lda, b.AsSpanF64(), ldb, accumulate ? 1.0 : 0.0, c.AsSpanF64(), n);
    }
}
