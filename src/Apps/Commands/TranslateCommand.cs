// `opacity translate IN... --model CKPT --out DIR`: translates radiographs (PNG, JPEG, DICOM; files or
// folders, not recursive) with a trained generator. Each input is read by XrayFile, cropped/resized to
// the model's size by Preprocessor, translated by Translator, and written as <name>_clear.png (16-bit)
// and <name>_mask.png (8-bit; only for masked models). Unreadable inputs or a bad model: one sentence,
// exit 1. Tested by TranslateCommandTests.
using System.CommandLine;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Data.Readers;
using Opacity.Gan.Inference;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

public static class TranslateCommand
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".dcm", ".dicom"];

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files or folders (PNG, JPEG, DICOM).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Checkpoint written by `opacity train`.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("translate", "Translate opacity radiographs to clear ones with a trained model; writes image and mask PNGs.");
        command.Arguments.Add(inputs);
        command.Options.Add(model);
        command.Options.Add(outDir);
        command.Options.Add(device);
        command.SetAction(parse =>
        {
            try { return Run(parse.GetValue(inputs) ?? [], parse.GetValue(model)!, parse.GetValue(outDir)!, Device.Parse(parse.GetValue(device) ?? "cpu")); }
            catch (Exception e) when (e is TrainingException or ReaderException or ArgumentException or DeviceUnavailableException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    internal static int Run(IReadOnlyList<string> inputs, string modelPath, string outDir, Device device)
    {
        var files = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) files.Add(input);
            else throw new TrainingException($"Input '{input}' does not exist.");
        }
        if (files.Count == 0) throw new TrainingException($"No PNG, JPEG or DICOM files found in {string.Join(", ", inputs)}.");
        using Translator t = Translator.Load(modelPath, device);
        var reader = ReaderOptions.Default with { TargetSize = t.Size };
        Directory.CreateDirectory(outDir);
        foreach (string file in files)
        {
            XrayImage image = XrayFile.Read(file, reader);
            var (pixels, w, h) = Preprocessor.Apply(image, reader);
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (pixels[i] + 1f) * 0.5f;   // Preprocessor gives [-1, 1]
            TranslationResult r = t.Translate(pixels, w, h);
            string stem = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file));
            PhantomWriter.SaveImage16(stem + "_clear.png", r.Image, t.Size);
            if (r.Mask is { } mask) PhantomWriter.SaveStrip(stem + "_mask.png", t.Size, mask);
        }
        Console.WriteLine($"Translated {files.Count} image{(files.Count == 1 ? "" : "s")} at {t.Size} px into {Path.GetFullPath(outDir)}.");
        return 0;
    }
}
