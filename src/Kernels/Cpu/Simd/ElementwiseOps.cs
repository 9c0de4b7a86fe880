// Operator structs for the elementwise forward and backward kernels the TensorPrimitives library does
// not have (activations with a parameter, and every backward body). Each backward op gets
// (a = the op's input, b = the op's output, c = dy) and returns the local gradient dL/dx.
// Kink convention matches PyTorch: ReLU/LeakyReLU take the negative branch at exactly 0.
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Simd;

public readonly struct ReluOp<T> : IUnaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x > T.Zero ? x : T.Zero;
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Max(x, Vector512<T>.Zero);
}

public readonly struct LeakyReluOp<T>(T slope) : IUnaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x > T.Zero ? x : slope * x;
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * slope);
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * slope);
}

public readonly struct ClampOp<T>(T min, T max) : IUnaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x) => x < min ? min : x > max ? max : x;
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(min)), Vector256.Create(max));
    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(min)), Vector512.Create(max));
}

/// <summary>dx = dy * (x &gt; 0 ? 1 : slope); slope 0 is ReLU.</summary>
public readonly struct LeakyReluGradOp<T>(T slope) : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => x > T.Zero ? dy : slope * dy;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * slope);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * slope);
}

/// <summary>dx = dy * (min &lt;= x &lt;= max), PyTorch's clamp gradient (inclusive bounds).</summary>
public readonly struct ClampGradOp<T>(T min, T max) : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => x >= min && x <= max ? dy : T.Zero;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy)
        => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(min)) & Vector256.LessThanOrEqual(x, Vector256.Create(max)), dy, Vector256<T>.Zero);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
        => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512.Create(min)) & Vector512.LessThanOrEqual(x, Vector512.Create(max)), dy, Vector512<T>.Zero);
}

/// <summary>tanh: dx = dy * (1 - y^2).</summary>
public readonly struct TanhGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => dy * (T.One - y * y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => dy * (Vector256<T>.One - y * y);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy * (Vector512<T>.One - y * y);
}

/// <summary>sigmoid: dx = dy * y * (1 - y).</summary>
public readonly struct SigmoidGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => dy * y * (T.One - y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => dy * y * (Vector256<T>.One - y);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy * y * (Vector512<T>.One - y);
}

/// <summary>exp: dx = dy * y.</summary>
public readonly struct ExpGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => dy * y;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => dy * y;
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy * y;
}

/// <summary>log: dx = dy / x.</summary>
public readonly struct LogGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => dy / x;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => dy / x;
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy / x;
}

/// <summary>sqrt: dx = dy / (2 y).</summary>
public readonly struct SqrtGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => dy / (y + y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy) => dy / (y + y);
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy) => dy / (y + y);
}

/// <summary>abs: dx = dy * sign(x), with sign(0) = 0 as PyTorch.</summary>
public readonly struct AbsGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T x, T y, T dy) => x > T.Zero ? dy : x < T.Zero ? -dy : T.Zero;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy,
           Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), -dy, Vector256<T>.Zero));
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy,
           Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), -dy, Vector512<T>.Zero));
}

/// <summary>Product rule piece: r = b * c (e.g. dA = B * dY for y = a*b, with a passed as unused first operand).</summary>
public readonly struct MulGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T a, T b, T c) => b * c;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c) => b * c;
    public Vector512<T> Invoke(Vector512<T> a, Vector512<T> b, Vector512<T> c) => b * c;
}

/// <summary>Quotient rule for the denominator: y = a / b, dB = -dY * a / b^2 (a, b, dy).</summary>
public readonly struct DivDenominatorGradOp<T> : ITernaryOp<T> where T : unmanaged, INumber<T>
{
    public T Invoke(T a, T b, T dy) => -dy * a / (b * b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> dy) => -dy * a / (b * b);
    public Vector512<T> Invoke(Vector512<T> a, Vector512<T> b, Vector512<T> dy) => -dy * a / (b * b);
}
