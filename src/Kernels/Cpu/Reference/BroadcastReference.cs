// Scalar oracle for broadcasting binary ops and their gradient reduction: one flat loop that
// decodes every output index into per-operand offsets. Never optimised.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class BroadcastReference
{
    public static void Binary<T>(BinaryKind kind, ReadOnlySpan<T> a, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<T> b, ReadOnlySpan<int> bStrides, Span<T> y, ReadOnlySpan<int> shape)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++)
        {
            int rem = i, oa = 0, ob = 0;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                int c = rem % shape[d]; rem /= shape[d];
                oa += c * aStrides[d]; ob += c * bStrides[d];
            }
            y[i] = Broadcast.Apply(kind, a[oa], b[ob]);
        }
    }

    public static void ReduceTo<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> shape, Span<T> dst, ReadOnlySpan<int> dstStrides, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        var sums = new double[dst.Length];
        for (int i = 0; i < src.Length; i++)
        {
            int rem = i, od = 0;
            for (int d = shape.Length - 1; d >= 0; d--) { int c = rem % shape[d]; rem /= shape[d]; od += c * dstStrides[d]; }
            sums[od] += double.CreateTruncating(src[i]);
        }
        for (int j = 0; j < dst.Length; j++)
            dst[j] = (accumulate ? dst[j] : T.Zero) + T.CreateTruncating(sums[j]);
    }
}
