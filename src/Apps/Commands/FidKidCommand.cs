// `opacity fid-kid`: FID and KID between two sets of features. --real/--fake are either NumPy .npy feature
// matrices (N x d, float32 or float64), or two image folders (PNG/JPEG/DICOM) plus --features: inception
// (pytorch-fid's Inception-v3 pool3, 2048-d; --weights FILE, a safetensors conversion of pytorch-fid's
// weights, see src/Gan/Networks/InceptionV3.cs) or classifier (pooled deepest features of a trained
// OpacityClassifier checkpoint, --classifier FILE; images at the checkpoint's size). Statistics and metrics
// in float64 on the CPU (Opacity.Gan.Metrics). The output says which features were used. Images are read by
// XrayFile, centre-cropped to square and resized (antialiased) to --size by the Preprocessor; the Inception
// network then resizes bilinearly to 299 (a no-op at the default 299). pytorch-fid instead feeds the whole
// uncropped image to its plain bilinear resize, so for images not already 299x299 the two FIDs differ slightly;
// --size 0 does what pytorch-fid does (images as read, one forward pass per run of equal-size images).
// Bad input prints one sentence, exit code 1. Tested in tests/Opacity.Apps.Tests/FidKidCommandTests.cs and FidKidFolderTests.cs.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opacity.Gan.Data;
using Opacity.Gan.Data.Readers;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

public static class FidKidCommand
{
    public static Command Create()
    {
        var real = new Option<string>("--real") { Description = "Real set: a .npy file holding an N x d float32/float64 feature matrix, or a folder of PNG/JPEG/DICOM images (then --features).", Required = true };
        var fake = new Option<string>("--fake") { Description = "Generated set: a .npy file (M x d, same d) or an image folder, the same kind as --real.", Required = true };
        var features = new Option<string?>("--features") { Description = "Feature extractor for image folders: inception (needs --weights) or classifier (needs --classifier)." };
        var weights = new Option<string?>("--weights") { Description = "Inception-v3 weights: pytorch-fid's pt_inception-2015-12-05 converted to safetensors (see src/Gan/Networks/InceptionV3.cs)." };
        var classifier = new Option<string?>("--classifier") { Description = "A trained OpacityClassifier checkpoint (train-classifier); images are resized to its training size." };
        var size = new Option<int?>("--size") { Description = "Side in px images are centre-cropped and resized to before the extractor (inception: default 299; 0 = as read, no crop, only the network's bilinear resize to 299, as pytorch-fid; classifier: must be the checkpoint's size)." };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass of the feature extractor (4: fastest per image on 2 cores at 299 px; larger batches cost more memory traffic).", DefaultValueFactory = _ => 4 };
        var subsets = new Option<int>("--kid-subsets") { Description = "Number of random KID subsets (0 skips KID).", DefaultValueFactory = _ => Kid.DefaultSubsets };
        var subsetSize = new Option<int>("--kid-subset-size") { Description = "Samples per KID subset; must not exceed either set.", DefaultValueFactory = _ => Kid.DefaultSubsetSize };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the KID subset sampler (xoshiro256**); same seed, same KID.", DefaultValueFactory = _ => Kid.DefaultSeed };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys fid, kid_mean, kid_std, ...) instead of text." };
        var command = new Command("fid-kid", "FID and KID between two feature matrices (.npy, N x d) or two image folders through Inception-v3 or a trained classifier (float64 statistics, symmetric eigen route for tr sqrt(S1 S2)).");
        foreach (Option o in new Option[] { real, fake, features, weights, classifier, size, batch, subsets, subsetSize, seed, json })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var source = new FeatureSource(parse.GetValue(features), parse.GetValue(weights), parse.GetValue(classifier), parse.GetValue(size), parse.GetValue(batch));
                return Run(parse.GetValue(real)!, parse.GetValue(fake)!, source, parse.GetValue(subsets), parse.GetValue(subsetSize),
                    parse.GetValue(seed), parse.GetValue(json));
            }
            catch (Exception ex) when (ex is NpyFormatException or MetricInputException or InceptionWeightsException or ReaderException
                                       or SafeTensorsException or TrainingException or ShapeMismatchException)
            {
                Console.Error.WriteLine($"fid-kid: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int Run(string realPath, string fakePath, FeatureSource source, int subsets, int subsetSize, ulong seed, bool json)
    {
        if (subsets < 0)
            throw new MetricInputException($"--kid-subsets must be 0 (skip KID) or positive, got {subsets}.");
        var sw = Stopwatch.StartNew();
        var (r, f, extracted) = FidKidFeatures.Load(realPath, fakePath, source);
        if (r.Cols != f.Cols)
            throw new MetricInputException($"The feature dimensions differ: '{realPath}' has d = {r.Cols}, '{fakePath}' has d = {f.Cols}.");
        FeatureStatistics.CheckFeatures(r.Data, r.Rows, r.Cols, realPath);
        FeatureStatistics.CheckFeatures(f.Data, f.Rows, f.Cols, fakePath);
        if (subsets > 0 && (subsetSize > r.Rows || subsetSize > f.Rows))
        {
            (string path, int n) = subsetSize > r.Rows ? (realPath, r.Rows) : (fakePath, f.Rows);
            throw new MetricInputException($"The KID subset size {subsetSize} is larger than '{path}' ({n} samples); pass --kid-subset-size {Math.Min(r.Rows, f.Rows)} or less.");
        }
        double loadSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        double cpu0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var s1 = FeatureStatistics.FromFeatures(r.Data, r.Rows, r.Cols, realPath);
        var s2 = FeatureStatistics.FromFeatures(f.Data, f.Rows, f.Cols, fakePath);
        FidResult fid = Fid.Compute(s1, s2);
        double fidSeconds = sw.Elapsed.TotalSeconds;
        double fidCpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpu0;
        sw.Restart();
        KidResult? kid = subsets > 0
            ? Kid.Compute(r.Data, r.Rows, f.Data, f.Rows, r.Cols, subsets, subsetSize, seed, realPath, fakePath)
            : null;
        double kidSeconds = sw.Elapsed.TotalSeconds;
        if (json)
            WriteJson(r, f, extracted, fid, kid, subsets, subsetSize, seed, loadSeconds, fidSeconds, fidCpuSeconds, kidSeconds);
        else
        {
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(extracted is null ? "features: from .npy files" : $"features: {extracted.Description}");
            if (extracted is not null)
                Console.WriteLine(string.Format(inv, "extraction: {0} images in {1:F2} s ({2:F2} images/s, {3:F2} CPU s)", r.Rows + f.Rows, extracted.Seconds,
                    extracted.ImagesPerSecond, extracted.CpuSeconds));
            Console.WriteLine(string.Format(inv, "real {0} x {1} ({2}), fake {3} x {4} ({5})", r.Rows, r.Cols, r.SourceDType, f.Rows, f.Cols, f.SourceDType));
            Console.WriteLine(string.Format(inv, "FID  {0:R}", fid.Fid));
            if (kid is not null)
                Console.WriteLine(string.Format(inv, "KID  {0:R} +- {1:R} ({2} subsets of {3}, seed {4})", kid.Mean, kid.Std, subsets, subsetSize, seed));
            if (s1.RankDeficient || s2.RankDeficient)
                Console.WriteLine("note: fewer samples than feature dimensions; the covariances are singular (handled exactly by the eigen route).");
            if (fid.PytorchFidMightRaise)
                Console.WriteLine("note: the product of the covariances has noticeable negative eigenvalues (clamped to 0); pytorch-fid's sqrtm route may disagree or raise here.");
            Console.WriteLine(string.Format(inv, "time: load {0:F2} s, FID {1:F2} s, KID {2:F2} s", loadSeconds, fidSeconds, kidSeconds));
        }
        return 0;
    }

    private static void WriteJson(NpyMatrix r, NpyMatrix f, FeatureRun? extracted, FidResult fid, KidResult? kid, int subsets, int subsetSize,
        ulong seed, double load, double fidSeconds, double fidCpuSeconds, double kidSeconds)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("fid", fid.Fid);
            w.WriteString("features", extracted?.Name ?? "npy");
            if (extracted is not null)
            {
                w.WriteString("feature_extractor", extracted.Description);
                w.WriteNumber("image_size", extracted.ImageSize);
                w.WriteNumber("extract_seconds", extracted.Seconds);
                w.WriteNumber("extract_cpu_seconds", extracted.CpuSeconds);
                w.WriteNumber("images_per_second", extracted.ImagesPerSecond);
            }
            if (kid is null)
            {
                w.WriteNull("kid_mean");
                w.WriteNull("kid_std");
            }
            else
            {
                w.WriteNumber("kid_mean", kid.Mean);
                w.WriteNumber("kid_std", kid.Std);
            }
            w.WriteNumber("kid_subsets", subsets);
            w.WriteNumber("kid_subset_size", subsetSize);
            w.WriteNumber("seed", seed);
            w.WriteNumber("n_real", r.Rows);
            w.WriteNumber("n_fake", f.Rows);
            w.WriteNumber("dim", r.Cols);
            w.WriteNumber("fid_mean_term", fid.MeanTerm);
            w.WriteNumber("fid_trace_term", fid.TraceTerm);
            w.WriteNumber("fid_trace_sqrt", fid.TraceSqrt);
            w.WriteNumber("clamped_eigenvalues_sigma_real", fid.Detail.ClampedSigma1);
            w.WriteNumber("clamped_eigenvalues_product", fid.Detail.ClampedProduct);
            w.WriteNumber("load_seconds", load);
            w.WriteNumber("fid_seconds", fidSeconds);
            w.WriteNumber("fid_cpu_seconds", fidCpuSeconds);
            w.WriteNumber("kid_seconds", kidSeconds);
            w.WriteEndObject();
        }
        Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
