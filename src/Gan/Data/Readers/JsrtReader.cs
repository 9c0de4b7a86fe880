// JsrtReader: JSRT raw radiographs (.IMG: headerless, 2048x2048, 12 bits in big-endian 16-bit words)
// and the SCR lung masks for them. One version.
// JSRT stores density-like values (high = dark on film), so the image is shown inverted, i.e. it is
// treated as MONOCHROME1 (the usual `1 - img` of JSRT loaders). SCR masks are GIFs at half the
// resolution, one for each lung: <scr>/masks/left lung/NAME.gif and <scr>/masks/right lung/NAME.gif.
// Tested by JsrtReaderTests (64x48 fixture written by ImageMagick's gray: coder, SCR-style GIFs).
namespace Opacity.Gan.Data.Readers;

/// <summary>Reads JSRT .IMG files; the size is 2048x2048 unless the caller says otherwise.</summary>
public sealed record JsrtReader(int Width = 2048, int Height = 2048, int BitsStored = 12)
{
    public XrayImage Read(string path, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        return Read(FileBytes.Read(path, options), path, options);
    }

    public XrayImage Read(byte[] data, string name, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        long pixels = (long)Width * Height;
        if (Width <= 0 || Height <= 0 || BitsStored is < 1 or > 16)
            throw new ReaderException(name, $"JSRT geometry {Width}x{Height} at {BitsStored} bits is invalid");
        if (pixels > options.MaxPixels)
            throw new ReaderException(name, $"{Width}x{Height} = {pixels} pixels is over the pixel budget of {options.MaxPixels}");
        if (data.Length != pixels * 2)
            throw new ReaderException(name, $"a {Width}x{Height} JSRT image has {pixels * 2} bytes, this file has {data.Length}");
        var stored = new int[pixels];
        int max = (1 << BitsStored) - 1;
        for (int i = 0; i < stored.Length; i++)
        {
            int v = (data[2 * i] << 8) | data[2 * i + 1];
            if (v > max)
                throw new ReaderException(name, $"pixel {i} is {v}, above the {BitsStored}-bit maximum {max}: not a JSRT image of this geometry");
            stored[i] = v;
        }
        float[] display = DisplayWindow.Identity.Apply(stored, invert: true, options.NoWindow, 0, max);
        return new XrayImage(display, Width, Height, BitsStored, "MONOCHROME1", "JSRT raw") { TransferSyntaxUid = null };
    }

    /// <summary>The union of the SCR left and right lung masks for <paramref name="imagePath"/>
    /// (1 = lung), at the mask files' own resolution.</summary>
    public static (float[] Mask, int Width, int Height) ReadScrMask(string scrRoot, string imagePath, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        string left = Path.Combine(scrRoot, "masks", "left lung", stem + ".gif");
        string right = Path.Combine(scrRoot, "masks", "right lung", stem + ".gif");
        ImageDecoding.Grey l = ImageDecoding.Decode(FileBytes.Read(left, options), left, options);
        ImageDecoding.Grey r = ImageDecoding.Decode(FileBytes.Read(right, options), right, options);
        if (l.Width != r.Width || l.Height != r.Height)
            throw new ReaderException(right, $"is {r.Width}x{r.Height} but the left lung mask is {l.Width}x{l.Height}");
        int half = 1 << (l.Bits - 1);
        var mask = new float[l.Values.Length];
        for (int i = 0; i < mask.Length; i++)
            mask[i] = l.Values[i] >= half || r.Values[i] >= half ? 1f : 0f;
        return (mask, l.Width, l.Height);
    }

    /// <summary>Every .IMG in <paramref name="folder"/> (label unknown), with its SCR root when given.</summary>
    public static List<DatasetItem> Index(string folder, string? scrRoot = null)
    {
        if (!Directory.Exists(folder))
            throw new ReaderException(folder, "folder not found");
        return Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".img", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => new DatasetItem(Path.GetFileNameWithoutExtension(f), f, -1) { ScrRoot = scrRoot })
            .ToList();
    }
}
