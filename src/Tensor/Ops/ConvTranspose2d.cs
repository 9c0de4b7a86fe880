// Transposed 2-D convolution, NCHW, weight (Cin, Cout, R, S) as PyTorch, optional bias (Cout).
// Shape rule: OH = (H - 1)S - 2P + D(R - 1) + outputPadding + 1.
// It is the adjoint of a convolution: describe that convolution (input = our output, output = our
// input) once, and the three conv primitives swap roles: forward = BackwardInput, dx = Forward,
// dW = BackwardWeight(x := dy, dy := x).
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class ConvTranspose2d : Node
{
    private readonly ConvGeometry _g; // geometry of the adjoint convolution
    private readonly bool _hasBias;

    private ConvTranspose2d(ConvGeometry g, Tensor x, Tensor w, Tensor? bias) : base(bias is null ? [x, w] : [x, w, bias])
    {
        _g = g; _hasBias = bias is not null;
    }

    public static Tensor Apply(Tensor x, Tensor w, Tensor? bias, int stride, int padding, int outputPadding, int dilation)
    {
        const string op = "ConvTranspose2d";
        OpChecks.Rank(op, x, 4, "NCHW input");
        OpChecks.Rank(op, w, 4, "(in, out, kH, kW) weight");
        OpChecks.SameKind(op, x, w);
        if (x.Shape[1] != w.Shape[0])
            throw new ShapeMismatchException($"{op}: input {x.Describe()} has {x.Shape[1]} channels but weight {w.Describe()} expects {w.Shape[0]}.");
        if (outputPadding < 0 || (outputPadding >= stride && outputPadding >= dilation))
            throw new ArgumentException($"{op}: output padding {outputPadding} must be smaller than the stride ({stride}) or the dilation ({dilation}).");
        int cout = w.Shape[1], r = w.Shape[2], s = w.Shape[3];
        int oh = (x.Shape[2] - 1) * stride - 2 * padding + dilation * (r - 1) + outputPadding + 1;
        int ow = (x.Shape[3] - 1) * stride - 2 * padding + dilation * (s - 1) + outputPadding + 1;
        if (oh <= 0 || ow <= 0)
            throw new ShapeMismatchException($"{op}: output would be {oh}x{ow} for input {x.Describe()} and weight {w.Describe()}.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != cout))
            throw new ShapeMismatchException($"{op}: bias {bias.Describe()} must have shape [{cout}].");
        var g = new ConvGeometry(x.Shape[0], cout, oh, ow, x.Shape[1], r, s, stride, stride, padding, padding, dilation, dilation);
        Tensor y = Tensor.Empty(new Shape(x.Shape[0], cout, oh, ow), x.DType, x.Device);
        using (Profiler.Scope(op))
        {
            x.Backend.Conv2dBackwardInput(g, w, x, y, accumulate: false);
            if (bias is not null)
                x.Backend.Binary(BinaryKind.Add, y, y.Shape.Strides(), bias, [0, 1, 0, 0], y);
        }
        return Record(new ConvTranspose2d(g, x, w, bias), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        if (GradTarget(x, out bool accX) is { } dx) dy.Backend.Conv2dForward(_g, dy, w, null, dx, accX);
        if (GradTarget(w, out bool accW) is { } dw) dy.Backend.Conv2dBackwardWeight(_g, dy, x, dw, accW);
        if (_hasBias && GradTarget(Inputs[2], out bool accB) is { } db) dy.Backend.ReduceTo(dy, db, [0, 1, 0, 0], accB);
    }
}
