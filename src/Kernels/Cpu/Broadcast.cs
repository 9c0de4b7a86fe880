// Broadcasting binary ops (add, sub, mul, div) and the reduction their backward needs (sum the
// gradient over the broadcast dimensions). Shapes are first "coalesced": adjacent dimensions that
// are contiguous for every operand are merged, so a per-channel bias on NCHW becomes rows of H*W
// with one scalar each, and the innermost loop is one TensorPrimitives call on a long span.
// Strides are in elements, 0 on broadcast dimensions. Tested against BroadcastReference.
using System.Numerics;
using System.Numerics.Tensors;

namespace Opacity.Kernels.Cpu;

public enum BinaryKind
{
    Add,
    Sub,
    Mul,
    Div,
}

public static class Broadcast
{
    /// <summary><c>y[i] = a[i·sa] op b[i·sb]</c> over <paramref name="shape"/> (y contiguous).</summary>
    public static void Binary<T>(BinaryKind kind, ReadOnlySpan<T> a, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<T> b, ReadOnlySpan<int> bStrides, Span<T> y, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (dims, sa, sb, _) = Coalesce(shape, aStrides, bStrides, Contiguous(shape));
        int rank = dims.Length;
        int inner = rank == 0 ? 1 : dims[rank - 1];
        int ia = rank == 0 ? 0 : sa[rank - 1], ib = rank == 0 ? 0 : sb[rank - 1];
        long rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= dims[d];
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        for (long r = 0; r < rows; r++)
        {
            int oa = 0, ob = 0;
            for (int d = 0; d < rank - 1; d++) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
            Span<T> dst = y.Slice((int)(r * inner), inner);
            Row(kind, a, oa, ia, b, ob, ib, dst);
            for (int d = rank - 2; d >= 0; d--) { if (++idx[d] < dims[d]) break; idx[d] = 0; }
        }
    }

    private static void Row<T>(BinaryKind kind, ReadOnlySpan<T> a, int oa, int ia, ReadOnlySpan<T> b, int ob, int ib, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dst.Length;
        if (ia == 1 && ib == 1)
        {
            ReadOnlySpan<T> x = a.Slice(oa, n), z = b.Slice(ob, n);
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(x, z, dst); break;
                case BinaryKind.Sub: TensorPrimitives.Subtract(x, z, dst); break;
                case BinaryKind.Mul: TensorPrimitives.Multiply(x, z, dst); break;
                default: TensorPrimitives.Divide(x, z, dst); break;
            }
        }
        else if (ia == 1 && ib == 0)
        {
            ReadOnlySpan<T> x = a.Slice(oa, n); T s = b[ob];
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(x, s, dst); break;
                case BinaryKind.Sub: TensorPrimitives.Subtract(x, s, dst); break;
                case BinaryKind.Mul: TensorPrimitives.Multiply(x, s, dst); break;
                default: TensorPrimitives.Divide(x, s, dst); break;
            }
        }
        else if (ia == 0 && ib == 1)
        {
            T s = a[oa]; ReadOnlySpan<T> z = b.Slice(ob, n);
            switch (kind)
            {
                case BinaryKind.Add: TensorPrimitives.Add(z, s, dst); break;
                case BinaryKind.Sub: TensorPrimitives.Subtract(s, z, dst); break;
                case BinaryKind.Mul: TensorPrimitives.Multiply(z, s, dst); break;
                default: TensorPrimitives.Divide(s, z, dst); break;
            }
        }
        else
        {
            for (int i = 0; i < n; i++) dst[i] = Apply(kind, a[oa + i * ia], b[ob + i * ib]);
        }
    }

    internal static T Apply<T>(BinaryKind kind, T x, T z) where T : IFloatingPointIeee754<T> => kind switch
    {
        BinaryKind.Add => x + z,
        BinaryKind.Sub => x - z,
        BinaryKind.Mul => x * z,
        _ => x / z,
    };

    /// <summary><c>dst[i·sd] (+)= src[i]</c> summed over <paramref name="shape"/>: reduces a full-shape
    /// gradient onto a broadcast operand (dst strides 0 on the broadcast dimensions).</summary>
    public static void ReduceTo<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> shape, Span<T> dst, ReadOnlySpan<int> dstStrides, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!accumulate) dst.Clear();
        int[] full = Contiguous(shape);
        var (dims, sd, ss, _) = Coalesce(shape, dstStrides, full, full);
        int rank = dims.Length;
        int inner = rank == 0 ? 1 : dims[rank - 1];
        int id = rank == 0 ? 0 : sd[rank - 1];
        long rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= dims[d];
        Span<int> idx = stackalloc int[Math.Max(rank, 1)];
        for (long r = 0; r < rows; r++)
        {
            int od = 0, os = 0;
            for (int d = 0; d < rank - 1; d++) { od += idx[d] * sd[d]; os += idx[d] * ss[d]; }
            ReadOnlySpan<T> row = src.Slice(os, inner);
            if (id == 0) dst[od] += TensorPrimitives.Sum(row);
            else if (id == 1) TensorPrimitives.Add(dst.Slice(od, inner), row, dst.Slice(od, inner));
            else for (int i = 0; i < inner; i++) dst[od + i * id] += row[i];
            for (int d = rank - 2; d >= 0; d--) { if (++idx[d] < dims[d]) break; idx[d] = 0; }
        }
    }

    /// <summary><c>y[i] = src[i·ss]</c> over <paramref name="shape"/> (y contiguous): the broadcast copy, one pass
    /// (a sum's backward used to clear y and then add the broadcast gradient: two passes over a full-size tensor).</summary>
    public static void Expand<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcStrides, Span<T> y, ReadOnlySpan<int> shape)
        where T : unmanaged
    {
        int[] full = Contiguous(shape);
        var (dims, ss, _, _) = Coalesce(shape, srcStrides, full, full);
        int rank = dims.Length;
        int inner = dims[rank - 1], inc = ss[rank - 1];
        long rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= dims[d];
        Span<int> idx = stackalloc int[rank];
        for (long r = 0; r < rows; r++)
        {
            int os = 0;
            for (int d = 0; d < rank - 1; d++) os += idx[d] * ss[d];
            Span<T> dst = y.Slice((int)(r * inner), inner);
            if (inc == 0) dst.Fill(src[os]);
            else if (inc == 1) src.Slice(os, inner).CopyTo(dst);
            else for (int i = 0; i < inner; i++) dst[i] = src[os + i * inc];
            for (int d = rank - 2; d >= 0; d--) { if (++idx[d] < dims[d]) break; idx[d] = 0; }
        }
    }

    public static int[] Contiguous(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = shape[i] == 1 ? 0 : acc; acc *= shape[i]; }
        return s;
    }

    // Drops size-1 dims and merges dim i into i+1 when, for all three stride sets, stride[i] == stride[i+1] * dim[i+1].
    private static (int[] Dims, int[] S1, int[] S2, int[] S3) Coalesce(ReadOnlySpan<int> shape, ReadOnlySpan<int> s1, ReadOnlySpan<int> s2, ReadOnlySpan<int> s3)
    {
        var dims = new List<int>(); var a = new List<int>(); var b = new List<int>(); var c = new List<int>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            int k = dims.Count - 1;
            if (k >= 0 && a[k] == s1[i] * shape[i] && b[k] == s2[i] * shape[i] && c[k] == s3[i] * shape[i])
            {
                dims[k] *= shape[i]; a[k] = s1[i]; b[k] = s2[i]; c[k] = s3[i];
            }
            else { dims.Add(shape[i]); a.Add(s1[i]); b.Add(s2[i]); c.Add(s3[i]); }
        }
        if (dims.Count == 0) { dims.Add(1); a.Add(0); b.Add(0); c.Add(0); }
        return (dims.ToArray(), a.ToArray(), b.ToArray(), c.ToArray());
    }
}
