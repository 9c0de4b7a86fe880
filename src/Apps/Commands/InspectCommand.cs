// `opacity inspect FILE [--export OUT.png] [--jsrt-size WxH]`: what the readers make of one file,
// printed as JSON (format, size, bits stored, photometric, transfer syntax, min/max/mean of the
// pixels normalised to [-1, 1] at the file's own size); --export writes the image as displayed
// (16-bit grey PNG when more than 8 bits are stored, else 8-bit). Bad input: one line on stderr,
// exit code 1. Tested by InspectCommandTests in tests/Opacity.Apps.Tests.
using System.CommandLine;
using System.Text.Json;
using Opacity.Gan.Data.Readers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Cli.Commands;

public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "DICOM, PNG, JPEG or JSRT .IMG file." };
        var export = new Option<string?>("--export") { Description = "Write the decoded image, as displayed, to this PNG." };
        var jsrtSize = new Option<string>("--jsrt-size") { Description = "Geometry of a .IMG file, WxH.", DefaultValueFactory = _ => "2048x2048" };
        var budget = new Option<long>("--max-pixels") { Description = "Refuse images with more pixels.", DefaultValueFactory = _ => ReaderOptions.Default.MaxPixels };
        var command = new Command("inspect", "Print what the readers make of one image file, as JSON.");
        command.Arguments.Add(file);
        command.Options.Add(export);
        command.Options.Add(jsrtSize);
        command.Options.Add(budget);
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(export), parse.GetValue(jsrtSize)!, parse.GetValue(budget), Console.Out, Console.Error));
        return command;
    }

    internal static int Run(string path, string? exportPath, string jsrtSize, long maxPixels, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            JsrtReader jsrt = ParseGeometry(jsrtSize);
            var options = new ReaderOptions { MaxPixels = maxPixels, TargetSize = 0 };
            XrayImage image = XrayFile.Read(path, options, jsrt);
            double min = double.MaxValue, max = double.MinValue, sum = 0;
            foreach (float p in image.Pixels)
            {
                double v = 2.0 * p - 1.0;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
            }
            var report = new Dictionary<string, object?>
            {
                ["file"] = path,
                ["format"] = image.SourceFormat,
                ["transferSyntaxUid"] = image.TransferSyntaxUid,
                ["width"] = image.Width,
                ["height"] = image.Height,
                ["bitsStored"] = image.BitsStored,
                ["photometric"] = image.Photometric,
                ["min"] = Math.Round(min, 6),
                ["max"] = Math.Round(max, 6),
                ["mean"] = Math.Round(sum / image.Pixels.Length, 6),
            };
            if (exportPath is not null)
            {
                Export(image, exportPath);
                report["exported"] = exportPath;
            }
            stdout.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            return 0;
        }
        catch (ReaderException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static JsrtReader ParseGeometry(string text)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h) && w > 0 && h > 0)
            return new JsrtReader(w, h);
        throw new ReaderException("--jsrt-size", $"'{text}' is not WIDTHxHEIGHT");
    }

    private static void Export(XrayImage image, string path)
    {
        try
        {
            if (image.BitsStored > 8)
            {
                using var png = new Image<L16>(image.Width, image.Height);
                for (int y = 0; y < image.Height; y++)
                    for (int x = 0; x < image.Width; x++)
                        png[x, y] = new L16((ushort)Math.Round(image.Pixels[y * image.Width + x] * 65535f));
                png.SaveAsPng(path);
            }
            else
            {
                using var png = new Image<L8>(image.Width, image.Height);
                for (int y = 0; y < image.Height; y++)
                    for (int x = 0; x < image.Width; x++)
                        png[x, y] = new L8((byte)Math.Round(image.Pixels[y * image.Width + x] * 255f));
                png.SaveAsPng(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ReaderException(path, $"cannot write the exported PNG ({e.Message})", e);
        }
    }
}
