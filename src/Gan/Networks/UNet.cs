// U-Net (Ronneberger et al. 2015), used two ways (METHOD.md):
//   (a) the lung segmenter of the mIoU evaluation: UNet(outChannels: 1), one lung logit per pixel;
//   (b) a generator backbone: UNetGenerator, the same AASPM image + mask head as ResnetGenerator.
// Layout, depth d and width w (level i has w * 2^i channels, i = 0..d):
//   down.0 = DoubleConv(in -> w) at full size; down.i = 2x2 max pool, DoubleConv(w 2^(i-1) -> w 2^i)
//   up.i (i = d-1..0): upsample x2 of level i+1, concatenate the skip of level i, DoubleConv -> w 2^i
//     Bilinear (default): resize (align_corners = false), DoubleConv(w 2^(i+1) + w 2^i -> w 2^i)
//     TransposedConv: up.i.up = 2x2 transposed conv stride 2 (w 2^(i+1) -> w 2^i), DoubleConv(2 w 2^i -> w 2^i)
//   head = 1x1 conv (w -> outChannels)
// DoubleConv = [3x3 conv (zero pad 1, no bias), norm, ReLU] x 2. Norm: BatchNorm for the segmenter
// (batch statistics during training, a fixed per-image map at evaluation), InstanceNorm (no affine) for
// the generator, as CycleGAN. Tested by ClassifierUNetGoldenTests (PyTorch golden, both upsampling modes) and
// ClassifierUNetTests (shapes, size checks).
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

public enum UNetUpsampling
{
    /// <summary>Bilinear resize x2, then the DoubleConv mixes channels (no checkerboard artefacts).</summary>
    Bilinear,
    /// <summary>2x2 transposed conv with stride 2 (the original U-Net's up-convolution).</summary>
    TransposedConv,
}

public enum NormKind
{
    Batch,
    Instance,
}

public sealed class UNet : Module
{
    private readonly Sequential[] _down;
    private readonly UNetUp[] _up;
    private readonly Conv2d _head;

    public UNet(int inChannels = 1, int outChannels = 1, int width = 16, int depth = 4,
        UNetUpsampling upsampling = UNetUpsampling.Bilinear, NormKind norm = NormKind.Batch, Rng? rng = null)
    {
        if (depth < 1 || depth > 6) throw new ArgumentOutOfRangeException(nameof(depth), $"U-Net depth {depth} must be 1..6.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), $"U-Net width {width} must be positive.");
        var r = rng ?? new Rng(0);
        InChannels = inChannels; OutChannels = outChannels; Width = width; Depth = depth; Upsampling = upsampling; Norm = norm;
        var down = AddModule("down", new Sequential());
        _down = new Sequential[depth + 1];
        for (int i = 0; i <= depth; i++)
        {
            int cin = i == 0 ? inChannels : width << (i - 1);
            var level = DoubleConv(cin, width << i, norm, r, pool: i > 0);
            down.Add(level);
            _down[i] = level;
        }
        var up = AddModule("up", new Sequential());
        _up = new UNetUp[depth];
        for (int i = 0; i < depth; i++)      // up.i serves level i; registered in index order for stable names
        {
            int skip = width << i, below = width << (i + 1);
            var block = new UNetUp(below, skip, upsampling, norm, r);
            up.Add(block);
            _up[i] = block;
        }
        _head = AddModule("head", new Conv2d(width, outChannels, 1, rng: r.Fork()));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Width { get; }
    public int Depth { get; }
    public UNetUpsampling Upsampling { get; }
    public NormKind Norm { get; }

    /// <summary>Input sides must be multiples of 2^depth.</summary>
    public int SizeMultiple => 1 << Depth;

    /// <summary>Logits (N, outChannels, H, W).</summary>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != InChannels)
            throw new ShapeMismatchException($"UNet expects (N, {InChannels}, H, W) input, got {x.Describe()}.");
        if (x.Shape[2] % SizeMultiple != 0 || x.Shape[3] % SizeMultiple != 0)
            throw new ShapeMismatchException($"UNet of depth {Depth} needs H and W divisible by {SizeMultiple}, got {x.Shape[2]}x{x.Shape[3]}.");
        var skips = new Tensor[Depth + 1];
        Tensor h = x;
        for (int i = 0; i <= Depth; i++) skips[i] = h = _down[i].Forward(h);
        for (int i = Depth - 1; i >= 0; i--) h = _up[i].Forward(h, skips[i]);
        return _head.Forward(h);
    }

    internal static Sequential DoubleConv(int cin, int cout, NormKind norm, Rng r, bool pool = false)
    {
        var s = new Sequential();
        if (pool) s.Add(new Lambda("max_pool", x => F.MaxPool2d(x, 2)));
        s.Add(new Conv2d(cin, cout, 3, padding: 1, bias: false, rng: r.Fork())).Add(NormLayer(norm, cout)).Add(Lambda.Relu());
        s.Add(new Conv2d(cout, cout, 3, padding: 1, bias: false, rng: r.Fork())).Add(NormLayer(norm, cout)).Add(Lambda.Relu());
        return s;
    }

    private static Module NormLayer(NormKind norm, int c) => norm == NormKind.Batch ? new BatchNorm2d(c) : new InstanceNorm2d(c);
}

/// <summary>One decoder step: upsample the deeper map x2, concatenate the skip (skip first), DoubleConv.</summary>
internal sealed class UNetUp : Module
{
    private readonly ConvTranspose2d? _up;
    private readonly Sequential _conv;

    public UNetUp(int below, int skip, UNetUpsampling mode, NormKind norm, Rng r)
    {
        if (mode == UNetUpsampling.TransposedConv)
        {
            _up = AddModule("up", new ConvTranspose2d(below, skip, 2, stride: 2, rng: r.Fork()));
            _conv = AddModule("conv", UNet.DoubleConv(2 * skip, skip, norm, r));
        }
        else
        {
            _conv = AddModule("conv", UNet.DoubleConv(below + skip, skip, norm, r));
        }
    }

    public override Tensor Forward(Tensor x) => throw new NotSupportedException("UNetUp needs the skip tensor; call Forward(x, skip).");

    public Tensor Forward(Tensor below, Tensor skip)
    {
        Tensor up = _up is null ? F.UpsampleBilinear(below, skip.Shape[2], skip.Shape[3]) : _up.Forward(below);
        return _conv.Forward(F.Concat([skip, up], 1));
    }
}

/// <summary>A U-Net generator with the AASPM heads (<see cref="TranslationHead"/>): the U-Net's 1x1 head
/// gives the content and mask logits. InstanceNorm by default, as CycleGAN's generators.</summary>
public sealed class UNetGenerator : TranslationGenerator
{
    private readonly UNet _net;

    public UNetGenerator(int inChannels = 1, int width = 32, int depth = 4, bool maskHead = true,
        UNetUpsampling upsampling = UNetUpsampling.Bilinear, NormKind norm = NormKind.Instance, Rng? rng = null,
        MaskContent content = MaskContent.Absolute)
    {
        InChannels = inChannels; MaskHead = maskHead; Content = content;
        _net = AddModule("unet", new UNet(inChannels, TranslationHead.Channels(inChannels, maskHead), width, depth, upsampling, norm, rng));
    }

    public int InChannels { get; }
    public override bool MaskHead { get; }
    public MaskContent Content { get; }
    public UNet Backbone => _net;

    public override Translation Translate(Tensor x) => TranslationHead.Apply(_net.Forward(x), x, InChannels, MaskHead, Content);
}
