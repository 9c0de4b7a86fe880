// 2-D convolution, NCHW, weight (K, C, R, S), optional bias (K), stride/dilation, zero padding per axis
// (padH, padW; equal in most callers, (0, 3) / (3, 0) in Inception's 1x7 / 7x1 convolutions).
// Shape rule: OH = (H + 2PH - D(R-1) - 1)/S + 1, OW likewise with PW. Backward: dx via BackwardInput, dW via BackwardWeight,
// db = sum of dy over N, OH, OW. Kernels: Kernels/Cpu/Conv2d.cs (float32), ConvReference (float64).
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Conv2d : Node
{
    private readonly ConvGeometry _g;
    private readonly bool _hasBias;

    private Conv2d(ConvGeometry g, Tensor x, Tensor w, Tensor? bias) : base(bias is null ? [x, w] : [x, w, bias])
    {
        _g = g; _hasBias = bias is not null;
    }

    public static ConvGeometry Geometry(string op, Tensor x, Tensor w, int stride, int padH, int padW, int dilation)
    {
        OpChecks.Rank(op, x, 4, "NCHW input");
        OpChecks.Rank(op, w, 4, "(out, in, kH, kW) weight");
        OpChecks.SameKind(op, x, w);
        if (x.Shape[1] != w.Shape[1])
            throw new ShapeMismatchException($"{op}: input {x.Describe()} has {x.Shape[1]} channels but weight {w.Describe()} expects {w.Shape[1]}.");
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3],
            stride, stride, padH, padW, dilation, dilation);
        try { g.Validate(); }
        catch (ArgumentException e) { throw new ShapeMismatchException($"{op} on {x.Describe()} with weight {w.Describe()}: {e.Message}"); }
        return g;
    }

    public static Tensor Apply(Tensor x, Tensor w, Tensor? bias, int stride, int padH, int padW, int dilation)
    {
        ConvGeometry g = Geometry("Conv2d", x, w, stride, padH, padW, dilation);
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != g.OutChannels))
            throw new ShapeMismatchException($"Conv2d: bias {bias.Describe()} must have shape [{g.OutChannels}].");
        Tensor y = Tensor.Empty(new Shape(g.Batch, g.OutChannels, g.OutH, g.OutW), x.DType, x.Device);
        using (Profiler.Scope("Conv2d"))
            x.Backend.Conv2dForward(g, x, w, bias, y, accumulate: false);
        return Record(new Conv2d(g, x, w, bias), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        if (GradTarget(x, out bool accX) is { } dx) dy.Backend.Conv2dBackwardInput(_g, w, dy, dx, accX);
        if (GradTarget(w, out bool accW) is { } dw) dy.Backend.Conv2dBackwardWeight(_g, x, dy, dw, accW);
        if (_hasBias && GradTarget(Inputs[2], out bool accB) is { } db) dy.Backend.Conv2dBackwardBias(_g, dy, db, accB);
    }
}
