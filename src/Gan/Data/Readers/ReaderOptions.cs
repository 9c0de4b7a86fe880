// ReaderOptions: limits and preprocessing choices shared by all readers. One version.
// Defaults: 64 Mpixel budget (a 2048x2048 JSRT image is 4.2 M, MIMIC JPEGs reach ~12 M), 256x256
// target (METHOD.md's paper-scale size), centre crop to square (as torchxrayvision's XRayCenterCrop),
// no lung crop, min/max window when a DICOM has no VOI window (what viewers do).
// Tested by PreprocessorTests and the reader tests.
namespace Opacity.Gan.Data.Readers;

/// <summary>How a non-square image becomes square before resizing.</summary>
public enum SquareMode
{
    /// <summary>Keep the central square (cuts the longer side).</summary>
    CenterCrop,
    /// <summary>Pad the shorter side with black.</summary>
    Pad,
    /// <summary>Resize each axis independently (distorts proportions).</summary>
    Stretch,
}

/// <summary>What maps values to display when a DICOM has no VOI window (or for JSRT).</summary>
public enum WindowFallback
{
    /// <summary>The image's own min..max after rescale.</summary>
    ImageMinMax,
    /// <summary>The full range BitsStored allows, after rescale.</summary>
    StoredRange,
}

/// <summary>Limits and preprocessing for every reader.</summary>
public sealed record ReaderOptions
{
    /// <summary>Refuse images with more than this many pixels, before allocating them.</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>Output side length in pixels; 0 keeps the file's own size (no square, no resize).</summary>
    public int TargetSize { get; init; } = 256;

    public SquareMode Square { get; init; } = SquareMode.CenterCrop;

    /// <summary>Crop to the lung field: the lung mask's bounding box when a mask is given, else
    /// <see cref="LungCropFraction"/> off each side (a fixed heuristic box).</summary>
    public bool LungCrop { get; init; }

    /// <summary>Margin around the mask box (fraction of its size), or the fixed crop per side.</summary>
    public double LungCropFraction { get; init; } = 0.08;

    public WindowFallback NoWindow { get; init; } = WindowFallback.ImageMinMax;

    public static ReaderOptions Default { get; } = new();
}
