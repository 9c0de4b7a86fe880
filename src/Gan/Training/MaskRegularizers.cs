// The AASPM mask regularisers of METHOD.md: sparsity mean(M) (edit as little as needed) and total
// variation TV(M) = mean |M[y+1,x] - M[y,x]| + mean |M[y,x+1] - M[y,x]| (anisotropic, mean-normalised
// so the weight does not depend on the image size). Tested by GanStepTests (values on known masks).
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class MaskRegularizers
{
    /// <summary>mean(M) over all pixels of the (N, 1, H, W) mask.</summary>
    public static Tensor Sparsity(Tensor mask) => mask.Mean();

    /// <summary>Anisotropic total variation, each direction averaged over its differences.</summary>
    public static Tensor TotalVariation(Tensor mask)
    {
        int h = mask.Shape[2], w = mask.Shape[3];
        Tensor dy = F.Slice(mask, 2, 1, h - 1) - F.Slice(mask, 2, 0, h - 1);
        Tensor dx = F.Slice(mask, 3, 1, w - 1) - F.Slice(mask, 3, 0, w - 1);
        return F.Abs(dy).Mean() + F.Abs(dx).Mean();
    }
}
