// The building blocks of the FID Inception-v3 (InceptionV3.cs), with torchvision's parameter names so
// that pytorch-fid's state dict maps one to one:
//   BasicConv2d  conv (no bias, any kH x kW, per-axis zero padding) -> BatchNorm (eps 0.001) -> ReLU
//   InceptionA   (pytorch-fid's FIDInceptionA) 1x1 | 1x1,5x5 | 1x1,3x3,3x3 | avg pool 3x3 s1 p1
//                count_include_pad=False, 1x1
//   InceptionB   3x3 s2 | 1x1,3x3,3x3 s2 | max pool 3x3 s2
//   InceptionC   (FIDInceptionC) 1x1 | 1x1,1x7,7x1 | 1x1,7x1,1x7,7x1,1x7 | avg pool (as A), 1x1
//   InceptionD   1x1,3x3 s2 | 1x1,1x7,7x1,3x3 s2 | max pool 3x3 s2
//   InceptionE   (FIDInceptionE_1 / _2) 1x1 | 1x1,[1x3 ; 3x1] | 1x1,3x3,[1x3 ; 3x1] | pool, 1x1, where the
//                pool is avg 3x3 s1 p1 count_include_pad=False (E_1) or max 3x3 s1 p1 (E_2)
// Branch outputs are concatenated over channels in that order. Channel counts are torchvision's divided by
// a width divisor (1 = the real network; the golden test uses 8). Tested by InceptionV3GoldenTests.
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Networks;

/// <summary>A bias-free convolution with a kH x kW kernel and (padH, padW) zero padding; parameter "weight".</summary>
public sealed class RectConv2d : Module
{
    public RectConv2d(int inChannels, int outChannels, (int H, int W) kernel, int stride, (int H, int W) padding, Rng rng)
    {
        Stride = stride; Padding = padding;
        (Weight, _) = AddWeightAndBias(this, new Shape(outChannels, inChannels, kernel.H, kernel.W), outChannels, false,
            inChannels * kernel.H * kernel.W, rng);
    }

    public Parameter Weight { get; }
    public int Stride { get; }
    public (int H, int W) Padding { get; }

    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, null, Stride, Padding);
}

/// <summary>torchvision's BasicConv2d: ReLU(BN(conv(x))), BN eps 0.001.</summary>
public sealed class BasicConv2d : Module
{
    private readonly RectConv2d _conv;
    private readonly BatchNorm2d _bn;

    public BasicConv2d(int cin, int cout, (int H, int W) kernel, Rng rng, int stride = 1, (int H, int W) padding = default)
    {
        _conv = AddModule("conv", new RectConv2d(cin, cout, kernel, stride, padding, rng.Fork()));
        _bn = AddModule("bn", new BatchNorm2d(cout, eps: 0.001));
        OutChannels = cout;
    }

    public BasicConv2d(int cin, int cout, int kernel, Rng rng, int stride = 1, int padding = 0)
        : this(cin, cout, (kernel, kernel), rng, stride, (padding, padding)) { }

    public int OutChannels { get; }

    public override Tensor Forward(Tensor x) => Inference.Scoped(x, h => F.Relu(_bn.Forward(_conv.Forward(h))));
}

/// <summary>Frees intermediates early when no graph is recorded (feature extraction): without this a batch keeps
/// every conv, BN and ReLU output of all 94 layers alive (~200 MB per 299 px image) until the caller's scope ends.</summary>
internal static class Inference
{
    public static Tensor Scoped(Tensor x, Func<Tensor, Tensor> f)
    {
        if (GradMode.IsEnabled) return f(x);   // training/backward needs the intermediates
        using var scope = TensorScope.Begin();
        return scope.Keep(f(x));
    }
}

/// <summary>Channel counts of torchvision's Inception-v3 divided by a width divisor.</summary>
public readonly record struct InceptionWidth(int Divisor)
{
    public int C(int torchvisionChannels) => torchvisionChannels / Divisor;
}

/// <summary>pytorch-fid's FIDInceptionA (Mixed_5b/5c/5d).</summary>
public sealed class InceptionA : Module
{
    private readonly BasicConv2d _b1, _b5a, _b5b, _d1, _d2, _d3, _pool;

    public InceptionA(int cin, int poolFeatures, InceptionWidth w, Rng r)
    {
        _b1 = AddModule("branch1x1", new BasicConv2d(cin, w.C(64), 1, r));
        _b5a = AddModule("branch5x5_1", new BasicConv2d(cin, w.C(48), 1, r));
        _b5b = AddModule("branch5x5_2", new BasicConv2d(w.C(48), w.C(64), 5, r, padding: 2));
        _d1 = AddModule("branch3x3dbl_1", new BasicConv2d(cin, w.C(64), 1, r));
        _d2 = AddModule("branch3x3dbl_2", new BasicConv2d(w.C(64), w.C(96), 3, r, padding: 1));
        _d3 = AddModule("branch3x3dbl_3", new BasicConv2d(w.C(96), w.C(96), 3, r, padding: 1));
        _pool = AddModule("branch_pool", new BasicConv2d(cin, poolFeatures, 1, r));
        OutChannels = w.C(64) + w.C(64) + w.C(96) + poolFeatures;
    }

    public int OutChannels { get; }

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b1.Forward(x),
        _b5b.Forward(_b5a.Forward(x)),
        _d3.Forward(_d2.Forward(_d1.Forward(x))),
        _pool.Forward(F.AvgPool2d(x, 3, 1, padding: 1, countIncludePad: false)),
    ]);
}

/// <summary>torchvision's InceptionB (Mixed_6a), a grid reduction.</summary>
public sealed class InceptionB : Module
{
    private readonly BasicConv2d _b3, _d1, _d2, _d3;

    public InceptionB(int cin, InceptionWidth w, Rng r)
    {
        _b3 = AddModule("branch3x3", new BasicConv2d(cin, w.C(384), 3, r, stride: 2));
        _d1 = AddModule("branch3x3dbl_1", new BasicConv2d(cin, w.C(64), 1, r));
        _d2 = AddModule("branch3x3dbl_2", new BasicConv2d(w.C(64), w.C(96), 3, r, padding: 1));
        _d3 = AddModule("branch3x3dbl_3", new BasicConv2d(w.C(96), w.C(96), 3, r, stride: 2));
        OutChannels = w.C(384) + w.C(96) + cin;
    }

    public int OutChannels { get; }

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b3.Forward(x),
        _d3.Forward(_d2.Forward(_d1.Forward(x))),
        F.MaxPool2d(x, 3, 2),
    ]);
}

/// <summary>pytorch-fid's FIDInceptionC (Mixed_6b..6e): factorised 7x7 convolutions.</summary>
public sealed class InceptionC : Module
{
    private readonly BasicConv2d _b1, _pool;
    private readonly BasicConv2d[] _b7, _d7;

    public InceptionC(int cin, int c7, InceptionWidth w, Rng r)
    {
        _b1 = AddModule("branch1x1", new BasicConv2d(cin, w.C(192), 1, r));
        _b7 =
        [
            AddModule("branch7x7_1", new BasicConv2d(cin, c7, 1, r)),
            AddModule("branch7x7_2", new BasicConv2d(c7, c7, (1, 7), r, padding: (0, 3))),
            AddModule("branch7x7_3", new BasicConv2d(c7, w.C(192), (7, 1), r, padding: (3, 0))),
        ];
        _d7 =
        [
            AddModule("branch7x7dbl_1", new BasicConv2d(cin, c7, 1, r)),
            AddModule("branch7x7dbl_2", new BasicConv2d(c7, c7, (7, 1), r, padding: (3, 0))),
            AddModule("branch7x7dbl_3", new BasicConv2d(c7, c7, (1, 7), r, padding: (0, 3))),
            AddModule("branch7x7dbl_4", new BasicConv2d(c7, c7, (7, 1), r, padding: (3, 0))),
            AddModule("branch7x7dbl_5", new BasicConv2d(c7, w.C(192), (1, 7), r, padding: (0, 3))),
        ];
        _pool = AddModule("branch_pool", new BasicConv2d(cin, w.C(192), 1, r));
        OutChannels = 4 * w.C(192);
    }

    public int OutChannels { get; }

    private static Tensor Chain(BasicConv2d[] layers, Tensor x)
    {
        foreach (BasicConv2d l in layers) x = l.Forward(x);
        return x;
    }

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b1.Forward(x),
        Chain(_b7, x),
        Chain(_d7, x),
        _pool.Forward(F.AvgPool2d(x, 3, 1, padding: 1, countIncludePad: false)),
    ]);
}

/// <summary>torchvision's InceptionD (Mixed_7a), a grid reduction.</summary>
public sealed class InceptionD : Module
{
    private readonly BasicConv2d _b3a, _b3b, _b7a, _b7b, _b7c, _b7d;

    public InceptionD(int cin, InceptionWidth w, Rng r)
    {
        _b3a = AddModule("branch3x3_1", new BasicConv2d(cin, w.C(192), 1, r));
        _b3b = AddModule("branch3x3_2", new BasicConv2d(w.C(192), w.C(320), 3, r, stride: 2));
        _b7a = AddModule("branch7x7x3_1", new BasicConv2d(cin, w.C(192), 1, r));
        _b7b = AddModule("branch7x7x3_2", new BasicConv2d(w.C(192), w.C(192), (1, 7), r, padding: (0, 3)));
        _b7c = AddModule("branch7x7x3_3", new BasicConv2d(w.C(192), w.C(192), (7, 1), r, padding: (3, 0)));
        _b7d = AddModule("branch7x7x3_4", new BasicConv2d(w.C(192), w.C(192), 3, r, stride: 2));
        OutChannels = w.C(320) + w.C(192) + cin;
    }

    public int OutChannels { get; }

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b3b.Forward(_b3a.Forward(x)),
        _b7d.Forward(_b7c.Forward(_b7b.Forward(_b7a.Forward(x)))),
        F.MaxPool2d(x, 3, 2),
    ]);
}

/// <summary>pytorch-fid's FIDInceptionE_1 (Mixed_7b, average pool) and FIDInceptionE_2 (Mixed_7c, max pool).</summary>
public sealed class InceptionE : Module
{
    private readonly bool _maxPool;
    private readonly BasicConv2d _b1, _b3, _b3a, _b3b, _d1, _d2, _d3a, _d3b, _pool;

    public InceptionE(int cin, bool maxPool, InceptionWidth w, Rng r)
    {
        _maxPool = maxPool;
        _b1 = AddModule("branch1x1", new BasicConv2d(cin, w.C(320), 1, r));
        _b3 = AddModule("branch3x3_1", new BasicConv2d(cin, w.C(384), 1, r));
        _b3a = AddModule("branch3x3_2a", new BasicConv2d(w.C(384), w.C(384), (1, 3), r, padding: (0, 1)));
        _b3b = AddModule("branch3x3_2b", new BasicConv2d(w.C(384), w.C(384), (3, 1), r, padding: (1, 0)));
        _d1 = AddModule("branch3x3dbl_1", new BasicConv2d(cin, w.C(448), 1, r));
        _d2 = AddModule("branch3x3dbl_2", new BasicConv2d(w.C(448), w.C(384), 3, r, padding: 1));
        _d3a = AddModule("branch3x3dbl_3a", new BasicConv2d(w.C(384), w.C(384), (1, 3), r, padding: (0, 1)));
        _d3b = AddModule("branch3x3dbl_3b", new BasicConv2d(w.C(384), w.C(384), (3, 1), r, padding: (1, 0)));
        _pool = AddModule("branch_pool", new BasicConv2d(cin, w.C(192), 1, r));
        OutChannels = w.C(320) + 4 * w.C(384) + w.C(192);
    }

    public int OutChannels { get; }

    public override Tensor Forward(Tensor x)
    {
        Tensor b3 = _b3.Forward(x);
        Tensor d = _d2.Forward(_d1.Forward(x));
        Tensor pooled = _maxPool ? F.MaxPool2d(x, 3, 1, padding: 1) : F.AvgPool2d(x, 3, 1, padding: 1, countIncludePad: false);
        return F.Concat(
        [
            _b1.Forward(x),
            _b3a.Forward(b3), _b3b.Forward(b3),
            _d3a.Forward(d), _d3b.Forward(d),
            _pool.Forward(pooled),
        ]);
    }
}
