// A tiny test double of the CDAM classifier: two stride-2 convs (features at 1/2 and 1/4 resolution)
// and a logit = mean of the last feature map. Real classifiers live in src/Gan/Networks.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Nn.Layers;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Gan.Tests.Training;

internal sealed class TinyClassifier : Module, IOpacityClassifier
{
    private readonly Conv2d _c1, _c2;
    private readonly double _logitScale, _logitOffset;

    /// <summary><paramref name="logitScale"/> and <paramref name="logitOffset"/> spread the logits (near 0 at random
    /// initialisation) where a test needs them to differ from image to image.</summary>
    public TinyClassifier(ulong seed = 7, double logitScale = 1, double logitOffset = 0)
    {
        _logitScale = logitScale; _logitOffset = logitOffset;
        var r = new Rng(seed);
        _c1 = AddModule("c1", new Conv2d(1, 2, 3, stride: 2, padding: 1, rng: r.Fork()));
        _c2 = AddModule("c2", new Conv2d(2, 2, 3, stride: 2, padding: 1, rng: r.Fork()));
    }

    public override Tensor Forward(Tensor x) => Classify(x).Logit;

    public ClassifierOutput Classify(Tensor images)
    {
        Tensor f1 = F.LeakyRelu(_c1.Forward(images));
        Tensor f2 = F.LeakyRelu(_c2.Forward(f1));
        Tensor logit = f2.Mean([1, 2, 3]).Reshape(images.Shape[0], 1);
        if (_logitScale != 1 || _logitOffset != 0) logit = logit * _logitScale + _logitOffset;
        return new ClassifierOutput(logit, [f1, f2]);
    }

    /// <summary>Channel-mean of the last map, upsampled and scaled to [0, 1] per image (enough for the prior's plumbing).</summary>
    public Tensor ActivationMap(Tensor images)
    {
        using var noGrad = Opacity.Tensors.Autograd.GradMode.NoGrad();
        Tensor last = Classify(images).Features[^1];
        Tensor cam = F.Relu(last.Mean([1], keepDims: true));
        Tensor up = F.UpsampleBilinear(cam, images.Shape[2], images.Shape[3]);
        return up * (1.0 / Math.Max(1e-6, up.ToArray().Max()));
    }
}

internal static class TinyData
{
    /// <summary>Smooth random images in [0, 1]: opacity ones get a bright blob, clear ones do not.</summary>
    public static List<float[]> Images(int count, int size, bool opacity, ulong seed)
    {
        var rng = new Rng(seed);
        var list = new List<float[]>();
        for (int n = 0; n < count; n++)
        {
            var img = new float[size * size];
            double cx = rng.NextDouble() * size, cy = rng.NextDouble() * size;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double v = 0.3 + 0.2 * Math.Sin(x * 0.3 + n) * Math.Cos(y * 0.2) + 0.05 * rng.NextDouble();
                    if (opacity) v += 0.4 * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (0.02 * size * size));
                    img[y * size + x] = (float)Math.Clamp(v, 0, 1);
                }
            list.Add(img);
        }
        return list;
    }

    public static GanOptions Tiny(int size, Ablation ablation = Ablation.Full, int pool = 3) => new()
    {
        Size = size, Ngf = 4, Ndf = 4, Blocks = 1, Ablation = ablation, PoolSize = pool, Seed = 5,
        ConstantSteps = 5, DecaySteps = 30,
    };

    public static string TempDir(string tag) => Path.Combine(Path.GetTempPath(), $"opacity_{tag}_{Guid.NewGuid():N}");
}
