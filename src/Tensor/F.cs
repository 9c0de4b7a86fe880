// The functional op API, named after torch.nn.functional so that a reader of PyTorch code finds
// each op where they expect it. Every op is differentiable unless noted; composites (Mean, Linear,
// Dropout) are written from primitives and get their gradients from the engine.
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Backends;
using Opacity.Tensors.Ops;

namespace Opacity.Tensors;

public static class F
{
    public static Tensor Add(Tensor a, Tensor b) => Binary.Apply(BinaryKind.Add, a, b);
    public static Tensor Sub(Tensor a, Tensor b) => Binary.Apply(BinaryKind.Sub, a, b);
    public static Tensor Mul(Tensor a, Tensor b) => Binary.Apply(BinaryKind.Mul, a, b);
    public static Tensor Div(Tensor a, Tensor b) => Binary.Apply(BinaryKind.Div, a, b);
    public static Tensor Add(Tensor a, double s) => Add(a, Tensor.Full(new Shape(), s, a.DType, a.Device));
    public static Tensor Mul(Tensor a, double s) => Mul(a, Tensor.Full(new Shape(), s, a.DType, a.Device));

    public static Tensor Neg(Tensor x) => Unary.Apply(UnaryKind.Neg, x);
    public static Tensor Exp(Tensor x) => Unary.Apply(UnaryKind.Exp, x);
    public static Tensor Log(Tensor x) => Unary.Apply(UnaryKind.Log, x);
    public static Tensor Sqrt(Tensor x) => Unary.Apply(UnaryKind.Sqrt, x);
    public static Tensor Abs(Tensor x) => Unary.Apply(UnaryKind.Abs, x);
    public static Tensor Pow(Tensor x, double exponent) => Unary.Apply(UnaryKind.Pow, x, exponent);
    public static Tensor Clamp(Tensor x, double min, double max)
        => min <= max ? Unary.Apply(UnaryKind.Clamp, x, min, max) : throw new ArgumentException($"Clamp: min {min} is above max {max}.");

    public static Tensor Relu(Tensor x) => Unary.Apply(UnaryKind.Relu, x);
    public static Tensor LeakyRelu(Tensor x, double slope = 0.2) => Unary.Apply(UnaryKind.LeakyRelu, x, slope);
    public static Tensor Tanh(Tensor x) => Unary.Apply(UnaryKind.Tanh, x);
    public static Tensor Sigmoid(Tensor x) => Unary.Apply(UnaryKind.Sigmoid, x);
    public static Tensor Softmax(Tensor x, int axis = 1) => Ops.Softmax.Apply(false, x, axis);
    public static Tensor LogSoftmax(Tensor x, int axis = 1) => Ops.Softmax.Apply(true, x, axis);

    /// <summary><c>a · b</c> (or <c>a · bᵀ</c> with <paramref name="transposeB"/>) for 2-D tensors.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeB = false) => Ops.MatMul.Apply(a, b, transposeB);

    /// <summary><c>y = x · Wᵀ + b</c>, x (N, in), W (out, in), b (out).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        Tensor y = MatMul(x, weight, transposeB: true);
        return bias is null ? y : Add(y, bias);
    }

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1)
        => Ops.Conv2d.Apply(x, weight, bias, stride, padding, padding, dilation);

    /// <summary>Convolution with separate zero padding per axis, as torch's <c>padding=(padH, padW)</c> (Inception's 1x7 / 7x1 kernels).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride, (int H, int W) padding)
        => Ops.Conv2d.Apply(x, weight, bias, stride, padding.H, padding.W, 1);

    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1)
        => Ops.ConvTranspose2d.Apply(x, weight, bias, stride, padding, outputPadding, dilation);

    public static Tensor ReflectionPad2d(Tensor x, int pad) => Pad2d.Apply(PadMode.Reflect, x, pad, pad, pad, pad);
    public static Tensor ZeroPad2d(Tensor x, int left, int right, int top, int bottom) => Pad2d.Apply(PadMode.Zero, x, left, right, top, bottom);

    public static Tensor InstanceNorm(Tensor x, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
        => Normalize.InstanceNorm(x, weight, bias, eps);

    public static Tensor BatchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias, bool training, double momentum = 0.1, double eps = 1e-5)
        => Normalize.BatchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps);

    /// <summary>As torch's avg_pool2d (ceil_mode=False): zero <paramref name="padding"/> on every side, divided by k*k, or by the real
    /// pixels in the window when <paramref name="countIncludePad"/> is false.</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool countIncludePad = true)
        => Pool2d.Apply(false, x, kernel, stride ?? kernel, padding, countIncludePad);
    /// <summary>As torch's max_pool2d (ceil_mode=False): the padding acts as -inf.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) => Pool2d.Apply(true, x, kernel, stride ?? kernel, padding);
    /// <summary>Mean over H and W, keeping them as 1x1.</summary>
    public static Tensor GlobalAvgPool2d(Tensor x) => Mean(x, [-2, -1], keepDims: true);

    public static Tensor UpsampleNearest(Tensor x, int outH, int outW) => Upsample2d.Apply(false, x, outH, outW);
    public static Tensor UpsampleBilinear(Tensor x, int outH, int outW) => Upsample2d.Apply(true, x, outH, outW);

    public static Tensor Concat(IReadOnlyList<Tensor> xs, int axis = 1) => Ops.Concat.Apply(xs, axis);
    public static Tensor Slice(Tensor x, int axis, int start, int length) => Ops.Slice.Apply(x, axis, start, length);

    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false) => Ops.Sum.Apply(x, axes, keepDims);

    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        long count = 1;
        if (axes is null || axes.Length == 0) count = x.Numel;
        else foreach (int a in axes.Select(x.Shape.NormalizeAxis).Distinct()) count *= x.Shape[a];
        return Mul(Sum(x, axes, keepDims), 1.0 / count);
    }

    /// <summary>Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1-p); identity when not training.</summary>
    public static Tensor Dropout(Tensor x, double p, Rng rng, bool training)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability {p} must be in [0, 1).");
        if (!training || p == 0) return x;
        Tensor mask = Tensor.Uniform(x.Shape, rng, dtype: x.DType);
        double keep = 1 - p;
        if (x.DType == DType.F32) { Span<float> m = mask.AsSpan(); for (int i = 0; i < m.Length; i++) m[i] = m[i] < p ? 0f : (float)(1 / keep); }
        else { Span<double> m = mask.AsSpanF64(); for (int i = 0; i < m.Length; i++) m[i] = m[i] < p ? 0 : 1 / keep; }
        return Mul(x, mask);
    }
}
