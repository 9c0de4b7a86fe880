// The 70x70 PatchGAN of pix2pix/CycleGAN: 4x4 convs with strides 2, 2, 2, 1, 1 and widths
// ndf, 2ndf, 4ndf, 8ndf, 1; InstanceNorm after all but the first and last; LeakyReLU 0.2.
// Three stride-2 convs and two stride-1 convs give each output logit a 70x70 receptive field,
// so the discriminator judges texture patch by patch (output 14x14 for a 128x128 input). `layers` is
// CycleGAN's n_layers_D: the number of stride-2 convs (widths capped at 8 ndf), 2 gives 34x34 patches, 1 gives 16x16.
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

public sealed class PatchGanDiscriminator : Module
{
    private readonly Sequential _model;

    public PatchGanDiscriminator(int inChannels = 1, int ndf = 64, int layers = 3, Rng? rng = null)
    {
        var r = rng ?? new Rng(0);
        _model = AddModule("model", new Sequential(new Conv2d(inChannels, ndf, 4, stride: 2, padding: 1, rng: r.Fork()), Lambda.LeakyRelu(0.2)));
        int c = ndf;
        for (int i = 1; i < layers; i++)
        {
            int next = ndf * Math.Min(1 << i, 8);
            _model.Add(new Conv2d(c, next, 4, stride: 2, padding: 1, rng: r.Fork())).Add(new InstanceNorm2d(next)).Add(Lambda.LeakyRelu(0.2));
            c = next;
        }
        int last = ndf * Math.Min(1 << layers, 8);
        _model.Add(new Conv2d(c, last, 4, stride: 1, padding: 1, rng: r.Fork())).Add(new InstanceNorm2d(last)).Add(Lambda.LeakyRelu(0.2));
        _model.Add(new Conv2d(last, 1, 4, stride: 1, padding: 1, rng: r.Fork()));
    }

    public override Tensor Forward(Tensor x) => _model.Forward(x);
}
