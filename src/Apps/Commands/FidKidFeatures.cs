// The input half of `opacity fid-kid`: two .npy feature matrices, or two image folders run through the
// feature extractor named by --features (inception / classifier). Every misuse (mixed kinds, no extractor,
// missing weights, --size against a classifier trained at another size) is one sentence.
// Tested by tests/Opacity.Apps.Tests/FidKidFolderTests.cs.
using System.Diagnostics;
using Opacity.Gan.Data;
using Opacity.Gan.Metrics;
using Opacity.Gan.Training;

namespace Opacity.Cli.Commands;

/// <summary>The extractor options of the command, as given.</summary>
internal sealed record FeatureSource(string? Features, string? Weights, string? Classifier, int? Size, int BatchSize);

/// <summary>Which extractor made the features and how fast (both folders together).</summary>
internal sealed record FeatureRun(string Name, string Description, int ImageSize, int Images, double Seconds, double CpuSeconds)
{
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : double.NaN;
}

internal static class FidKidFeatures
{
    public static (NpyMatrix Real, NpyMatrix Fake, FeatureRun? Run) Load(string realPath, string fakePath, FeatureSource source)
    {
        bool realDir = Directory.Exists(realPath), fakeDir = Directory.Exists(fakePath);
        if (!realDir && !fakeDir)
        {
            if (source.Features is not null)
                throw new MetricInputException($"--features applies to image folders, but '{realPath}' and '{fakePath}' are not folders (.npy feature files are used as they are).");
            return (Npy.Read(realPath), Npy.Read(fakePath), null);
        }
        if (realDir != fakeDir)
        {
            (string dir, string other) = realDir ? (realPath, fakePath) : (fakePath, realPath);
            throw new MetricInputException($"--real and --fake must both be .npy files or both image folders, but '{dir}' is a folder and '{other}' is not.");
        }
        IFeatureExtractor extractor = Create(source, realPath, fakePath);
        FolderFeatureMatrix r = FolderFeatures.Extract(extractor, realPath, source.BatchSize);
        FolderFeatureMatrix f = FolderFeatures.Extract(extractor, fakePath, source.BatchSize);
        var run = new FeatureRun(extractor.Name, extractor.Description, extractor.ImageSize, r.Rows + f.Rows, r.ExtractSeconds + f.ExtractSeconds,
            r.ExtractCpuSeconds + f.ExtractCpuSeconds);
        string kind = $"{extractor.Name} features";
        return (new NpyMatrix(r.Data, r.Rows, r.Cols, kind), new NpyMatrix(f.Data, f.Rows, f.Cols, kind), run);
    }

    private static IFeatureExtractor Create(FeatureSource s, string realPath, string fakePath)
    {
        if (s.Size is { } px && px < 0) throw new MetricInputException($"--size {px} must be 0 (images as read) or a positive number of pixels.");
        switch (s.Features?.ToLowerInvariant())
        {
            case null:
                throw new MetricInputException($"'{realPath}' and '{fakePath}' are image folders: pass --features inception (with --weights FILE) or --features classifier (with --classifier FILE).");
            case "inception":
                if (s.Weights is null)
                    throw new MetricInputException("--features inception needs --weights FILE: pytorch-fid's Inception-v3 weights converted to safetensors (see src/Gan/Networks/InceptionV3.cs).");
                return InceptionFeatureExtractor.FromWeights(s.Weights, s.Size ?? Gan.Networks.InceptionV3.InputSize);
            case "classifier":
                if (s.Classifier is null)
                    throw new MetricInputException("--features classifier needs --classifier FILE: a checkpoint written by train-classifier.");
                var (model, size) = ClassifierCheckpoint.Load(s.Classifier);
                if (s.Size is { } want && want != size)
                    throw new MetricInputException($"--size {want} differs from the {size} px the classifier '{s.Classifier}' was trained at; leave --size out to use {size}.");
                return new ClassifierFeatureExtractor(model, size, s.Classifier);
            default:
                throw new MetricInputException($"--features '{s.Features}' is not one of inception, classifier.");
        }
    }
}
