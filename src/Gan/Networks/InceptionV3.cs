// Inception-v3 as pytorch-fid uses it for FID/KID (its fid_inception_v3 + InceptionV3 wrapper, output
// block 3): the 2048-d pool3 features of images in [0, 1]. One version.
//   input (N, 1 or 3, H, W) in [0, 1]; gray repeated to 3 channels; bilinear resize to 299x299
//   (align_corners = false, skipped when already 299); x -> 2x - 1 (pytorch-fid's normalize_input)
//   Conv2d_1a_3x3 (3->32, s2), Conv2d_2a_3x3 (32->32), Conv2d_2b_3x3 (32->64, p1), max pool 3 s2,
//   Conv2d_3b_1x1 (64->80), Conv2d_4a_3x3 (80->192), max pool 3 s2,
//   Mixed_5b/5c/5d = FID A (pool features 32, 64, 64), Mixed_6a = B, Mixed_6b..6e = FID C (c7 128, 160,
//   160, 192), Mixed_7a = D, Mixed_7b = FID E_1, Mixed_7c = FID E_2, global average pool -> (N, 2048).
// Blocks in InceptionBlocks.cs; BatchNorm eps 0.001, always eval mode here (running statistics).
// Weights: a safetensors file with pytorch-fid's state-dict names (Mixed_5b.branch1x1.conv.weight, ...,
// ...bn.running_var), float32 or float64. fc.*, AuxLogits.* and *.num_batches_tracked are ignored if
// present. To convert pytorch-fid's pt_inception-2015-12-05-6726825d.pth (downloaded by pytorch-fid from
// github.com/mseitzer/pytorch-fid/releases) with PyTorch:
//
//     import json, struct, torch
//     sd = torch.load("pt_inception-2015-12-05-6726825d.pth", map_location="cpu")
//     sd = {k: v.float().contiguous() for k, v in sd.items() if v.is_floating_point()}
//     # with the safetensors package:  from safetensors.torch import save_file; save_file(sd, "inception-fid.safetensors")
//     # without it (the same format, as our reader expects):
//     header, off = {}, 0
//     for k, v in sd.items():
//         n = v.numel() * 4; header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + n]}; off += n
//     h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
//     with open("inception-fid.safetensors", "wb") as f:
//         f.write(struct.pack("<Q", len(h))); f.write(h)
//         for v in sd.values(): f.write(v.numpy().tobytes())
//
// Channel counts can be divided by a width divisor (1, 2, 4, 8 or 16), inferred from the file: the golden
// test (tests/fixtures/make_inception_golden.py, divisor 8 to keep the fixture small) runs the same code.
// Tested by InceptionV3GoldenTests (pool3 features vs PyTorch, full-width names/shapes vs torchvision's
// Inception3 with pytorch-fid's blocks, bad weight files).
using Opacity.Nn;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Networks;

/// <summary>A weights file that does not fit the FID Inception-v3; the message names the file and the tensor.</summary>
public sealed class InceptionWeightsException(string message) : Exception(message);

public sealed class InceptionV3 : Module
{
    /// <summary>The input side the network was trained at.</summary>
    public const int InputSize = 299;

    /// <summary>Width divisors for which every torchvision channel count divides exactly.</summary>
    public static readonly int[] WidthDivisors = [1, 2, 4, 8, 16];

    private readonly BasicConv2d[] _stem1, _stem2;
    private readonly Module[] _mixed;

    public InceptionV3(int widthDivisor = 1, Rng? rng = null)
    {
        if (!WidthDivisors.Contains(widthDivisor))
            throw new ArgumentOutOfRangeException(nameof(widthDivisor), $"Inception width divisor {widthDivisor} must be one of {string.Join(", ", WidthDivisors)}.");
        var r = rng ?? new Rng(0);
        var w = new InceptionWidth(widthDivisor);
        WidthDivisor = widthDivisor;
        _stem1 =
        [
            AddModule("Conv2d_1a_3x3", new BasicConv2d(3, w.C(32), 3, r, stride: 2)),
            AddModule("Conv2d_2a_3x3", new BasicConv2d(w.C(32), w.C(32), 3, r)),
            AddModule("Conv2d_2b_3x3", new BasicConv2d(w.C(32), w.C(64), 3, r, padding: 1)),
        ];
        _stem2 =
        [
            AddModule("Conv2d_3b_1x1", new BasicConv2d(w.C(64), w.C(80), 1, r)),
            AddModule("Conv2d_4a_3x3", new BasicConv2d(w.C(80), w.C(192), 3, r)),
        ];
        var m5b = AddModule("Mixed_5b", new InceptionA(w.C(192), w.C(32), w, r));
        var m5c = AddModule("Mixed_5c", new InceptionA(m5b.OutChannels, w.C(64), w, r));
        var m5d = AddModule("Mixed_5d", new InceptionA(m5c.OutChannels, w.C(64), w, r));
        var m6a = AddModule("Mixed_6a", new InceptionB(m5d.OutChannels, w, r));
        var m6b = AddModule("Mixed_6b", new InceptionC(m6a.OutChannels, w.C(128), w, r));
        var m6c = AddModule("Mixed_6c", new InceptionC(m6b.OutChannels, w.C(160), w, r));
        var m6d = AddModule("Mixed_6d", new InceptionC(m6c.OutChannels, w.C(160), w, r));
        var m6e = AddModule("Mixed_6e", new InceptionC(m6d.OutChannels, w.C(192), w, r));
        var m7a = AddModule("Mixed_7a", new InceptionD(m6e.OutChannels, w, r));
        var m7b = AddModule("Mixed_7b", new InceptionE(m7a.OutChannels, maxPool: false, w, r));
        var m7c = AddModule("Mixed_7c", new InceptionE(m7b.OutChannels, maxPool: true, w, r));
        _mixed = [m5b, m5c, m5d, m6a, m6b, m6c, m6d, m6e, m7a, m7b, m7c];
        FeatureDim = m7c.OutChannels;
        Eval();
    }

    public int WidthDivisor { get; }

    /// <summary>2048 for the real network (2048 / divisor otherwise).</summary>
    public int FeatureDim { get; }

    public override Tensor Forward(Tensor x) => Features(x);

    /// <summary>pool3 features (N, FeatureDim) of images (N, 1 or 3, H, W) with values in [0, 1], as pytorch-fid.</summary>
    public Tensor Features(Tensor images)
    {
        if (images.Rank != 4 || (images.Shape[1] != 1 && images.Shape[1] != 3))
            throw new ShapeMismatchException($"InceptionV3 expects (N, 1 or 3, H, W) images, got {images.Describe()}.");
        Tensor x = images.Shape[1] == 1 ? F.Concat([images, images, images]) : images;
        if (x.Shape[2] != InputSize || x.Shape[3] != InputSize) x = F.UpsampleBilinear(x, InputSize, InputSize);
        x = x * 2.0 - 1.0;
        foreach (BasicConv2d l in _stem1) x = l.Forward(x);
        x = F.MaxPool2d(x, 3, 2);
        foreach (BasicConv2d l in _stem2) x = l.Forward(x);
        x = F.MaxPool2d(x, 3, 2);
        foreach (Module m in _mixed) x = Inference.Scoped(x, m.Forward);   // a block's branch outputs die with it
        return F.GlobalAvgPool2d(x).Reshape(x.Shape[0], FeatureDim);
    }

    /// <summary>Tensor names the loader skips: the 1008-way classifier, the auxiliary head, batch counters.</summary>
    public static bool IsIgnoredWeight(string name)
        => name.StartsWith("fc.", StringComparison.Ordinal) || name.StartsWith("AuxLogits.", StringComparison.Ordinal)
           || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// <summary>Builds the network from a safetensors weights file (pytorch-fid's names); the width divisor
    /// comes from the first convolution's output channels (32 / divisor).</summary>
    public static InceptionV3 Load(string path)
    {
        Dictionary<string, Tensor> tensors;
        try { tensors = SafeTensors.Load(path).Tensors; }
        catch (SafeTensorsException e) { throw new InceptionWeightsException($"Inception weights: {e.Message}"); }
        const string first = "Conv2d_1a_3x3.conv.weight";
        if (!tensors.TryGetValue(first, out Tensor? stem))
            throw new InceptionWeightsException($"Inception weights '{path}' have no tensor '{first}': not pytorch-fid's FID Inception-v3 converted to safetensors (see InceptionV3.cs for the conversion).");
        int divisor = stem.Rank == 4 && stem.Shape[0] > 0 && 32 % stem.Shape[0] == 0 ? 32 / stem.Shape[0] : 0;
        if (!WidthDivisors.Contains(divisor))
            throw new InceptionWeightsException($"Inception weights '{path}': tensor '{first}' has shape {stem.Shape}, expected [32, 3, 3, 3].");
        var net = new InceptionV3(divisor);
        net.LoadWeights(tensors, path);
        return net;
    }

    /// <summary>Copies every parameter and buffer from <paramref name="tensors"/>; checks all names and shapes
    /// first, so a bad file leaves the network untouched. The first problem is reported, naming the tensor.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var own = StateDict.Of(this).ToList();
        foreach (var (name, value) in own)
        {
            if (!tensors.TryGetValue(name, out Tensor? t))
                throw new InceptionWeightsException($"Inception weights '{source}' have no tensor '{name}' (shape {value.Shape}).");
            if (t.Shape != value.Shape)
                throw new InceptionWeightsException($"Inception weights '{source}': tensor '{name}' has shape {t.Shape}, the network needs {value.Shape}.");
        }
        var ownNames = own.Select(o => o.Name).ToHashSet();
        string? extra = tensors.Keys.Where(k => !ownNames.Contains(k) && !IsIgnoredWeight(k)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null)
            throw new InceptionWeightsException($"Inception weights '{source}' have an unexpected tensor '{extra}' (shape {tensors[extra].Shape}); is this the FID Inception-v3 at width 1/{WidthDivisor}?");
        using (GradMode.NoGrad())
            foreach (var (name, value) in own)
            {
                Tensor src = tensors[name];
                value.CopyFrom(src.DType == value.DType ? src : src.To(value.DType));
            }
    }
}
