// The opacity classifier of CDAM (METHOD.md) and of the lesion-sensitivity evaluation: grayscale in
// [-1, 1], one opacity logit out, feature maps at three depths (the last three stages) for the
// feature-level alignment loss, and the class activation map of the opacity class for AASPM option B.
// Two architectures, because the evaluation classifier must differ from the CDAM one in architecture
// and seed:
//   ResNet (default): 3x3 conv s2 (1 -> w), BN, ReLU; BasicBlock(w), BasicBlock(w -> 2w, s2),
//                     BasicBlock(2w -> 4w, s2); global average pool; Linear(4w -> 1).
//   Plain (VGG-like): [3x3 conv, BN, ReLU, 2x2 max pool] x 3 (w, 2w, 4w), 3x3 conv (4w -> 8w), BN,
//                     ReLU; global average pool; Linear(8w -> 1).
// BatchNorm, not InstanceNorm: the classifier is used frozen and in eval mode, where BatchNorm is a
// fixed per-image affine map (CDAM features of G(x) do not depend on the rest of the batch), while
// InstanceNorm would remove each map's mean and contrast, which is the very cue of diffuse opacities
// (ARDS, ground glass raise the whole lung's density), and is noisy on the 8x8 maps of the last stage.
// Parameter names follow torchvision (conv1, bn1, downsample.0, fc). Tested by ClassifierUNetGoldenTests
// (PyTorch golden, both kinds, train and eval mode), ClassifierUNetTests (shapes, CAM, frozen use) and TrainerTests.
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Networks;

/// <summary>The classifier architectures.</summary>
public enum ClassifierKind
{
    /// <summary>Three residual BasicBlocks after a stride-2 stem.</summary>
    ResNet,
    /// <summary>A VGG-like stack of conv-BN-ReLU-maxpool stages.</summary>
    Plain,
}

public sealed class OpacityClassifier : Module, IOpacityClassifier
{
    /// <summary>Total downsampling: input sides must be multiples of it.</summary>
    public const int Stride = 8;

    private readonly Module[] _stages;
    private readonly Linear _fc;

    public OpacityClassifier(ClassifierKind kind = ClassifierKind.ResNet, int width = 16, Rng? rng = null)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), $"Classifier width {width} must be positive.");
        var r = rng ?? new Rng(0);
        Kind = kind; Width = width;
        int w = width;
        if (kind == ClassifierKind.ResNet)
        {
            _stages =
            [
                AddModule("stem", new Sequential(new Conv2d(1, w, 3, stride: 2, padding: 1, bias: false, rng: r.Fork()), new BatchNorm2d(w), Lambda.Relu())),
                AddModule("layer1", new BasicBlock(w, w, 1, r.Fork())),
                AddModule("layer2", new BasicBlock(w, 2 * w, 2, r.Fork())),
                AddModule("layer3", new BasicBlock(2 * w, 4 * w, 2, r.Fork())),
            ];
            FeatureChannels = 4 * w;
        }
        else
        {
            _stages =
            [
                AddModule("stage1", ConvBnRelu(1, w, r, pool: true)),
                AddModule("stage2", ConvBnRelu(w, 2 * w, r, pool: true)),
                AddModule("stage3", ConvBnRelu(2 * w, 4 * w, r, pool: true)),
                AddModule("stage4", ConvBnRelu(4 * w, 8 * w, r, pool: false)),
            ];
            FeatureChannels = 8 * w;
        }
        // Kaiming normal for convs (ReLU network), as torchvision's ResNet; the Linear keeps PyTorch's default.
        foreach (var (name, p) in NamedParameters())
            if (p.Value.Rank == 4) Init.KaimingNormal(p.Value, r);
        _fc = AddModule("fc", new Linear(FeatureChannels, 1, rng: r.Fork()));
    }

    public ClassifierKind Kind { get; }
    public int Width { get; }
    /// <summary>Channels of the last feature map (the input of the global pool and the CAM).</summary>
    public int FeatureChannels { get; }

    private static Sequential ConvBnRelu(int cin, int cout, Rng r, bool pool)
    {
        var s = new Sequential(new Conv2d(cin, cout, 3, padding: 1, bias: false, rng: r.Fork()), new BatchNorm2d(cout), Lambda.Relu());
        if (pool) s.Add(new Lambda("max_pool", x => F.MaxPool2d(x, 2)));
        return s;
    }

    public override Tensor Forward(Tensor x) => Classify(x).Logit;

    /// <summary>Logit (N, 1) and the outputs of the last three stages, shallow to deep: ResNet (w, 1/2), (2w, 1/4),
    /// (4w, 1/8) of the input size; Plain (2w, 1/4), (4w, 1/8), (8w, 1/8).</summary>
    public ClassifierOutput Classify(Tensor images)
    {
        Check(images);
        var features = new List<Tensor>(3);
        Tensor h = images;
        for (int i = 0; i < _stages.Length; i++)
        {
            h = _stages[i].Forward(h);
            if (i >= _stages.Length - 3) features.Add(h);
        }
        Tensor pooled = F.GlobalAvgPool2d(h).Reshape(h.Shape[0], FeatureChannels);
        return new ClassifierOutput(_fc.Forward(pooled), features);
    }

    /// <summary>Class activation map of the opacity class, (N, 1, H, W) in [0, 1], no gradient.
    /// CAM = ReLU(sum_c w_c A_c) of the last feature map A and the fc weights w, bilinearly upsampled to the
    /// input size and divided by its per-image maximum (all zero where no location votes for opacity). With
    /// global average pooling and one linear layer, Grad-CAM's channel weights are w_c / (h w), so Grad-CAM
    /// gives the same normalised map; this is the cheap exact form.</summary>
    public Tensor ActivationMap(Tensor images)
    {
        Check(images);
        using var noGrad = GradMode.NoGrad();
        Tensor last = Classify(images).Features[^1];
        int n = last.Shape[0], c = last.Shape[1];
        Tensor weights = _fc.Weight.Value.Reshape(1, c, 1, 1);
        Tensor cam = F.Relu(F.Sum(last * weights, [1], keepDims: true));
        Tensor up = F.UpsampleBilinear(cam, images.Shape[2], images.Shape[3]);
        float[] v = up.ToArray();
        int hw = images.Shape[2] * images.Shape[3];
        for (int i = 0; i < n; i++)
        {
            Span<float> s = v.AsSpan(i * hw, hw);
            float max = 0;
            foreach (float f in s) max = Math.Max(max, f);
            for (int j = 0; j < hw; j++) s[j] = max > 0 ? Math.Clamp(s[j] / max, 0f, 1f) : 0f;
        }
        return Tensor.FromArray(v, n, 1, images.Shape[2], images.Shape[3]).To(images.Device);
    }

    private static void Check(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != 1)
            throw new ShapeMismatchException($"OpacityClassifier expects grayscale (N, 1, H, W) images, got {x.Describe()}.");
        if (x.Shape[2] % Stride != 0 || x.Shape[3] % Stride != 0 || x.Shape[2] < 2 * Stride || x.Shape[3] < 2 * Stride)
            throw new ShapeMismatchException($"OpacityClassifier needs H and W to be multiples of {Stride} and at least {2 * Stride}, got {x.Shape[2]}x{x.Shape[3]}.");
    }
}

/// <summary>torchvision's BasicBlock: ReLU(BN(conv3(ReLU(BN(conv3_s(x))))) + shortcut(x)), the shortcut a
/// 1x1 conv + BN when the stride or width changes.</summary>
public sealed class BasicBlock : Module
{
    private readonly Conv2d _conv1, _conv2;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly Sequential? _downsample;

    public BasicBlock(int inChannels, int outChannels, int stride, Rng rng)
    {
        _conv1 = AddModule("conv1", new Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false, rng: rng.Fork()));
        _bn1 = AddModule("bn1", new BatchNorm2d(outChannels));
        _conv2 = AddModule("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1, bias: false, rng: rng.Fork()));
        _bn2 = AddModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            _downsample = AddModule("downsample", new Sequential(new Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, rng: rng.Fork()), new BatchNorm2d(outChannels)));
    }

    public override Tensor Forward(Tensor x)
    {
        Tensor h = F.Relu(_bn1.Forward(_conv1.Forward(x)));
        h = _bn2.Forward(_conv2.Forward(h));
        return F.Relu(h + (_downsample?.Forward(x) ?? x));
    }
}
