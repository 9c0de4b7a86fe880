// `opacity fid-kid`: FID and KID between two feature matrices stored as NumPy .npy files (N x d, float32 or
// float64). Statistics and metrics in float64 on the CPU (Opacity.Gan.Metrics). Image folders plus a feature
// extractor come later; today only .npy features are accepted. Bad input prints one sentence, exit code 1.
// Tested in tests/Opacity.Apps.Tests/FidKidCommandTests.cs.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opacity.Gan.Data;
using Opacity.Gan.Metrics;

namespace Opacity.Cli.Commands;

public static class FidKidCommand
{
    public static Command Create()
    {
        var real = new Option<string>("--real") { Description = "Real features: a .npy file holding an N x d float32/float64 matrix (image folders are not accepted yet).", Required = true };
        var fake = new Option<string>("--fake") { Description = "Generated features: a .npy file holding an M x d matrix with the same d.", Required = true };
        var subsets = new Option<int>("--kid-subsets") { Description = "Number of random KID subsets (0 skips KID).", DefaultValueFactory = _ => Kid.DefaultSubsets };
        var subsetSize = new Option<int>("--kid-subset-size") { Description = "Samples per KID subset; must not exceed either set.", DefaultValueFactory = _ => Kid.DefaultSubsetSize };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the KID subset sampler (xoshiro256**); same seed, same KID.", DefaultValueFactory = _ => Kid.DefaultSeed };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys fid, kid_mean, kid_std, ...) instead of text." };
        var command = new Command("fid-kid", "FID and KID between two feature matrices (.npy, N x d; float64 statistics, symmetric eigen route for tr sqrt(S1 S2)).");
        foreach (Option o in new Option[] { real, fake, subsets, subsetSize, seed, json })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                return Run(parse.GetValue(real)!, parse.GetValue(fake)!, parse.GetValue(subsets), parse.GetValue(subsetSize),
                    parse.GetValue(seed), parse.GetValue(json));
            }
            catch (Exception ex) when (ex is NpyFormatException or MetricInputException)
            {
                Console.Error.WriteLine($"fid-kid: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int Run(string realPath, string fakePath, int subsets, int subsetSize, ulong seed, bool json)
    {
        if (subsets < 0)
            throw new MetricInputException($"--kid-subsets must be 0 (skip KID) or positive, got {subsets}.");
        var sw = Stopwatch.StartNew();
        NpyMatrix r = Npy.Read(realPath);
        NpyMatrix f = Npy.Read(fakePath);
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
            WriteJson(r, f, fid, kid, subsets, subsetSize, seed, loadSeconds, fidSeconds, fidCpuSeconds, kidSeconds);
        else
        {
            var inv = CultureInfo.InvariantCulture;
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

    private static void WriteJson(NpyMatrix r, NpyMatrix f, FidResult fid, KidResult? kid, int subsets, int subsetSize,
        ulong seed, double load, double fidSeconds, double fidCpuSeconds, double kidSeconds)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("fid", fid.Fid);
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
