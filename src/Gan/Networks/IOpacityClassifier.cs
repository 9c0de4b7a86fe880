// What CDAM needs from the frozen CXR lesion classifier (METHOD.md): the opacity logit and the
// feature maps at several depths, for the label-level and feature-level alignment losses, and the class
// activation map (or the saliency map) of the opacity class for AASPM option B (the classifier prior).
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

/// <summary>The opacity logit (N, 1) and the intermediate feature maps, shallow to deep.</summary>
public sealed record ClassifierOutput(Tensor Logit, IReadOnlyList<Tensor> Features)
{
    /// <summary>How many classifiers the features come from: an ensemble lists each member's depths in turn
    /// (<see cref="ClassifierEnsemble"/>), so Features holds Members groups of Features.Count / Members maps.</summary>
    public int Members { get; init; } = 1;
}

public interface IOpacityClassifier
{
    /// <summary>Runs the classifier on images in [-1, 1], (N, 1, H, W).</summary>
    ClassifierOutput Classify(Tensor images);

    /// <summary>Class activation map of the opacity class, (N, 1, H, W) in [0, 1], without gradient.</summary>
    Tensor ActivationMap(Tensor images);

    /// <summary>Saliency map of the opacity class (<see cref="ClassifierSaliency"/>), (N, 1, H, W) in [0, 1], without
    /// gradient; needs gradient mode on and a frozen classifier.</summary>
    Tensor SaliencyMap(Tensor images) => ClassifierSaliency.Map(this, images);
}
