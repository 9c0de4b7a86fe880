// Preprocessor: XrayImage -> model input (TargetSize x TargetSize, intensities in [-1, 1]).
// One version. Steps: optional lung-field crop (mask bounding box + margin, or a fixed fraction per
// side when no mask exists), square (centre crop / pad with black / stretch), resize with a
// separable triangle filter whose support widens with the downscale factor (antialiased bilinear,
// as PIL's BILINEAR; plain bilinear when enlarging), then p -> 2p - 1.
// Tested by PreprocessorTests (constant image stays constant, range, crop box, sizes).
namespace Opacity.Gan.Data.Readers;

/// <summary>A lung mask (1 = lung) at its own resolution; it may differ from the image's.</summary>
public sealed record LungMask(float[] Pixels, int Width, int Height);

/// <summary>Crop, square, resize and normalise one image.</summary>
public static class Preprocessor
{
    /// <summary>Returns the model input, row-major, and its side (TargetSize, or the cropped size when 0).</summary>
    public static (float[] Pixels, int Width, int Height) Apply(XrayImage image, ReaderOptions options, LungMask? mask = null)
    {
        (int x0, int y0, int w, int h) = options.LungCrop ? CropBox(image, options.LungCropFraction, mask) : (0, 0, image.Width, image.Height);
        float[] region = Region(image, x0, y0, w, h);
        int side = options.TargetSize;
        if (side > 0)
        {
            (region, w, h) = options.Square switch
            {
                SquareMode.CenterCrop => Crop(region, w, h, (w - Math.Min(w, h)) / 2, (h - Math.Min(w, h)) / 2, Math.Min(w, h), Math.Min(w, h)),
                SquareMode.Pad => Pad(region, w, h),
                _ => (region, w, h),
            };
            region = Resize(region, w, h, side, side);
            w = h = side;
        }
        for (int i = 0; i < region.Length; i++)
            region[i] = 2f * region[i] - 1f;
        return (region, w, h);
    }

    /// <summary>The lung crop box in image pixels.</summary>
    public static (int X, int Y, int Width, int Height) CropBox(XrayImage image, double fraction, LungMask? mask)
    {
        int W = image.Width, H = image.Height;
        if (mask is not null)
        {
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (int y = 0; y < mask.Height; y++)
                for (int x = 0; x < mask.Width; x++)
                {
                    if (mask.Pixels[y * mask.Width + x] < 0.5f)
                        continue;
                    minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                }
            if (maxX >= 0)
            {
                // Mask pixel edges [minX, maxX + 1) scaled to image pixels, then the margin.
                double sx = (double)W / mask.Width, sy = (double)H / mask.Height;
                double bx0 = minX * sx, bx1 = (maxX + 1) * sx, by0 = minY * sy, by1 = (maxY + 1) * sy;
                double mx = (bx1 - bx0) * fraction, my = (by1 - by0) * fraction;
                int x0 = Math.Clamp((int)Math.Floor(bx0 - mx), 0, W - 1), x1 = Math.Clamp((int)Math.Ceiling(bx1 + mx), x0 + 1, W);
                int y0 = Math.Clamp((int)Math.Floor(by0 - my), 0, H - 1), y1 = Math.Clamp((int)Math.Ceiling(by1 + my), y0 + 1, H);
                return (x0, y0, x1 - x0, y1 - y0);
            }
        }
        int dx = (int)(W * fraction), dy = (int)(H * fraction);
        return (dx, dy, Math.Max(1, W - 2 * dx), Math.Max(1, H - 2 * dy));
    }

    private static float[] Region(XrayImage image, int x0, int y0, int w, int h) =>
        Crop(image.Pixels, image.Width, image.Height, x0, y0, w, h).Pixels;

    private static (float[] Pixels, int W, int H) Crop(float[] src, int sw, int sh, int x0, int y0, int w, int h)
    {
        _ = sh;
        var dst = new float[w * h];
        for (int y = 0; y < h; y++)
            Array.Copy(src, (y0 + y) * sw + x0, dst, y * w, w);
        return (dst, w, h);
    }

    private static (float[] Pixels, int W, int H) Pad(float[] src, int w, int h)
    {
        int side = Math.Max(w, h), ox = (side - w) / 2, oy = (side - h) / 2;
        var dst = new float[side * side];        // black (0) borders
        for (int y = 0; y < h; y++)
            Array.Copy(src, y * w, dst, (oy + y) * side + ox, w);
        return (dst, side, side);
    }

    /// <summary>Separable triangle-filter resize of a row-major image.</summary>
    public static float[] Resize(float[] src, int sw, int sh, int dw, int dh)
    {
        if (sw == dw && sh == dh)
            return (float[])src.Clone();
        (int[] xStart, float[][] xWeights) = Weights(sw, dw);
        (int[] yStart, float[][] yWeights) = Weights(sh, dh);
        var rows = new float[sh * dw];
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < dw; x++)
            {
                double sum = 0;
                float[] wts = xWeights[x];
                for (int k = 0; k < wts.Length; k++)
                    sum += wts[k] * src[y * sw + xStart[x] + k];
                rows[y * dw + x] = (float)sum;
            }
        var dst = new float[dh * dw];
        for (int y = 0; y < dh; y++)
        {
            float[] wts = yWeights[y];
            for (int x = 0; x < dw; x++)
            {
                double sum = 0;
                for (int k = 0; k < wts.Length; k++)
                    sum += wts[k] * rows[(yStart[y] + k) * dw + x];
                dst[y * dw + x] = (float)sum;
            }
        }
        return dst;
    }

    // For each output index: first source index and normalised triangle weights. Pixel centres align
    // (half-pixel convention); the support is max(1, in/out) source pixels on each side.
    private static (int[] Start, float[][] Weights) Weights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, support = Math.Max(1.0, scale);
        var start = new int[outSize];
        var weights = new float[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale - 0.5;
            int lo = Math.Max(0, (int)Math.Floor(centre - support) + 1);
            int hi = Math.Min(inSize - 1, (int)Math.Ceiling(centre + support) - 1);
            if (hi < lo)
                lo = hi = Math.Clamp((int)Math.Round(centre), 0, inSize - 1);
            var w = new float[hi - lo + 1];
            double total = 0;
            for (int i = lo; i <= hi; i++)
                total += w[i - lo] = (float)Math.Max(0.0, 1.0 - Math.Abs(i - centre) / support);
            if (total <= 0)
            {
                Array.Fill(w, 0f);
                w[Math.Clamp((int)Math.Round(centre) - lo, 0, w.Length - 1)] = 1f;
                total = 1;
            }
            for (int i = 0; i < w.Length; i++)
                w[i] = (float)(w[i] / total);
            start[o] = lo;
            weights[o] = w;
        }
        return (start, weights);
    }
}
