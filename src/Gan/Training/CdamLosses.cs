// CDAM, the cross-domain alignment losses of METHOD.md against the frozen classifier Phi.
//   Label level:   L_lab  = BCE(p(G(x_o)), 0) + BCE(p(F(x_n)), 1)   (clear-looking / opacity-looking)
//                  or, against the step's real images (LabelReference.RealImages, our option),
//                  softplus(l(G(x_o)) - l(x_n)) + softplus(l(x_o) - l(F(x_n))), l the logit, the real ones without gradient
//   Feature F1:    L_feat = sum_l w_l |(phi_l(G(x_o)) - phi_l(x_o)) * (1 - down_l(M))|_1
//                  down_l: average pooling by the integer ratio when the feature map divides the image,
//                  bilinear resampling otherwise; |.|_1 is a mean so depths of different size weigh alike.
//   Feature F2:    L_feat = sum_l w_l |mean_hw phi_l(G(x_o)) - mean_hw phi_l(x_n)|_1  (first moments only).
// With an ensemble Phi (ClassifierOutput.Members > 1) each member's depths form one group and the term
// is the mean over members, w_l indexing depths within a member: K members weigh as much as one.
// The reference features phi_l(x_o) are computed without gradient (they are targets). Gradients flow
// through Phi to G's output: Phi's parameters are frozen by the step, not here. Tested by GanStepTests.
using Opacity.Gan.Networks;
using Opacity.Nn.Losses;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class CdamLosses
{
    /// <summary>BCE(p(G(x_o)), 0) + BCE(p(F(x_n)), 1) from the two logits (N, 1).</summary>
    public static Tensor Label(Tensor logitTranslatedOpacity, Tensor logitTranslatedClear)
        => Loss.BceWithLogits(logitTranslatedOpacity, Tensor.Zeros(logitTranslatedOpacity.Shape, device: logitTranslatedOpacity.Device))
         + Loss.BceWithLogits(logitTranslatedClear, Tensor.Ones(logitTranslatedClear.Shape, device: logitTranslatedClear.Device));

    /// <summary>softplus(l(G(x_o)) - l(x_n)) + softplus(l(x_o) - l(F(x_n))): the label term measured against the logits of
    /// the step's real clear and opacity images (targets: no gradient flows into them).</summary>
    public static Tensor LabelAgainstReal(Tensor logitTranslatedOpacity, Tensor logitTranslatedClear, Tensor logitRealClear, Tensor logitRealOpacity)
        => Label(logitTranslatedOpacity - logitRealClear.Detach(), logitTranslatedClear - logitRealOpacity.Detach());

    /// <summary>F1: features of G(x_o) equal to those of x_o outside the (downsampled) mask.</summary>
    public static Tensor FeatureF1(IReadOnlyList<Tensor> translated, IReadOnlyList<Tensor> reference, Tensor? mask, double[]? weights, int members = 1)
    {
        CheckDepths(translated, reference);
        int depths = DepthsPerMember(translated.Count, members);
        Tensor? total = null;
        for (int l = 0; l < translated.Count; l++)
        {
            Tensor diff = translated[l] - reference[l];
            if (mask is not null) diff = diff * (1.0 - Downsample(mask, translated[l].Shape[2], translated[l].Shape[3]));
            Tensor term = F.Abs(diff).Mean() * (Weight(weights, l % depths) / members);
            total = total is null ? term : total + term;
        }
        return total ?? Tensor.Scalar(0);
    }

    /// <summary>F2: pooled feature means of G(x_o) equal to those of real clear images.</summary>
    public static Tensor FeatureF2(IReadOnlyList<Tensor> translated, IReadOnlyList<Tensor> realClear, double[]? weights, int members = 1)
    {
        CheckDepths(translated, realClear);
        int depths = DepthsPerMember(translated.Count, members);
        Tensor? total = null;
        for (int l = 0; l < translated.Count; l++)
        {
            Tensor a = translated[l].Mean([0, 2, 3]), b = realClear[l].Mean([0, 2, 3]);
            Tensor term = F.Abs(a - b).Mean() * (Weight(weights, l % depths) / members);
            total = total is null ? term : total + term;
        }
        return total ?? Tensor.Scalar(0);
    }

    /// <summary>down_l(M): the (N, 1, H, W) mask at a feature map's (h, w).</summary>
    public static Tensor Downsample(Tensor mask, int h, int w)
    {
        int mh = mask.Shape[2], mw = mask.Shape[3];
        if (mh == h && mw == w) return mask;
        if (mh % h == 0 && mw % w == 0 && mh / h == mw / w) return F.AvgPool2d(mask, mh / h);
        return F.UpsampleBilinear(mask, h, w);
    }

    private static double Weight(double[]? weights, int l) => weights is null ? 1.0 : l < weights.Length ? weights[l] : throw new TrainingException($"Feature weight for depth {l} is missing: {weights.Length} weights given.");

    private static int DepthsPerMember(int count, int members)
    {
        if (members < 1 || count % members != 0)
            throw new TrainingException($"{count} feature maps cannot be split evenly among {members} classifiers.");
        return count / members;
    }

    private static void CheckDepths(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        if (a.Count != b.Count) throw new TrainingException($"The classifier returned {a.Count} feature maps for one input and {b.Count} for another.");
    }
}
