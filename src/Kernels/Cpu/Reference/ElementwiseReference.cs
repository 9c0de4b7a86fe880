// Scalar oracles for the elementwise ops of kernels/cu/elementwise.cu: add, multiply, scale and the
// activations ReLU, LeakyReLU, tanh, sigmoid, each with its backward (STYLE.md G3: every backward
// writes d = (accumulate ? d : 0) + local). Computed in double, never optimised (G4). The length of
// the output span is the element count; every other span must match it. ReLU/LeakyReLU take the
// negative branch at exactly 0 (PyTorch's convention). Tested against the CUDA kernels by
// tests/Opacity.Kernels.Tests/Cuda/EmulatorElementwiseTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ElementwiseReference
{
    /// <summary><c>y = a + b</c></summary>
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(a.Length, y.Length, nameof(a)); Same(b.Length, y.Length, nameof(b));
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(D(a[i]) + D(b[i]));
    }

    /// <summary><c>y = a * b</c></summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(a.Length, y.Length, nameof(a)); Same(b.Length, y.Length, nameof(b));
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(D(a[i]) * D(b[i]));
    }

    /// <summary><c>da = dy*b</c>, <c>db = dy*a</c>; an empty span skips that gradient.</summary>
    public static void MultiplyBackward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> dy, Span<T> da, Span<T> db,
        bool accumulateA, bool accumulateB) where T : IFloatingPointIeee754<T>
    {
        Same(a.Length, dy.Length, nameof(a)); Same(b.Length, dy.Length, nameof(b));
        ReferenceChecks.OptionalLength(da.Length, dy.Length, nameof(da));
        ReferenceChecks.OptionalLength(db.Length, dy.Length, nameof(db));
        for (int i = 0; i < dy.Length; i++)
        {
            if (!da.IsEmpty) da[i] = Store(da[i], D(dy[i]) * D(b[i]), accumulateA);
            if (!db.IsEmpty) db[i] = Store(db[i], D(dy[i]) * D(a[i]), accumulateB);
        }
    }

    /// <summary><c>y = alpha * x</c></summary>
    public static void Scale<T>(ReadOnlySpan<T> x, T alpha, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(x.Length, y.Length, nameof(x));
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(D(alpha) * D(x[i]));
    }

    /// <summary><c>dx = alpha * dy</c> (alpha = 1: the backward of each input of Add).</summary>
    public static void ScaleBackward<T>(ReadOnlySpan<T> dy, T alpha, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        Same(dy.Length, dx.Length, nameof(dy));
        for (int i = 0; i < dx.Length; i++) dx[i] = Store(dx[i], D(alpha) * D(dy[i]), accumulate);
    }

    /// <summary><c>y = max(x, 0)</c></summary>
    public static void ReluForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
        => LeakyReluForward(x, T.Zero, y);

    /// <summary><c>dx = x &gt; 0 ? dy : 0</c></summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
        => LeakyReluBackward(x, dy, T.Zero, dx, accumulate);

    /// <summary><c>y = x &gt; 0 ? x : slope*x</c></summary>
    public static void LeakyReluForward<T>(ReadOnlySpan<T> x, T slope, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(x.Length, y.Length, nameof(x));
        for (int i = 0; i < y.Length; i++) y[i] = x[i] > T.Zero ? x[i] : T.CreateTruncating(D(slope) * D(x[i]));
    }

    /// <summary><c>dx = x &gt; 0 ? dy : slope*dy</c></summary>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T slope, Span<T> dx, bool accumulate)
        where T : IFloatingPointIeee754<T>
    {
        Same(x.Length, dx.Length, nameof(x)); Same(dy.Length, dx.Length, nameof(dy));
        for (int i = 0; i < dx.Length; i++) dx[i] = Store(dx[i], x[i] > T.Zero ? D(dy[i]) : D(slope) * D(dy[i]), accumulate);
    }

    /// <summary><c>y = tanh(x)</c></summary>
    public static void TanhForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(x.Length, y.Length, nameof(x));
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(Math.Tanh(D(x[i])));
    }

    /// <summary><c>dx = dy * (1 - y²)</c>, from the forward output y.</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        Same(y.Length, dx.Length, nameof(y)); Same(dy.Length, dx.Length, nameof(dy));
        for (int i = 0; i < dx.Length; i++) dx[i] = Store(dx[i], D(dy[i]) * (1 - D(y[i]) * D(y[i])), accumulate);
    }

    /// <summary><c>y = 1 / (1 + exp(-x))</c></summary>
    public static void SigmoidForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        Same(x.Length, y.Length, nameof(x));
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(1 / (1 + Math.Exp(-D(x[i]))));
    }

    /// <summary><c>dx = dy * y * (1 - y)</c>, from the forward output y.</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        Same(y.Length, dx.Length, nameof(y)); Same(dy.Length, dx.Length, nameof(dy));
        for (int i = 0; i < dx.Length; i++) dx[i] = Store(dx[i], D(dy[i]) * D(y[i]) * (1 - D(y[i])), accumulate);
    }

    private static double D<T>(T v) where T : IFloatingPointIeee754<T> => double.CreateTruncating(v);

    private static T Store<T>(T old, double local, bool accumulate) where T : IFloatingPointIeee754<T>
        => T.CreateTruncating((accumulate ? D(old) : 0) + local);

    private static void Same(int length, int expected, string name) => ReferenceChecks.Length(length, expected, name);
}
