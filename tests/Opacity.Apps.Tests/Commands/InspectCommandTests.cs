// `opacity inspect`: JSON for good files, the exported PNG as displayed, one stderr line and exit
// code 1 for bad files (no stack trace), through the real command line parser.
using System.Text.Json;
using Opacity.Cli;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class InspectCommandTests
{
    private static string Fixture(params string[] parts)
    {
        return Path.Combine([Opacity.TestSupport.RepoFiles.Find("tests", "fixtures", "readers"), .. parts]);
    }

    [Test]
    public void Prints_what_the_reader_made_of_a_dicom_file_and_exports_it()
    {
        string export = Path.Combine(Path.GetTempPath(), $"inspect-{Guid.NewGuid():N}.png");
        try
        {
            (int code, string output, string error) = Run("inspect", Fixture("dicom", "ex12_mono1.dcm"), "--export", export);
            Assert.That((code, error), Is.EqualTo((0, "")));
            using JsonDocument json = JsonDocument.Parse(output);
            JsonElement r = json.RootElement;
            Assert.That(r.GetProperty("format").GetString(), Is.EqualTo("DICOM explicit VR little endian"));
            Assert.That(r.GetProperty("transferSyntaxUid").GetString(), Is.EqualTo("1.2.840.10008.1.2.1"));
            Assert.That((r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(), r.GetProperty("bitsStored").GetInt32()), Is.EqualTo((48, 40, 12)));
            Assert.That(r.GetProperty("photometric").GetString(), Is.EqualTo("MONOCHROME1"));
            Assert.That((r.GetProperty("min").GetDouble(), r.GetProperty("max").GetDouble()), Is.EqualTo((-1.0, 1.0)));

            // The export is the display: MONOCHROME1 inverted, so it is the source picture's negative.
            using Image<L16> png = Image.Load<L16>(export);
            using Image<L8> source = Image.Load<L8>(Fixture("images", "src8.png"));
            double meanAbs = 0;
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 48; x++)
                    meanAbs += Math.Abs(png[x, y].PackedValue / 65535.0 - (1 - source[x, y].PackedValue / 255.0));
            Assert.That(meanAbs / (48 * 40), Is.LessThan(1e-3));
            Assert.That(r.GetProperty("mean").GetDouble(), Is.EqualTo(2 * (1 - AverageOf(source)) - 1).Within(1e-3));
        }
        finally
        {
            File.Delete(export);
        }
    }

    private static double AverageOf(Image<L8> image)
    {
        double sum = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                sum += image[x, y].PackedValue / 255.0;
        return sum / (image.Width * image.Height);
    }

    [Test]
    public void Reads_jsrt_with_the_given_geometry()
    {
        (int code, string output, _) = Run("inspect", Fixture("jsrt", "JPCLN001.IMG"), "--jsrt-size", "64x48");
        Assert.That(code, Is.EqualTo(0));
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("format").GetString(), Is.EqualTo("JSRT raw"));
        Assert.That(json.RootElement.GetProperty("photometric").GetString(), Is.EqualTo("MONOCHROME1"));
    }

    [TestCase("dicom", "unsupported_rle.dcm", "unsupported transfer syntax 1.2.840.10008.1.2.5")]
    [TestCase("dicom", "bad_truncated.dcm", "remain")]
    [TestCase("dicom", "bad_empty.dcm", "the file is empty")]
    [TestCase("dicom", "bad_huge.dcm", "pixel budget")]
    [TestCase("dicom", "no_such_file.dcm", "file not found")]
    [TestCase("images", "folder/labels.csv", "unrecognised format")]
    public void Bad_files_print_one_line_and_exit_1(string folder, string file, string reason)
    {
        string path = Fixture(folder, file);
        (int code, string output, string error) = Run("inspect", path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Is.Empty);
        Assert.That(error.TrimEnd('\n', '\r').Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(error, Does.StartWith($"error: {path}: ").And.Contain(reason).And.Not.Contain("   at "));
    }
}
