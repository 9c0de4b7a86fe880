// What FID/KID need from a network: one feature vector per image. Two implementations:
//   InceptionFeatureExtractor  pytorch-fid's Inception-v3 pool3 (2048-d), the standard FID/KID features;
//   ClassifierFeatureExtractor the pooled deepest feature map of a trained OpacityClassifier (domain features).
// Images come in the project's convention, (N, 1, S, S) in [-1, 1] at ImageSize; each extractor maps them
// to what its network expects. FolderFeatures streams a folder of radiographs through one.
using Opacity.Tensors;

namespace Opacity.Gan.Metrics;

public interface IFeatureExtractor
{
    /// <summary>Short name, as the CLI option spells it: "inception" or "classifier".</summary>
    string Name { get; }

    /// <summary>One line saying which network and weights (printed and written to the JSON).</summary>
    string Description { get; }

    /// <summary>Feature dimension d.</summary>
    int Dimension { get; }

    /// <summary>The side, in pixels, images are preprocessed to before <see cref="Extract"/>; 0 means each image as read
    /// (only for extractors that resize internally).</summary>
    int ImageSize { get; }

    /// <summary>Features (N, d) of images (N, 1, ImageSize, ImageSize), or (N, 1, H, W) when ImageSize is 0, in [-1, 1];
    /// no graph is recorded.</summary>
    Tensor Extract(Tensor images);
}
