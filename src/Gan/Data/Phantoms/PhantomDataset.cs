// Reads a phantom data set folder written by PhantomWriter (layout in that file's header) back into
// PhantomCase objects: images as value / 65535 in [0, 1], masks as pixel > 127. Read streams cases one at a
// time in manifest order; Load materialises them. Tested by PhantomIoTests (write, read, compare).
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Data.Phantoms;

public static class PhantomDataset
{
    /// <summary>All cases of the folder, in patient order.</summary>
    public static List<PhantomCase> Load(string dir) => Read(dir).ToList();

    /// <summary>Cases of the folder, lazily, optionally only one split and/or domain.</summary>
    public static IEnumerable<PhantomCase> Read(string dir, Split? split = null, Domain? domain = null)
    {
        if (!Directory.Exists(dir)) throw new PhantomException($"Phantom folder '{dir}' does not exist.");
        List<PhantomManifestRow> rows = PhantomManifest.Read(Path.Combine(dir, PhantomManifest.FileName));
        return Enumerate(dir, rows, split, domain);
    }

    private static IEnumerable<PhantomCase> Enumerate(string dir, List<PhantomManifestRow> rows, Split? split, Domain? domain)
    {
        foreach (PhantomManifestRow r in rows)
        {
            if (split != null && r.Split != split) continue;
            if (domain != null && r.Domain != domain) continue;
            yield return new PhantomCase
            {
                PatientId = r.PatientId,
                Domain = r.Domain,
                Split = r.Split,
                Size = r.Size,
                Image = LoadImage(Path.Combine(dir, r.Image), r.Size),
                PairedClear = r.PairedClear.Length > 0 ? LoadImage(Path.Combine(dir, r.PairedClear), r.Size) : null,
                LungMask = LoadMask(Path.Combine(dir, r.LungMask), r.Size),
                OpacityMask = r.OpacityMask.Length > 0 ? LoadMask(Path.Combine(dir, r.OpacityMask), r.Size) : new bool[r.Size * r.Size],
                Labels = r.Labels,
            };
        }
    }

    /// <summary>Reads a grayscale PNG as floats in [0, 1] (16-bit precision); checks its size.</summary>
    public static float[] LoadImage(string path, int size)
    {
        using Image<L16> img = Open<L16>(path, size);
        var v = new float[size * size];
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<L16> row = acc.GetRowSpan(y);
                for (int x = 0; x < size; x++) v[y * size + x] = row[x].PackedValue / 65535f;
            }
        });
        return v;
    }

    public static bool[] LoadMask(string path, int size)
    {
        using Image<L8> img = Open<L8>(path, size);
        var m = new bool[size * size];
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<L8> row = acc.GetRowSpan(y);
                for (int x = 0; x < size; x++) m[y * size + x] = row[x].PackedValue > 127;
            }
        });
        return m;
    }

    private static Image<T> Open<T>(string path, int size) where T : unmanaged, IPixel<T>
    {
        if (!File.Exists(path)) throw new PhantomException($"Phantom image '{path}' does not exist.");
        Image<T> img;
        try
        {
            img = Image.Load<T>(path);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or IOException)
        {
            throw new PhantomException($"Phantom image '{path}' is not a readable PNG ({e.Message.TrimEnd('.')}).", e);
        }
        if (img.Width != size || img.Height != size)
        {
            img.Dispose();
            throw new PhantomException($"Phantom image '{path}' is {img.Width}x{img.Height}, the manifest says {size}x{size}.");
        }
        return img;
    }
}
