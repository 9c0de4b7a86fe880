// PyTorch goldens (tests/fixtures/make_goldens.py) for the opacity classifier (both kinds, train and eval
// mode) and the U-Net (segmenter with BatchNorm and bilinear upsampling; generator with InstanceNorm,
// transposed convs and the mask head): same weights and BatchNorm buffers in through the state dict (so
// names are checked), same output, input and parameter gradients, and running statistics out; f32, 1e-3.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Gan.Tests.Networks;

[TestFixture]
public sealed class ClassifierUNetGoldenTests
{
    private static void Check(string fixture, Module net, Func<T, T> forward, bool train = true)
        => GoldenFixtures.CheckNetwork(fixture, net, forward, train);

    [TestCase(ClassifierKind.ResNet, "classifier_resnet", true)]
    [TestCase(ClassifierKind.Plain, "classifier_plain", true)]
    [TestCase(ClassifierKind.ResNet, "classifier_resnet_eval", false)]
    public void Classifier_matches_pytorch(ClassifierKind kind, string fixture, bool train)
    {
        var c = new OpacityClassifier(kind, width: 4);
        Check(fixture, c, c.Forward, train);
    }

    [Test]
    public void UNet_segmenter_matches_pytorch()
    {
        var u = new UNet(1, 1, width: 2, depth: 3, UNetUpsampling.Bilinear, NormKind.Batch);
        Check("unet_segmenter", u, u.Forward);
    }

    [Test]
    public void UNet_generator_with_mask_head_matches_pytorch()
    {
        var g = new UNetGenerator(1, width: 4, depth: 2, maskHead: true, UNetUpsampling.TransposedConv, NormKind.Instance);
        Check("unet_generator", g, g.Forward);
    }
}
