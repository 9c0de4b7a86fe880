// The AASPM mask regularisers of METHOD.md: sparsity mean(M) (edit as little as needed) and total
// variation TV(M) = mean |M[y+1,x] - M[y,x]| + mean |M[y,x+1] - M[y,x]| (anisotropic, mean-normalised
// so the weight does not depend on the image size), and AASPM option B's adaptive CAM threshold
// M_cam = sigmoid((CAM - tau) / T), tau = mean + k std per image. Tested by GanStepTests (values on known masks).
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class MaskRegularizers
{
    /// <summary>mean(M) over all pixels of the (N, 1, H, W) mask.</summary>
    public static Tensor Sparsity(Tensor mask) => mask.Mean();

    /// <summary>M_cam = sigmoid((CAM - tau) / T) with tau = mean + k*std of each image's CAM (N, 1, H, W); no gradient.</summary>
    public static Tensor CamTarget(Tensor cam, double k, double temperature)
    {
        int n = cam.Shape[0], hw = cam.Shape[2] * cam.Shape[3];
        float[] v = cam.ToArray();
        for (int i = 0; i < n; i++)
        {
            Span<float> s = v.AsSpan(i * hw, hw);
            double mean = 0, sq = 0;
            foreach (float f in s) mean += f;
            mean /= hw;
            foreach (float f in s) sq += (f - mean) * (f - mean);
            double tau = mean + k * Math.Sqrt(sq / hw);
            for (int j = 0; j < hw; j++) s[j] = (float)(1.0 / (1.0 + Math.Exp(-(s[j] - tau) / temperature)));
        }
        return Tensor.FromArray(v, cam.Shape.ToArray()).To(cam.Device);
    }

    /// <summary>Anisotropic total variation, each direction averaged over its differences.</summary>
    public static Tensor TotalVariation(Tensor mask)
    {
        int h = mask.Shape[2], w = mask.Shape[3];
        Tensor dy = F.Slice(mask, 2, 1, h - 1) - F.Slice(mask, 2, 0, h - 1);
        Tensor dx = F.Slice(mask, 3, 1, w - 1) - F.Slice(mask, 3, 0, w - 1);
        return F.Abs(dy).Mean() + F.Abs(dx).Mean();
    }
}
