// The FID Inception-v3 (InceptionV3.cs) against PyTorch (tests/fixtures/make_inception_golden.py):
// pool3 features of two gray 64x64 images through torchvision-style blocks with pytorch-fid's FID variants
// at width 1/8 (random weights, loaded through the same file loader a user's weights go through), the
// full-width network's tensor names and shapes against torchvision's Inception3 with pytorch-fid's blocks,
// the same features with a graph recorded (and a gradient through it), and the one-sentence errors for bad
// weight files.
using System.Text.Json;
using Opacity.Gan.Networks;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Networks;

public sealed class InceptionV3GoldenTests
{
    private static string Golden(string name) => GoldenFixtures.FileOf(name);

    [Test]
    public void Pool3_features_match_pytorch_fid_at_width_one_eighth()
    {
        InceptionV3 net = InceptionV3.Load(Golden("inception_fid_w8"));
        Assert.That(net.WidthDivisor, Is.EqualTo(8));
        var (io, _) = SafeTensors.Load(Golden("inception_fid_w8_io"));
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        Tensor features = net.Features(io["in.x"].To(DType.F32));
        Assert.That(features.Shape, Is.EqualTo(new Shape(2, 256)));
        // Features are O(10-100) after 94 float32 conv layers; 1e-4 relative plus a small absolute floor for the near-zero ones.
        double scale = io["out"].ToArrayF64().Max(Math.Abs);
        TensorAssert.Close(io["out"], features, 1e-5 * scale, 1e-4, "pool3 features");
    }

    [Test]
    public void With_grad_mode_on_the_same_features_and_an_input_gradient()
    {
        // Inference frees each block's intermediates early; with a graph recorded they must stay for the backward.
        InceptionV3 net = InceptionV3.Load(Golden("inception_fid_w8"));
        var (io, _) = SafeTensors.Load(Golden("inception_fid_w8_io"));
        using var scope = TensorScope.Begin();
        Tensor x = io["in.x"].To(DType.F32).Clone().RequireGrad();
        Tensor features = net.Features(x);
        double scale = io["out"].ToArrayF64().Max(Math.Abs);
        TensorAssert.Close(io["out"], features, 1e-5 * scale, 1e-4, "pool3 features with a graph");
        features.Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(x.Grad!.ToArray().Any(g => g != 0) && x.Grad.ToArray().All(float.IsFinite), "a finite, non-zero input gradient");
    }

    [Test]
    public void Full_width_network_has_pytorch_fids_tensor_names_and_shapes()
    {
        var (_, meta) = SafeTensors.Load(Golden("inception_fid_w8_io"));
        var expected = JsonSerializer.Deserialize<Dictionary<string, int[]>>(meta["full_width_shapes"])!;
        var net = new InceptionV3();
        var own = StateDict.Of(net).Select(t => (t.Name, Shape: t.Value.Shape.ToArray())).ToList();
        Assert.That(own.Select(o => o.Name), Is.EquivalentTo(expected.Keys), "names (our state dict lists parameters before buffers)");
        foreach (var (name, shape) in own) Assert.That(shape, Is.EqualTo(expected[name]), name);
        Assert.That(net.ParameterCount, Is.EqualTo(long.Parse(meta["full_width_parameters"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(net.FeatureDim, Is.EqualTo(2048));
    }

    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"opacity-inception-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Rewrite(string name, Func<Dictionary<string, Tensor>, IEnumerable<(string, Tensor)>> edit)
    {
        var (t, _) = SafeTensors.Load(Golden("inception_fid_w8"));
        string path = Path.Combine(_dir, name + ".safetensors");
        SafeTensors.Save(path, edit(t).ToList());
        return path;
    }

    [Test]
    public void Bad_weight_files_name_the_tensor()
    {
        const string victim = "Mixed_6c.branch7x7dbl_3.conv.weight";
        string missing = Rewrite("missing", t => t.Where(kv => kv.Key != victim).Select(kv => (kv.Key, kv.Value)));
        string shape = Rewrite("shape", t => t.Select(kv => (kv.Key, kv.Key == victim ? Tensor.Zeros(new Shape(1, 2, 3, 4)) : kv.Value)));
        string extra = Rewrite("extra", t => t.Select(kv => (kv.Key, kv.Value)).Append(("Mixed_8a.conv.weight", Tensor.Zeros(new Shape(2)))));
        string ignored = Rewrite("ignored", t => t.Select(kv => (kv.Key, kv.Value)).Append(("fc.weight", Tensor.Zeros(new Shape(3, 2)))));
        string text = Path.Combine(_dir, "text.safetensors");
        File.WriteAllText(text, "not weights");

        Assert.That(() => InceptionV3.Load(missing), Throws.TypeOf<InceptionWeightsException>().With.Message.Contains($"no tensor '{victim}'"));
        Assert.That(() => InceptionV3.Load(shape), Throws.TypeOf<InceptionWeightsException>().With.Message.Contains($"'{victim}' has shape [1, 2, 3, 4]"));
        Assert.That(() => InceptionV3.Load(extra), Throws.TypeOf<InceptionWeightsException>().With.Message.Contains("unexpected tensor 'Mixed_8a.conv.weight'"));
        Assert.That(() => InceptionV3.Load(text), Throws.TypeOf<InceptionWeightsException>().With.Message.Contains(text));
        Assert.That(() => InceptionV3.Load(Path.Combine(_dir, "none.safetensors")), Throws.TypeOf<InceptionWeightsException>().With.Message.Contains("does not exist"));
        Assert.That(InceptionV3.Load(ignored).WidthDivisor, Is.EqualTo(8), "fc.* is pytorch-fid's classifier head and is skipped");
    }
}
