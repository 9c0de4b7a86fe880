// One SIMD driver for elementwise kernels, TensorPrimitives style (STYLE.md G5): an operator struct
// supplies the scalar and vector bodies, the driver walks 512 -> 256 -> scalar and writes the tail
// once. Generic over float and double, so the float64 gradient checks run the very same code.
// Tested by Kernels.Tests/Cpu/SimdMapTests (lengths 0..257, offsets, canaries) against the scalar body.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Simd;

/// <summary>y = f(x).</summary>
public interface IUnaryOp<T> where T : unmanaged
{
    T Invoke(T x);
    Vector256<T> Invoke(Vector256<T> x);
    Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>r = f(a, b, c): backward bodies take (input, output, dy) and return the local gradient.</summary>
public interface ITernaryOp<T> where T : unmanaged
{
    T Invoke(T a, T b, T c);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c);
    Vector512<T> Invoke(Vector512<T> a, Vector512<T> b, Vector512<T> c);
}

public static class SimdMap
{
    /// <summary><c>y[i] = op(x[i])</c>; x and y may be the same span.</summary>
    public static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> y, TOp op)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        if (y.Length < x.Length) throw new ArgumentException("Output is shorter than input.", nameof(y));
        ref T xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref T yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                op.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref xr, i));
    }

    /// <summary><c>r[i] = (accumulate ? r[i] : 0) + op(a[i], b[i], c[i])</c>.</summary>
    public static void Ternary<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> r, bool accumulate, TOp op)
        where T : unmanaged, System.Numerics.INumberBase<T> where TOp : struct, ITernaryOp<T>
    {
        int n = r.Length;
        if (a.Length < n || b.Length < n || c.Length < n) throw new ArgumentException("Inputs are shorter than the output.");
        ref T ar = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref T br = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        ref T cr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(c);
        ref T rr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(r);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var v = op.Invoke(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i), Vector512.LoadUnsafe(ref cr, (nuint)i));
                if (accumulate) v += Vector512.LoadUnsafe(ref rr, (nuint)i);
                v.StoreUnsafe(ref rr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = op.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i), Vector256.LoadUnsafe(ref cr, (nuint)i));
                if (accumulate) v += Vector256.LoadUnsafe(ref rr, (nuint)i);
                v.StoreUnsafe(ref rr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T v = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i));
            Unsafe.Add(ref rr, i) = accumulate ? Unsafe.Add(ref rr, i) + v : v;
        }
    }

    /// <summary>The scalar bodies only: the oracle the SIMD paths are tested against.</summary>
    public static void UnaryScalar<T, TOp>(ReadOnlySpan<T> x, Span<T> y, TOp op)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = op.Invoke(x[i]);
    }

    public static void TernaryScalar<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> r, bool accumulate, TOp op)
        where T : unmanaged, System.Numerics.INumberBase<T> where TOp : struct, ITernaryOp<T>
    {
        for (int i = 0; i < r.Length; i++) { T v = op.Invoke(a[i], b[i], c[i]); r[i] = accumulate ? r[i] + v : v; }
    }
}
