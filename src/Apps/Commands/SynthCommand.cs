// `opacity synth`: writes a synthetic chest radiograph data set (PhantomGenerator) as PNGs + manifest.csv.
// Patients are generated in parallel chunks and written as they finish; bad input (size outside 64..1024,
// count <= 0, unwritable folder, bad mix) prints one sentence and exits 1. Tested by SynthCommandTests.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Spectre.Console;

namespace Opacity.Cli.Commands;

public static class SynthCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder (created if missing).", Required = true };
        var count = new Option<int>("--count") { Description = "Number of patients (images).", DefaultValueFactory = _ => 100 };
        var size = new Option<int>("--size") { Description = "Image width and height in pixels, 64..1024.", DefaultValueFactory = _ => 256 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same bytes.", DefaultValueFactory = _ => 1UL };
        var clearFraction = new Option<double>("--clear-fraction") { Description = "Fraction of patients in the clear domain.", DefaultValueFactory = _ => 0.5 };
        var mix = new Option<string>("--mix") { Description = "Opacity kind weights, e.g. ggo=1,consolidation=1,ards=1,nodule=1,effusion=1.", DefaultValueFactory = _ => "ggo=1,consolidation=1,ards=1,nodule=1,effusion=1" };
        var minOp = new Option<int>("--min-opacities") { Description = "Fewest opacities per opacity image.", DefaultValueFactory = _ => 1 };
        var maxOp = new Option<int>("--max-opacities") { Description = "Most opacities per opacity image.", DefaultValueFactory = _ => 2 };
        var sizeScale = new Option<double>("--lesion-size") { Description = "Lesion size multiplier.", DefaultValueFactory = _ => 1.0 };
        var density = new Option<double>("--lesion-density") { Description = "Lesion density multiplier.", DefaultValueFactory = _ => 1.0 };
        var noise = new Option<double>("--noise") { Description = "Detector noise multiplier (0 = none).", DefaultValueFactory = _ => 1.0 };
        var blur = new Option<double>("--blur") { Description = "Detector blur multiplier (0 = none).", DefaultValueFactory = _ => 1.0 };
        var train = new Option<double>("--train") { Description = "Fraction of patients in the train split.", DefaultValueFactory = _ => 0.8 };
        var val = new Option<double>("--val") { Description = "Fraction of patients in the val split (the rest is test).", DefaultValueFactory = _ => 0.1 };

        var command = new Command("synth", "Write synthetic PA chest radiographs with paired clear truth, lung and opacity masks.");
        foreach (Option o in new Option[] { outDir, count, size, seed, clearFraction, mix, minOp, maxOp, sizeScale, density, noise, blur, train, val })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                int n = parse.GetValue(count);
                if (n <= 0) throw new PhantomException($"--count {n} must be positive.");
                var options = new PhantomOptions
                {
                    Size = parse.GetValue(size),
                    Seed = parse.GetValue(seed),
                    ClearFraction = parse.GetValue(clearFraction),
                    Mix = OpacityMix.Parse(parse.GetValue(mix) ?? ""),
                    MinOpacities = parse.GetValue(minOp),
                    MaxOpacities = parse.GetValue(maxOp),
                    SizeScale = parse.GetValue(sizeScale),
                    DensityScale = parse.GetValue(density),
                    NoiseScale = parse.GetValue(noise),
                    BlurScale = parse.GetValue(blur),
                    TrainFraction = parse.GetValue(train),
                    ValFraction = parse.GetValue(val),
                };
                return Run(parse.GetValue(outDir)!, n, options);
            }
            catch (PhantomException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Generates and writes the data set; returns the exit code.</summary>
    internal static int Run(string dir, int count, PhantomOptions options)
    {
        var generator = new PhantomGenerator(options);   // validates
        PhantomWriter.PrepareFolder(dir);
        var rows = new PhantomManifestRow[count];
        var sw = Stopwatch.StartNew();
        int chunk = Math.Max(8, 4 * Environment.ProcessorCount);
        void Work(Action<int> progress)
        {
            for (int first = 0; first < count; first += chunk)
            {
                int m = Math.Min(chunk, count - first);
                PhantomCase[] cases = generator.GenerateBatch(first, m);
                Parallel.For(0, m, j => rows[first + j] = PhantomWriter.WriteCase(dir, cases[j]));
                progress(m);
            }
        }
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("synth", maxValue: count);
                Work(m => task.Increment(m));
            });
        }
        else
        {
            Work(_ => { });
        }
        PhantomWriter.WriteIndex(dir, options, rows);
        int opacity = rows.Count(r => r.Domain == Domain.Opacity);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {count} phantoms ({opacity} opacity with paired truth, {count - opacity} clear) at {options.Size} px, seed {options.Seed}, to {Path.GetFullPath(dir)} (manifest.csv) in {sw.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }
}
