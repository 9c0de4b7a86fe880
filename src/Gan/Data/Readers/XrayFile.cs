// XrayFile: reads any supported radiograph file, choosing the reader from its bytes (DICM at 128,
// PNG/JPEG/GIF/BMP signatures) or, for headerless JSRT raw, from the .IMG extension. One version.
// Tested by XrayFileTests (each format, wrong magic, empty file) and the inspect command tests.
using Opacity.Gan.Data.Readers.Dicom;

namespace Opacity.Gan.Data.Readers;

/// <summary>Format sniffing in front of the individual readers.</summary>
public static class XrayFile
{
    public static XrayImage Read(string path, ReaderOptions? options = null, JsrtReader? jsrt = null)
    {
        options ??= ReaderOptions.Default;
        byte[] data = FileBytes.Read(path, options);
        return Read(data, path, options, jsrt);
    }

    public static XrayImage Read(byte[] data, string name, ReaderOptions options, JsrtReader? jsrt = null)
    {
        if (data.Length == 0)
            throw new ReaderException(name, "the file is empty");
        if (DicomParser.HasPart10Magic(data))
            return DicomReader.Read(data, name, options);
        if (IsEncodedImage(data))
            return ImageDecoding.ToXray(ImageDecoding.Decode(data, name, options), options);
        if (name.EndsWith(".img", StringComparison.OrdinalIgnoreCase))
            return (jsrt ?? new JsrtReader()).Read(data, name, options);
        if (name.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dicom", StringComparison.OrdinalIgnoreCase))
            return DicomReader.Read(data, name, options);     // names the DICOM-specific reason
        throw new ReaderException(name, "unrecognised format: not DICOM Part 10 (no DICM at byte 128), PNG, JPEG, GIF, BMP or a JSRT .IMG");
    }

    private static bool IsEncodedImage(ReadOnlySpan<byte> d) =>
        d.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
        || d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || d.StartsWith("GIF8"u8)
        || d.StartsWith("BM"u8);
}
