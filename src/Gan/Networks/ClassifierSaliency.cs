// The saliency map of the opacity class: where brightening a pixel would raise the frozen classifier's
// opacity logit. S = normalise(blur_sigma(ReLU(d logit / d x))), per image, in [0, 1].
// Why, beside the CAM: AASPM option B needs a map of where the lesion is, and on the demo's phantoms the
// class activation map of the last stage (8x8 at 64 px, bilinearly upsampled) marks the heart border and
// the diaphragm about as much as the lesion. The input gradient is at full resolution and only large where
// the logit reacts to the pixel itself. Measured on five seeds' demo classifiers (129 test opacity images
// each; bench/results/amd-epyc-2core/method.md, session 7): pixel AUC of the map against the true opacity
// mask 0.82-0.84 for this map vs 0.71-0.76 for the CAM, IoU of the thresholded target 0.23-0.27 vs
// 0.15-0.20. Only the positive part: opacities are brighter than lung, and a pixel whose darkening would
// raise the logit is not one to remove. Sigma = H / 32 pixels (2 px at 64 px) turns the pixel-level
// gradient into a region; 1-3 px measured within 0.02 AUC of each other.
// The gradient is taken by a backward pass from the classifier's summed logit to a detached copy of the
// images, so it must run with gradient mode on and on a frozen classifier (parameters without
// RequiresGrad), or their gradients accumulate. Each image's gradient is its own: the classifiers are used
// in eval mode, where BatchNorm is a fixed affine map. The smoothing and normalising run on the host, as
// the CAM target's threshold does: one (N, 1, H, W) map per step.
// Tested by ClassifierSaliencyTests (finite-difference direction, blur, range, frozen use, ensemble mean).
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Networks;

public static class ClassifierSaliency
{
    /// <summary>Blur width in pixels for an image of side <paramref name="height"/>: H / 32 (2 px at 64 px).</summary>
    public static double Sigma(int height) => height / 32.0;

    /// <summary>S = normalise(blur(ReLU(d logit / d x))) per image, (N, 1, H, W) in [0, 1] on the images' device,
    /// without gradient. Needs gradient mode on and a frozen <paramref name="classifier"/>.</summary>
    public static Tensor Map(IOpacityClassifier classifier, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        if (!GradMode.IsEnabled)
            throw new InvalidOperationException("The saliency map is the classifier's input gradient: it cannot be taken inside GradMode.NoGrad().");
        Tensor x = images.Detach().RequireGrad();
        classifier.Classify(x).Logit.Sum().Backward();
        float[] g = x.Grad!.ToArray();
        int n = images.Shape[0], h = images.Shape[2], w = images.Shape[3], hw = h * w;
        double sigma = Sigma(h);
        var scratch = new float[hw];
        for (int i = 0; i < n; i++)
        {
            Span<float> s = g.AsSpan(i * hw, hw);
            for (int j = 0; j < hw; j++) s[j] = Math.Max(s[j], 0f);
            GaussianBlur(s, scratch, h, w, sigma);
            float max = 0;
            foreach (float v in s) max = Math.Max(max, v);
            for (int j = 0; j < hw; j++) s[j] = max > 0 ? Math.Clamp(s[j] / max, 0f, 1f) : 0f;
        }
        return Tensor.FromArray(g, images.Shape.ToArray()).To(images.Device);
    }

    /// <summary>Separable Gaussian of one H x W plane in place (radius 3 sigma, edges clamped).</summary>
    internal static void GaussianBlur(Span<float> plane, Span<float> scratch, int h, int w, double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double acc = 0;
                for (int i = -r; i <= r; i++) acc += k[i + r] * plane[y * w + Math.Clamp(x + i, 0, w - 1)];
                scratch[y * w + x] = (float)acc;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double acc = 0;
                for (int i = -r; i <= r; i++) acc += k[i + r] * scratch[Math.Clamp(y + i, 0, h - 1) * w + x];
                plane[y * w + x] = (float)acc;
            }
    }
}
