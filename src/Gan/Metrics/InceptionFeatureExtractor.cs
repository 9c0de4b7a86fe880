// FID/KID features from pytorch-fid's Inception-v3 (Networks/InceptionV3.cs): images in [-1, 1] are mapped
// back to [0, 1] (pytorch-fid's input range), then the network repeats gray to 3 channels, resizes to 299
// (bilinear, a no-op at the default ImageSize 299) and takes the 2048-d pool3 features. ImageSize 0 takes
// images as read, any size: then the only resize is the network's plain bilinear one, as pytorch-fid's.
// Tested by FeatureExtractorTests (same features as the network, [0, 1] mapping) and the fid-kid CLI tests.
using Opacity.Gan.Networks;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Metrics;

public sealed class InceptionFeatureExtractor(InceptionV3 network, string weightsSource, int imageSize = InceptionV3.InputSize) : IFeatureExtractor
{
    public string Name => "inception";

    public string Description => $"Inception-v3 pool3 (pytorch-fid FID variant{(network.WidthDivisor == 1 ? "" : $", width 1/{network.WidthDivisor}")}), weights '{weightsSource}', "
        + (ImageSize == 0 ? "images as read, resized to 299" : $"images {ImageSize} px resized to 299");

    public int Dimension => network.FeatureDim;

    public int ImageSize { get; } = imageSize >= 0 ? imageSize : throw new ArgumentOutOfRangeException(nameof(imageSize), $"Image size {imageSize} must be 0 (as read) or positive.");

    /// <summary>Loads the weights file (see InceptionV3.Load for the expected names).</summary>
    public static InceptionFeatureExtractor FromWeights(string path, int imageSize = InceptionV3.InputSize)
        => new(InceptionV3.Load(path), path, imageSize);

    public Tensor Extract(Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        return network.Features((images + 1.0) * 0.5);
    }
}
