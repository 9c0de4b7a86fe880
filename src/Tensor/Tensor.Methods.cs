namespace Opacity.Tensors;

// Operators and fluent forms of the common ops; all forward to F.
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => F.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => F.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => F.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => F.Div(a, b);
    public static Tensor operator -(Tensor a) => F.Neg(a);
    public static Tensor operator +(Tensor a, double s) => F.Add(a, s);
    public static Tensor operator +(double s, Tensor a) => F.Add(a, s);
    public static Tensor operator -(Tensor a, double s) => F.Add(a, -s);
    public static Tensor operator -(double s, Tensor a) => F.Add(F.Neg(a), s);
    public static Tensor operator *(Tensor a, double s) => F.Mul(a, s);
    public static Tensor operator *(double s, Tensor a) => F.Mul(a, s);
    public static Tensor operator /(Tensor a, double s) => F.Mul(a, 1.0 / s);

    public Tensor Sum(int[]? axes = null, bool keepDims = false) => F.Sum(this, axes, keepDims);
    public Tensor Mean(int[]? axes = null, bool keepDims = false) => F.Mean(this, axes, keepDims);
    public Tensor Abs() => F.Abs(this);
    public Tensor Exp() => F.Exp(this);
    public Tensor Log() => F.Log(this);
    public Tensor Pow(double exponent) => F.Pow(this, exponent);
    public Tensor Tanh() => F.Tanh(this);
    public Tensor Sigmoid() => F.Sigmoid(this);
    public Tensor Relu() => F.Relu(this);
    public Tensor LeakyRelu(double slope = 0.2) => F.LeakyRelu(this, slope);
}
