// ImageDecoding: PNG / JPEG / GIF / BMP through ImageSharp 2.1 -> grey stored values. One version.
// The header is identified first, so the pixel budget refuses a huge image before any allocation.
// ImageSharp's own failures on corrupt input (any exception type it throws) become ReaderException:
// this is the one place that catches broadly, because the decoder is not ours to fix.
// Tested by ImageFolderReaderTests, MimicCxrReaderTests, the JPEG-in-DICOM tests and the fuzz test.
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Data.Readers;

internal static class ImageDecoding
{
    /// <summary>Grey values (0..2^bits-1) of an encoded image; colour becomes luminance (Rec. 601).</summary>
    public sealed record Grey(int[] Values, int Width, int Height, int Bits, string Format);

    public static Grey Decode(byte[] bytes, string file, ReaderOptions options)
    {
        try
        {
            IImageInfo? info = Image.Identify(bytes, out SixLabors.ImageSharp.Formats.IImageFormat? format);
            if (info is null || format is null)
                throw new ReaderException(file, "not a PNG, JPEG, GIF or BMP image (unrecognised header)");
            long pixels = (long)info.Width * info.Height;
            if (info.Width <= 0 || info.Height <= 0)
                throw new ReaderException(file, $"image header says {info.Width}x{info.Height} pixels");
            if (pixels > options.MaxPixels)
                throw new ReaderException(file, $"{info.Width}x{info.Height} = {pixels} pixels is over the pixel budget of {options.MaxPixels}");
            int bits = BitsPerChannel(info.PixelType?.BitsPerPixel ?? 8);
            using Image<L16> image = Image.Load<L16>(bytes);
            if (image.Width != info.Width || image.Height != info.Height)
                throw new ReaderException(file, "decoded size differs from the header");
            var raw = new L16[image.Width * image.Height];
            image.CopyPixelDataTo(raw);
            var values = new int[raw.Length];
            // ImageSharp widens 8-bit samples to 16 bits as v * 257, so v = L16 / 257 exactly.
            int divisor = bits == 8 ? 257 : 1;
            for (int i = 0; i < raw.Length; i++)
                values[i] = raw[i].PackedValue / divisor;
            return new Grey(values, image.Width, image.Height, bits, format.Name);
        }
        catch (ReaderException)
        {
            throw;
        }
        catch (OutOfMemoryException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ReaderException(file, $"image data is corrupt or unsupported ({e.GetType().Name}: {e.Message})", e);
        }
    }

    // 16-bit grey, 48-bit RGB and 64-bit RGBA carry 16 bits per channel; everything else 8.
    private static int BitsPerChannel(int bitsPerPixel) => bitsPerPixel is 16 or 32 or 48 or 64 ? 16 : 8;

    public static XrayImage ToXray(Grey grey, ReaderOptions options)
    {
        int max = (1 << grey.Bits) - 1;
        float[] display = DisplayWindow.Identity.Apply(grey.Values, invert: false, WindowFallback.StoredRange, 0, max);
        return new XrayImage(display, grey.Width, grey.Height, grey.Bits, "MONOCHROME2", grey.Format);
    }

    public static XrayImage Read(string path, ReaderOptions options) =>
        ToXray(Decode(FileBytes.Read(path, options), path, options), options);
}
