// DatasetItem: one entry of a data set index (what to read, its label, where its lung mask is).
// Label: 1 = finding present (opacity), 0 = absent, -1 = unknown. One version.
// Tested through the index readers (folder, MIMIC, RSNA, JSRT) and DatasetLoaderTests.
namespace Opacity.Gan.Data.Readers;

/// <summary>An opacity box in pixel coordinates of the original image (RSNA).</summary>
public readonly record struct Box(double X, double Y, double Width, double Height);

/// <summary>One image of a data set.</summary>
public sealed record DatasetItem(string Id, string Path, int Label)
{
    public string? Split { get; init; }

    public IReadOnlyList<Box> Boxes { get; init; } = [];

    /// <summary>SCR root folder for JSRT images (masks at masks/{left,right} lung/NAME.gif).</summary>
    public string? ScrRoot { get; init; }
}
