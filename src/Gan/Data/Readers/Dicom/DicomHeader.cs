// DicomHeader: the few top-level attributes the pixel decoder needs, as parsed by DicomParser,
// plus where the pixel data lies (native bytes, or the encapsulated fragments). One version.
// Tested through DicomReaderTests and DicomFuzzTests.
using System.Globalization;
using System.Text;

namespace Opacity.Gan.Data.Readers.Dicom;

internal sealed class DicomHeader
{
    public required string TransferSyntaxUid { get; init; }

    /// <summary>Value bytes of recorded top-level elements, by tag (group &lt;&lt; 16 | element).</summary>
    public Dictionary<uint, ArraySegment<byte>> Values { get; } = [];

    /// <summary>Native pixel data (defined length); null when absent or encapsulated.</summary>
    public ArraySegment<byte>? NativePixels { get; set; }

    /// <summary>Encapsulated fragments after the basic offset table; null when native.</summary>
    public List<ArraySegment<byte>>? Fragments { get; set; }

    public const uint SamplesPerPixel = 0x00280002;
    public const uint Photometric = 0x00280004;
    public const uint PlanarConfiguration = 0x00280006;
    public const uint NumberOfFrames = 0x00280008;
    public const uint Rows = 0x00280010;
    public const uint Columns = 0x00280011;
    public const uint BitsAllocated = 0x00280100;
    public const uint BitsStored = 0x00280101;
    public const uint HighBit = 0x00280102;
    public const uint PixelRepresentation = 0x00280103;
    public const uint WindowCenter = 0x00281050;
    public const uint WindowWidth = 0x00281051;
    public const uint RescaleIntercept = 0x00281052;
    public const uint RescaleSlope = 0x00281053;
    public const uint VoiLutFunction = 0x00281056;
    public const uint PixelData = 0x7FE00010;

    public static bool IsRecorded(uint tag) => tag is SamplesPerPixel or Photometric or PlanarConfiguration
        or NumberOfFrames or Rows or Columns or BitsAllocated or BitsStored or HighBit or PixelRepresentation
        or WindowCenter or WindowWidth or RescaleIntercept or RescaleSlope or VoiLutFunction;

    /// <summary>An unsigned short (US) attribute, or <paramref name="fallback"/> when absent.</summary>
    public int UShort(uint tag, int fallback, string file)
    {
        if (!Values.TryGetValue(tag, out ArraySegment<byte> v))
            return fallback;
        if (v.Count < 2)
            throw new ReaderException(file, $"attribute {TagName(tag)} has {v.Count} bytes, a US value needs 2");
        return v[0] | (v[1] << 8);
    }

    public string? Text(uint tag)
    {
        if (!Values.TryGetValue(tag, out ArraySegment<byte> v))
            return null;
        return Encoding.ASCII.GetString(v).Trim(' ', '\0');
    }

    /// <summary>First value of a decimal/integer string (DS/IS), or null when absent or empty.</summary>
    public double? Number(uint tag, string file)
    {
        string? text = Text(tag);
        if (string.IsNullOrEmpty(text))
            return null;
        string first = text.Split('\\')[0].Trim();
        if (first.Length == 0)
            return null;
        if (!double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw new ReaderException(file, $"attribute {TagName(tag)} holds '{Clip(first)}', not a number");
        return value;
    }

    public static string TagName(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";

    private static string Clip(string s) => s.Length <= 32 ? s : s[..32] + "...";
}
