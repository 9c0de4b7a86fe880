// ConvReference on a case small enough to work out by hand, so the oracle itself is pinned down.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class ConvReferenceTests
{
    // x (1x1x3x3) = [1 2 3; 4 5 6; 7 8 9], w (1x1x2x2) = [1 2; 3 4], stride 1, pad 0 -> y is 2x2:
    //   y00 = 1*1 + 2*2 + 4*3 + 5*4 = 37    y01 = 2*1 + 3*2 + 5*3 + 6*4 = 47
    //   y10 = 4*1 + 5*2 + 7*3 + 8*4 = 67    y11 = 5*1 + 6*2 + 8*3 + 9*4 = 77     (+ bias 0.5)
    // With dy = ones(2x2):
    //   dx[ih,iw] = sum of the w taps that touch (ih,iw) = [1 1+2 2; 1+3 1+2+3+4 2+4; 3 3+4 4] = [1 3 2; 4 10 6; 3 7 4]
    //   dw[kh,kw] = sum of x under each tap over the 4 windows = [1+2+4+5 2+3+5+6; 4+5+7+8 5+6+8+9] = [12 16; 24 28]
    //   db = 4
    private static readonly ConvGeometry G = new(1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1);
    private static readonly double[] X = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    private static readonly double[] W = [1, 2, 3, 4];
    private static readonly double[] Ones = [1, 1, 1, 1];

    [Test]
    public void Hand_computed_forward_and_gradients()
    {
        var y = new double[4];
        ConvReference.Forward<double>(G, X, W, [0.5], y, accumulate: false);
        Assert.That(y, Is.EqualTo(new[] { 37.5, 47.5, 67.5, 77.5 }));
        var dx = new double[9];
        ConvReference.BackwardInput<double>(G, W, Ones, dx, accumulate: false);
        Assert.That(dx, Is.EqualTo(new double[] { 1, 3, 2, 4, 10, 6, 3, 7, 4 }));
        var dw = new double[] { 100, 100, 100, 100 };
        ConvReference.BackwardWeight<double>(G, X, Ones, dw, accumulate: true);
        Assert.That(dw, Is.EqualTo(new double[] { 112, 116, 124, 128 }));
        var db = new double[1];
        ConvReference.BackwardBias<double>(G, Ones, db, accumulate: false);
        Assert.That(db, Is.EqualTo(new double[] { 4 }));
    }

    [Test]
    public void Fast_conv_reproduces_the_hand_computed_case()
    {
        float[] x = [.. X.Select(v => (float)v)], w = [.. W.Select(v => (float)v)], ones = [1, 1, 1, 1];
        var y = new float[4];
        Conv2d.Forward(G, x, w, [0.5f], y, accumulate: false);
        Assert.That(y, Is.EqualTo(new[] { 37.5f, 47.5f, 67.5f, 77.5f }));
        var dx = new float[9];
        Conv2d.BackwardInput(G, w, ones, dx, accumulate: false);
        Assert.That(dx, Is.EqualTo(new float[] { 1, 3, 2, 4, 10, 6, 3, 7, 4 }));
        var dw = new float[4];
        Conv2d.BackwardWeight(G, x, ones, dw, accumulate: false);
        Assert.That(dw, Is.EqualTo(new float[] { 12, 16, 24, 28 }));
    }

    [Test]
    public void Geometry_rejects_empty_output_with_a_clear_message()
    {
        var g = new ConvGeometry(1, 1, 2, 2, 1, 5, 5, 1, 1, 0, 0, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.That(ex!.Message, Does.Contain("smaller than the dilated kernel"));
        Assert.Throws<ArgumentException>(() => new ConvGeometry(1, 1, 4, 4, 1, 3, 3, 0, 1, 0, 0, 1, 1).Validate());
        Assert.That(new ConvGeometry(1, 1, 128, 128, 1, 3, 3, 2, 2, 1, 1, 1, 1).OutH, Is.EqualTo(64));
    }
}
