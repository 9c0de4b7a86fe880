// Paths to tests/fixtures/readers (made by make_fixtures.sh with dcmtk and ImageMagick) and the
// source picture's pixels, decoded by ImageSharp as the independent oracle.
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Tests.Data.Readers;

internal static class Fixtures
{
    private static readonly Lazy<string> RootPath = new(() => Opacity.TestSupport.RepoFiles.Find("tests", "fixtures", "readers"));

    public static string Root => RootPath.Value;

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Dicom(string name) => Path.Combine(Root, "dicom", name);

    public const int Width = 48;
    public const int Height = 40;

    /// <summary>src8.png's grey values (0..255), row-major.</summary>
    public static int[] Source8 => Source8Lazy.Value;

    private static readonly Lazy<int[]> Source8Lazy = new(() => Grey8(Path.Combine(Root, "images", "src8.png")));

    public static int[] Grey8(string path)
    {
        using Image<L8> image = Image.Load<L8>(path);
        var raw = new L8[image.Width * image.Height];
        image.CopyPixelDataTo(raw);
        return raw.Select(p => (int)p.PackedValue).ToArray();
    }

    /// <summary>(v - min) / (max - min): what a reader shows when no VOI window is given.</summary>
    public static float[] MinMax(IReadOnlyList<double> values)
    {
        double min = values.Min(), max = values.Max();
        return values.Select(v => (float)((v - min) / (max - min))).ToArray();
    }

    public static void AssertClose(float[] expected, float[] actual, double atol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            if (d > worst)
            {
                worst = d;
                at = i;
            }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(atol),
            $"{what}: max |diff| {worst:G4} at pixel {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)})");
    }
}
