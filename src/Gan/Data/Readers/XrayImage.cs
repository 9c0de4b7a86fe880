// XrayImage: what every reader returns. One version. Pixels are display intensities in [0, 1]
// (0 = black as a viewer shows it, after rescale, VOI window and MONOCHROME1 inversion), row-major,
// at the file's own resolution. Preprocessor maps them to the model size and to [-1, 1].
// Tested by tests/Opacity.Gan.Tests/Data/Readers (every reader compares these against source pixels).
namespace Opacity.Gan.Data.Readers;

/// <summary>A decoded radiograph: <c>Pixels[y * Width + x]</c> in [0, 1], as displayed.</summary>
public sealed record XrayImage(
    float[] Pixels,
    int Width,
    int Height,
    int BitsStored,
    string Photometric,
    string SourceFormat)
{
    /// <summary>The transfer syntax UID for DICOM input, otherwise null.</summary>
    public string? TransferSyntaxUid { get; init; }
}
