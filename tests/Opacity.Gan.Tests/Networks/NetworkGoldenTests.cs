// Whole-network goldens against PyTorch (tests/fixtures/make_goldens.py): the ResNet generator with
// the AASPM mask head and the 70x70 PatchGAN, same weights in (loaded through the state dict, so the
// parameter names are checked too), same output and parameter gradients out, float32, 1e-3.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Gan.Tests.Networks;

[TestFixture]
public sealed class NetworkGoldenTests
{
    private static void Check(string fixture, Module net, Func<T, T> forward) => GoldenFixtures.CheckNetwork(fixture, net, forward);

    [Test]
    public void Resnet_generator_with_mask_head_matches_pytorch()
    {
        var g = new ResnetGenerator(inChannels: 1, ngf: 8, blocks: 2, maskHead: true);
        Check("resnet_generator", g, g.Forward);
    }

    [Test]
    public void PatchGan_matches_pytorch()
    {
        var d = new PatchGanDiscriminator(inChannels: 1, ndf: 4);
        Check("patch_gan", d, d.Forward);
    }

    [Test]
    public void PatchGan_output_is_14x14_for_128px_and_generator_keeps_the_size()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var d = new PatchGanDiscriminator(ndf: 4);
        Assert.That(d.Forward(T.Zeros(new Shape(1, 1, 128, 128))).Shape, Is.EqualTo(new Shape(1, 1, 14, 14)));
        var g = new ResnetGenerator(ngf: 4, blocks: 1);
        Assert.That(g.Forward(T.Zeros(new Shape(2, 1, 64, 48))).Shape, Is.EqualTo(new Shape(2, 1, 64, 48)));
        Assert.Throws<ShapeMismatchException>(() => g.Forward(T.Zeros(new Shape(1, 1, 30, 32))));
    }

    [TestCase(1, 30, 3)]
    [TestCase(2, 14, 4)]
    [TestCase(3, 6, 5)]
    public void PatchGan_layers_set_the_patch_grid(int layers, int side, int convs)
    {
        // CycleGAN's n_layers_D: each stride-2 layer halves the grid of patch logits (and doubles the patch size).
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var d = new PatchGanDiscriminator(ndf: 4, layers: layers, rng: new Rng(5));
        Assert.That(d.Forward(T.Zeros(new Shape(1, 1, 64, 64))).Shape, Is.EqualTo(new Shape(1, 1, side, side)));
        Assert.That(d.NamedParameters().Count(p => p.Name.EndsWith(".weight", StringComparison.Ordinal) && p.Param.Value.Shape.Rank == 4), Is.EqualTo(convs));
    }

    [Test]
    public void Mask_blend_keeps_the_input_where_the_mask_is_zero()
    {
        using var scope = TensorScope.Begin();
        T x = T.FromArray([0.1f, -0.5f, 0.9f], 3), g = T.FromArray([1f, 1f, 1f], 3), m = T.FromArray([0f, 1f, 0.5f], 3);
        Assert.That(ResnetGenerator.MaskBlend(m, g, x).ToArray(), Is.EqualTo(new[] { 0.1f, 1f, 0.95f }).AsCollection.Within(1e-6f));
    }
}
