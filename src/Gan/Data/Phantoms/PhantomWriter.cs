// Writes phantom cases as PNG files plus a CSV manifest. Folder layout (DIR = --out):
//   DIR/manifest.csv                         one row per patient (PhantomManifest has the columns)
//   DIR/phantom.json                         the PhantomOptions used (seed, size, mix, ...)
//   DIR/<split>/opacity/pNNNNNN.png          opacity-domain image, 16-bit grayscale
//   DIR/<split>/opacity_truth/pNNNNNN.png    its paired clear truth (same patient and noise), 16-bit; evaluation only
//   DIR/<split>/opacity_mask/pNNNNNN.png     opacity mask, 8-bit 0/255
//   DIR/<split>/clear/pNNNNNN.png            clear-domain image (other patients), 16-bit
//   DIR/<split>/lung_mask/pNNNNNN.png        anatomical lung mask of every patient, 8-bit 0/255
// <split> is train, val or test; a folder of one kind is a CycleGAN-style domain folder. 16-bit value
// = round(v * 65535) of the float image in [0, 1]; PhantomDataset.Load reads it back as value / 65535.
// Tested by PhantomIoTests (round trip) and the CLI tests.
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Data.Phantoms;

public static class PhantomWriter
{
    private static readonly PngEncoder Encoder16 = new() { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale, CompressionLevel = PngCompressionLevel.BestSpeed };
    private static readonly PngEncoder Encoder8 = new() { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Grayscale, CompressionLevel = PngCompressionLevel.BestSpeed };

    /// <summary>Creates <paramref name="dir"/> (and checks it is writable); throws PhantomException otherwise.</summary>
    public static void PrepareFolder(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PhantomException($"Output folder '{dir}' is not writable ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>Writes one case's PNGs and returns its manifest row (thread-safe for different patients).</summary>
    public static PhantomManifestRow WriteCase(string dir, PhantomCase c)
    {
        string split = PhantomManifest.SplitName(c.Split);
        string Rel(string kind) => $"{split}/{kind}/{c.Name}.png";
        string image = Rel(c.Domain == Domain.Opacity ? "opacity" : "clear");
        string truth = c.PairedClear != null ? Rel("opacity_truth") : "";
        string lung = Rel("lung_mask");
        string opMask = c.Domain == Domain.Opacity ? Rel("opacity_mask") : "";
        SaveImage16(Path.Combine(dir, image), c.Image, c.Size);
        if (c.PairedClear != null) SaveImage16(Path.Combine(dir, truth), c.PairedClear, c.Size);
        SaveMask(Path.Combine(dir, lung), c.LungMask, c.Size);
        if (opMask.Length > 0) SaveMask(Path.Combine(dir, opMask), c.OpacityMask, c.Size);
        return new PhantomManifestRow(c.PatientId, c.Split, c.Domain, c.Labels, c.Size, image, truth, lung, opMask,
            Count(c.LungMask), Count(c.OpacityMask));
    }

    /// <summary>Writes the manifest (rows sorted by patient) and the options file.</summary>
    public static void WriteIndex(string dir, PhantomOptions options, IEnumerable<PhantomManifestRow> rows)
    {
        PhantomManifest.Write(Path.Combine(dir, PhantomManifest.FileName), rows.OrderBy(r => r.PatientId));
        File.WriteAllText(Path.Combine(dir, "phantom.json"), System.Text.Json.JsonSerializer.Serialize(options, JsonOptions));
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void SaveImage16(string path, float[] v, int size)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = new Image<L16>(size, size);
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<L16> row = acc.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                    row[x] = new L16((ushort)Math.Round(Math.Clamp(v[y * size + x], 0f, 1f) * 65535.0));
            }
        });
        img.Save(path, Encoder16);
    }

    public static void SaveMask(string path, bool[] m, int size)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = new Image<L8>(size, size);
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<L8> row = acc.GetRowSpan(y);
                for (int x = 0; x < size; x++) row[x] = new L8(m[y * size + x] ? (byte)255 : (byte)0);
            }
        });
        img.Save(path, Encoder8);
    }

    /// <summary>An 8-bit side-by-side strip of equally sized panels (images in [0, 1], masks as 0/1), for docs.</summary>
    public static void SaveStrip(string path, int size, params float[][] panels)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var img = new Image<L8>(size * panels.Length + 2 * (panels.Length - 1), size);
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<L8> row = acc.GetRowSpan(y);
                row.Fill(new L8(128));
                for (int p = 0; p < panels.Length; p++)
                    for (int x = 0; x < size; x++)
                        row[p * (size + 2) + x] = new L8((byte)Math.Round(Math.Clamp(panels[p][y * size + x], 0f, 1f) * 255));
            }
        });
        img.Save(path, Encoder8);
    }

    public static float[] MaskToImage(bool[] m)
    {
        var o = new float[m.Length];
        for (int i = 0; i < m.Length; i++) o[i] = m[i] ? 1f : 0f;
        return o;
    }

    private static int Count(bool[] m)
    {
        int c = 0;
        foreach (bool b in m) if (b) c++;
        return c;
    }
}
