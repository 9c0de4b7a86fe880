// Transfer syntaxes the DICOM reader knows by name, and which of them it decodes.
// Supported: implicit VR LE, explicit VR LE, deflated explicit VR LE, JPEG baseline (process 1).
// Everything else is refused with its UID and name. Tested by DicomReaderTests (unsupported_*.dcm).
namespace Opacity.Gan.Data.Readers.Dicom;

internal static class TransferSyntax
{
    public const string ImplicitLittle = "1.2.840.10008.1.2";
    public const string ExplicitLittle = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitLittle = "1.2.840.10008.1.2.1.99";
    public const string ExplicitBig = "1.2.840.10008.1.2.2";
    public const string JpegBaseline = "1.2.840.10008.1.2.4.50";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [ImplicitLittle] = "implicit VR little endian",
        [ExplicitLittle] = "explicit VR little endian",
        [DeflatedExplicitLittle] = "deflated explicit VR little endian",
        [ExplicitBig] = "explicit VR big endian (retired)",
        [JpegBaseline] = "JPEG baseline (process 1)",
        ["1.2.840.10008.1.2.4.51"] = "JPEG extended (process 2 & 4)",
        ["1.2.840.10008.1.2.4.57"] = "JPEG lossless (process 14)",
        ["1.2.840.10008.1.2.4.70"] = "JPEG lossless, first-order prediction (process 14, SV1)",
        ["1.2.840.10008.1.2.4.80"] = "JPEG-LS lossless",
        ["1.2.840.10008.1.2.4.81"] = "JPEG-LS near-lossless",
        ["1.2.840.10008.1.2.4.90"] = "JPEG 2000 lossless",
        ["1.2.840.10008.1.2.4.91"] = "JPEG 2000",
        ["1.2.840.10008.1.2.4.201"] = "HTJ2K lossless",
        ["1.2.840.10008.1.2.4.203"] = "HTJ2K",
        ["1.2.840.10008.1.2.5"] = "RLE lossless",
    };

    public static string Describe(string uid) => Names.TryGetValue(uid, out string? name) ? $"{uid} ({name})" : uid;

    public static string NameOf(string uid) => Names.TryGetValue(uid, out string? name) ? name : uid;

    public static bool IsSupported(string uid) =>
        uid is ImplicitLittle or ExplicitLittle or DeflatedExplicitLittle or JpegBaseline;

    public const string SupportedList =
        "implicit VR LE, explicit VR LE, deflated explicit VR LE, JPEG baseline";
}
