// The one adapter between the data layer (float images in [0, 1], bool masks, row-major) and the
// engine: batches of (N, 1, H, W) tensors, images scaled to [-1, 1] as the method trains on
// (METHOD.md), masks as 0/1 floats. And back, for writing results.
using Opacity.Tensors;

namespace Opacity.Gan.Data;

public static class ImageTensors
{
    /// <summary>Images in [0, 1] (each size*size, row-major) to an (N, 1, size, size) tensor in [-1, 1].</summary>
    public static Tensor FromImages(IReadOnlyList<float[]> images, int size)
    {
        var data = new float[images.Count * size * size];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Length != size * size)
                throw new ShapeMismatchException($"Image {i} has {images[i].Length} pixels; expected {size}x{size} = {size * size}.");
            for (int j = 0; j < size * size; j++) data[i * size * size + j] = images[i][j] * 2f - 1f;
        }
        return Tensor.FromArray(data, images.Count, 1, size, size);
    }

    /// <summary>Masks to an (N, 1, size, size) tensor of 0/1.</summary>
    public static Tensor FromMasks(IReadOnlyList<bool[]> masks, int size)
    {
        var data = new float[masks.Count * size * size];
        for (int i = 0; i < masks.Count; i++)
        {
            if (masks[i].Length != size * size)
                throw new ShapeMismatchException($"Mask {i} has {masks[i].Length} pixels; expected {size}x{size} = {size * size}.");
            for (int j = 0; j < size * size; j++) data[i * size * size + j] = masks[i][j] ? 1f : 0f;
        }
        return Tensor.FromArray(data, masks.Count, 1, size, size);
    }

    /// <summary>Image <paramref name="index"/> of an (N, 1, H, W) tensor in [-1, 1], back to [0, 1] (clamped).</summary>
    public static float[] ToImage(Tensor batch, int index)
    {
        int hw = batch.Shape[2] * batch.Shape[3];
        float[] all = batch.ToArray();
        var img = new float[hw];
        for (int j = 0; j < hw; j++) img[j] = Math.Clamp((all[index * hw + j] + 1f) * 0.5f, 0f, 1f);
        return img;
    }
}
