// One random view of an image: a shift of up to Size/16 pixels in x and y, then contrast and brightness,
// the augmentation the opacity classifiers are trained with (TrainingData.Batch draws it from here).
//   u' = (u - 0.5) c + 0.5 + b   on [0, 1] images, c in [0.9, 1.1], b in [-0.05, 0.05]
//   x' = c x + 2 b               the same on the [-1, 1] tensors the networks see
// Why the GAN uses it (GanOptions.ClassifierViewing = Jittered): the CDAM losses ask G to make the frozen
// classifier call G(x_o) clear. A generator can do that with an edit that only this classifier reads, the
// way an adversarial example works; an edit that must convince the classifier under every small shift and
// exposure change has to remove what the classifier sees in the lesion itself, and transfers better to a
// classifier G never saw ("input diversity", Xie et al. 2019). The views are the classifier's own training
// distribution, so it is never asked about an image unlike those it learnt from.
// On tensors the shift pads by reflection (differentiable; the training batches clamp to the edge: the
// border of a phantom is flat, so the two agree to within the border's pixel noise) and no clamp to the
// range follows (a clamp would stop the gradient at saturated pixels).
// Tested by ClassifierViewTests (shift and border, exposure, identity, draw ranges, gradient, the CDAM
// losses under Plain and Jittered, bit-exact resume of a jittered run).
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public readonly record struct ClassifierView(int ShiftX, int ShiftY, float Contrast, float Brightness)
{
    /// <summary>The view that changes nothing.</summary>
    public static ClassifierView Identity => new(0, 0, 1f, 0f);

    public bool IsIdentity => ShiftX == 0 && ShiftY == 0 && Contrast == 1f && Brightness == 0f;

    /// <summary>The largest shift for an image of <paramref name="size"/> pixels (at least 1).</summary>
    public static int MaxShift(int size) => Math.Max(1, size / 16);

    /// <summary>Draws shift x, shift y, contrast, brightness in that order (the classifier's training draws).</summary>
    public static ClassifierView Draw(Rng rng, int size)
    {
        int max = MaxShift(size);
        int sx = rng.NextInt(2 * max + 1) - max, sy = rng.NextInt(2 * max + 1) - max;
        float contrast = (float)(0.9 + 0.2 * rng.NextDouble()), brightness = (float)(0.1 * (rng.NextDouble() - 0.5));
        return new ClassifierView(sx, sy, contrast, brightness);
    }

    /// <summary>Contrast and brightness of one pixel of a [0, 1] image (before any clamp to the range).</summary>
    public float OnUnitRange(float u) => (u - 0.5f) * Contrast + 0.5f + Brightness;

    /// <summary>The view of (N, C, H, W) images in [-1, 1]: out(y, x) = c in(y - sy, x - sx) + 2 b, reflected at the border.</summary>
    public Tensor Apply(Tensor images) => IsIdentity ? images : Shift(images) * Contrast + 2.0 * Brightness;

    /// <summary>The shift alone, for masks that must stay aligned with the viewed image.</summary>
    public Tensor Shift(Tensor x)
    {
        if (ShiftX == 0 && ShiftY == 0) return x;
        int h = x.Shape[2], w = x.Shape[3], pad = Math.Max(Math.Abs(ShiftX), Math.Abs(ShiftY));
        if (pad >= Math.Min(h, w)) throw new ArgumentException($"A shift of {pad} pixels does not fit a {h}x{w} image.");
        Tensor padded = F.ReflectionPad2d(x, pad);
        return F.Slice(F.Slice(padded, 2, pad - ShiftY, h), 3, pad - ShiftX, w);
    }
}
