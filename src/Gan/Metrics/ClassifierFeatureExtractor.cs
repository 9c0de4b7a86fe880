// Domain features for FID/KID: the deepest feature map of a trained OpacityClassifier, global-average
// pooled ((N, FeatureChannels)), as the evaluation's classifier features (TranslationEvaluation). Images
// are preprocessed to the size the checkpoint was trained at.
// Tested by FeatureExtractorTests and the fid-kid CLI tests.
using Opacity.Gan.Networks;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Metrics;

public sealed class ClassifierFeatureExtractor(OpacityClassifier model, int imageSize, string checkpointSource) : IFeatureExtractor
{
    public string Name => "classifier";

    public string Description => $"OpacityClassifier {model.Kind.ToString().ToLowerInvariant()} width {model.Width}, pooled deepest features, checkpoint '{checkpointSource}', images {ImageSize} px";

    public int Dimension => model.FeatureChannels;

    public int ImageSize { get; } = imageSize;

    public Tensor Extract(Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        Tensor deepest = model.Classify(Training.TrainingDevice.OnDeviceOf(model, images)).Features[^1];   // the images go where the model lives
        return F.GlobalAvgPool2d(deepest).Reshape(deepest.Shape[0], deepest.Shape[1]);
    }
}
