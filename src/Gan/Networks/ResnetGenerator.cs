// CycleGAN's ResNet generator (resnet_Nblocks) with the AASPM heads of METHOD.md, option A:
//   reflect-pad 3, 7x7 conv (in -> ngf), IN, ReLU                          stem, full resolution
//   2 x [3x3 conv stride 2, IN, ReLU]  (ngf -> 2ngf -> 4ngf)               downsampling to 1/4
//   N x ResnetBlock(4ngf)                                                  the translation itself
//   2 x [3x3 transposed conv stride 2, output padding 1, IN, ReLU]         back to full resolution
//   reflect-pad 3, 7x7 conv (ngf -> heads)
// With the mask head (default) the last conv has two channels: content C = tanh(channel 0) and
// mask M = sigmoid(channel 1), and the output is y = M*C + (1-M)*x, so pixels outside the mask are
// the input's own. Without it (the CycleGAN ablation) the output is tanh(channel 0).
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

/// <summary>The three tensors of a masked translation: y = Mask*Content + (1-Mask)*x.</summary>
public sealed record Translation(Tensor Output, Tensor? Content, Tensor? Mask);

public sealed class ResnetGenerator : TranslationGenerator
{
    private readonly Sequential _body;
    private readonly Conv2d _head;

    public ResnetGenerator(int inChannels = 1, int ngf = 64, int blocks = 9, bool maskHead = true, Rng? rng = null,
        MaskContent content = MaskContent.Absolute)
    {
        var r = rng ?? new Rng(0);
        InChannels = inChannels; Ngf = ngf; Blocks = blocks; MaskHead = maskHead; Content = content;
        _body = AddModule("model", new Sequential());
        _body.Add(Lambda.ReflectionPad(3)).Add(new Conv2d(inChannels, ngf, 7, rng: r.Fork())).Add(new InstanceNorm2d(ngf)).Add(Lambda.Relu());
        int c = ngf;
        for (int i = 0; i < 2; i++, c *= 2)
            _body.Add(new Conv2d(c, c * 2, 3, stride: 2, padding: 1, rng: r.Fork())).Add(new InstanceNorm2d(c * 2)).Add(Lambda.Relu());
        for (int i = 0; i < blocks; i++) _body.Add(new ResnetBlock(c, r.Fork()));
        for (int i = 0; i < 2; i++, c /= 2)
            _body.Add(new ConvTranspose2d(c, c / 2, 3, stride: 2, padding: 1, outputPadding: 1, rng: r.Fork())).Add(new InstanceNorm2d(c / 2)).Add(Lambda.Relu());
        _body.Add(Lambda.ReflectionPad(3));
        _head = AddModule("head", new Conv2d(ngf, TranslationHead.Channels(inChannels, maskHead), 7, rng: r.Fork()));
    }

    public int InChannels { get; }
    public int Ngf { get; }
    public int Blocks { get; }
    public override bool MaskHead { get; }
    public MaskContent Content { get; }

    /// <summary>The translation with its content and mask (null without the mask head).</summary>
    public override Translation Translate(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != InChannels)
            throw new ShapeMismatchException($"ResnetGenerator expects (N, {InChannels}, H, W) input, got {x.Describe()}.");
        if (x.Shape[2] % 4 != 0 || x.Shape[3] % 4 != 0)
            throw new ShapeMismatchException($"ResnetGenerator needs H and W divisible by 4 (two stride-2 stages), got {x.Shape[2]}x{x.Shape[3]}.");
        return TranslationHead.Apply(_head.Forward(_body.Forward(x)), x, InChannels, MaskHead, Content);
    }

    /// <summary><c>y = m*g + (1-m)*x</c> (see <see cref="TranslationHead.MaskBlend"/>).</summary>
    public static Tensor MaskBlend(Tensor mask, Tensor content, Tensor x) => TranslationHead.MaskBlend(mask, content, x);
}

/// <summary>CycleGAN's ResnetBlock: x + [pad, conv3, IN, ReLU, pad, conv3, IN](x).</summary>
public sealed class ResnetBlock : Module
{
    private readonly Sequential _block;

    public ResnetBlock(int channels, Rng rng)
    {
        _block = AddModule("conv_block", new Sequential(
            Lambda.ReflectionPad(1), new Conv2d(channels, channels, 3, rng: rng.Fork()), new InstanceNorm2d(channels), Lambda.Relu(),
            Lambda.ReflectionPad(1), new Conv2d(channels, channels, 3, rng: rng.Fork()), new InstanceNorm2d(channels)));
    }

    public override Tensor Forward(Tensor x) => x + _block.Forward(x);
}
