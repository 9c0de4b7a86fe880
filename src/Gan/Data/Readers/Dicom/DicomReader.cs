// DicomReader: a DICOM Part 10 file -> XrayImage (first frame). One version.
// Supported: implicit / explicit / deflated VR little endian with native pixels (BitsAllocated 8 or
// 16, any BitsStored and HighBit inside it, unsigned or signed, MONOCHROME1/2, RGB), and JPEG
// baseline encapsulated pixels (decoded by ImageSharp). Rescale slope/intercept and the first VOI
// window apply; MONOCHROME1 is inverted. The pixel budget is checked from Rows x Columns before
// any pixel buffer exists. Tested by DicomReaderTests and DicomFuzzTests with dcmtk-made fixtures.
namespace Opacity.Gan.Data.Readers.Dicom;

/// <summary>Reads DICOM Part 10 files (see the file header for what is supported).</summary>
public static class DicomReader
{
    public static XrayImage Read(string path, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        return Read(FileBytes.Read(path, options), path, options);
    }

    /// <summary>Decodes DICOM bytes; <paramref name="name"/> names the source in error messages.</summary>
    public static XrayImage Read(byte[] data, string name, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        DicomHeader h = DicomParser.Parse(data, name, options);

        int rows = h.UShort(DicomHeader.Rows, 0, name);
        int cols = h.UShort(DicomHeader.Columns, 0, name);
        if (rows == 0 || cols == 0)
            throw new ReaderException(name, $"image is {cols}x{rows} (Columns x Rows): missing or zero");
        long pixels = (long)rows * cols;
        if (pixels > options.MaxPixels)
            throw new ReaderException(name, $"{cols}x{rows} = {pixels} pixels is over the pixel budget of {options.MaxPixels}");

        string photometric = h.Text(DicomHeader.Photometric) ?? "MONOCHROME2";
        int samples = h.UShort(DicomHeader.SamplesPerPixel, 1, name);
        int bitsAllocated = h.UShort(DicomHeader.BitsAllocated, 8, name);
        int bitsStored = h.UShort(DicomHeader.BitsStored, bitsAllocated, name);
        int highBit = h.UShort(DicomHeader.HighBit, bitsStored - 1, name);
        bool signed = h.UShort(DicomHeader.PixelRepresentation, 0, name) == 1;
        var window = new DisplayWindow(
            h.Number(DicomHeader.RescaleSlope, name) ?? 1.0,
            h.Number(DicomHeader.RescaleIntercept, name) ?? 0.0,
            h.Number(DicomHeader.WindowCenter, name),
            h.Number(DicomHeader.WindowWidth, name),
            (h.Text(DicomHeader.VoiLutFunction) ?? "LINEAR").ToUpperInvariant());
        if (window.Slope == 0)
            throw new ReaderException(name, "rescale slope is 0, every pixel would be the same value");
        // Beyond 1e15 a 16-bit value times the slope, plus the intercept, loses all precision
        // (and could overflow to infinity), so such values are refused rather than shown as noise.
        if (Math.Abs(window.Slope) > 1e15 || Math.Abs(window.Intercept) > 1e15)
            throw new ReaderException(name, $"rescale slope {window.Slope} / intercept {window.Intercept} is implausibly large");

        int[] stored;
        string format;
        if (h.Fragments is not null)
        {
            ImageDecoding.Grey grey = ImageDecoding.Decode(FirstFrame(h.Fragments), name, options);
            if (grey.Width != cols || grey.Height != rows)
                throw new ReaderException(name, $"the JPEG frame is {grey.Width}x{grey.Height} but Columns x Rows say {cols}x{rows}");
            stored = grey.Values;
            bitsStored = grey.Bits;
            signed = false;
            format = "DICOM " + TransferSyntax.NameOf(h.TransferSyntaxUid);
            if (photometric.StartsWith("YBR", StringComparison.Ordinal) || photometric == "RGB")
                photometric = "MONOCHROME2";     // ImageSharp already turned colour into luminance
        }
        else
        {
            if (photometric is not ("MONOCHROME1" or "MONOCHROME2" or "RGB"))
                throw new ReaderException(name, $"photometric interpretation '{photometric}' is not supported (MONOCHROME1, MONOCHROME2, RGB are)");
            if (samples != (photometric == "RGB" ? 3 : 1))
                throw new ReaderException(name, $"{photometric} with {samples} samples per pixel is inconsistent");
            if (bitsAllocated is not (8 or 16))
                throw new ReaderException(name, $"BitsAllocated {bitsAllocated} is not supported (8 or 16 are)");
            if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated)
                throw new ReaderException(name, $"BitsStored {bitsStored} / HighBit {highBit} do not fit BitsAllocated {bitsAllocated}");
            long needed = pixels * samples * (bitsAllocated / 8);
            ArraySegment<byte> native = h.NativePixels!.Value;
            if (native.Count < needed)
                throw new ReaderException(name, $"pixel data has {native.Count} bytes but {cols}x{rows}x{samples} samples at {bitsAllocated} bits need {needed}");
            stored = NativeValues(native, (int)pixels, samples, h.UShort(DicomHeader.PlanarConfiguration, 0, name),
                bitsAllocated, bitsStored, highBit, signed);
            format = "DICOM " + TransferSyntax.NameOf(h.TransferSyntaxUid);
            if (photometric == "RGB")
                photometric = "MONOCHROME2";
        }

        int storedMin = signed ? -(1 << (bitsStored - 1)) : 0;
        int storedMax = signed ? (1 << (bitsStored - 1)) - 1 : (int)((1L << bitsStored) - 1);
        float[] display = window.Apply(stored, photometric == "MONOCHROME1", options.NoWindow, storedMin, storedMax);
        return new XrayImage(display, cols, rows, bitsStored, photometric, format) { TransferSyntaxUid = h.TransferSyntaxUid };
    }

    // Single-frame: all fragments form the frame. Multi-frame: fragments until the next JPEG SOI.
    private static byte[] FirstFrame(List<ArraySegment<byte>> fragments)
    {
        int count = 1;
        while (count < fragments.Count && !(fragments[count].Count >= 2 && fragments[count][0] == 0xFF && fragments[count][1] == 0xD8))
            count++;
        var frame = new byte[fragments.Take(count).Sum(f => (long)f.Count)];
        int at = 0;
        foreach (ArraySegment<byte> f in fragments.Take(count))
        {
            f.AsSpan().CopyTo(frame.AsSpan(at));
            at += f.Count;
        }
        return frame;
    }

    private static int[] NativeValues(ArraySegment<byte> data, int pixels, int samples, int planar,
        int bitsAllocated, int bitsStored, int highBit, bool signed)
    {
        byte[] bytes = data.Array!;
        int offset = data.Offset;
        int shift = highBit - bitsStored + 1;
        int mask = (int)((1L << bitsStored) - 1);
        int signBit = 1 << (bitsStored - 1);
        int Sample(int index)
        {
            int raw = bitsAllocated == 8 ? bytes[offset + index] : bytes[offset + 2 * index] | (bytes[offset + 2 * index + 1] << 8);
            int v = (raw >> shift) & mask;
            return signed && (v & signBit) != 0 ? v - (mask + 1) : v;
        }
        var values = new int[pixels];
        if (samples == 1)
        {
            for (int i = 0; i < pixels; i++)
                values[i] = Sample(i);
            return values;
        }
        // RGB -> luminance (Rec. 601 weights); planar 0 = RGBRGB..., 1 = RR..GG..BB..
        for (int i = 0; i < pixels; i++)
        {
            int r = planar == 0 ? Sample(3 * i) : Sample(i);
            int g = planar == 0 ? Sample(3 * i + 1) : Sample(pixels + i);
            int b = planar == 0 ? Sample(3 * i + 2) : Sample(2 * pixels + i);
            values[i] = (int)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
        }
        return values;
    }
}
