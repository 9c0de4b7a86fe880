// Shared by `opacity train-classifier` and `opacity train-segmenter`: the data options (--data DIR or
// --synth N, --size, --device), the train/val split (the phantoms' own Split column: Train for training, Val for
// validation), the Spectre.Console progress bar (plain output when redirected) and error printing. DeviceOption
// is the --device of every training command and the demo (cpu, cuda or cuda:N, as translate and eval take it),
// checked before any work: an unknown name or a missing GPU is one sentence and exit 1.
// Tested through TrainCommandTests and TrainDeviceCommandTests in tests/Opacity.Apps.Tests.
using System.CommandLine;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Spectre.Console;

namespace Opacity.Cli.Commands;

internal sealed class TrainingDataOptions
{
    public Option<string?> Data { get; } = new("--data") { Description = "Phantom folder written by `opacity synth` (manifest.csv + PNGs)." };
    public Option<int?> Synth { get; } = new("--synth") { Description = "Generate this many phantoms in memory instead of reading --data." };
    public Option<int?> Size { get; } = new("--size") { Description = "Training size in pixels (default: the folder's size, or 64 with --synth); a folder is reduced by an integer factor." };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed of the weights, batch order, augmentation and synthetic data.", DefaultValueFactory = _ => 1UL };
    public Option<int> Steps { get; } = new("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 300 };
    public Option<double> Lr { get; } = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 };
    public Option<string> Out { get; } = new("--out") { Description = "Checkpoint file (.safetensors), written atomically at the end.", Required = true };
    public Option<string> Device { get; } = DeviceOption.Create();

    public void AddTo(Command c)
    {
        foreach (Option o in new Option[] { Data, Synth, Size, Seed, Steps, Lr, Out, Device }) c.Options.Add(o);
    }

    /// <summary>Loads or generates the cases; returns the train and validation splits and a description.</summary>
    public (List<PhantomCase> Train, List<PhantomCase> Val, string Source) Load(ParseResult parse, Action<int> checkSize)
    {
        string? dir = parse.GetValue(Data);
        int? synth = parse.GetValue(Synth);
        int? size = parse.GetValue(Size);
        if ((dir is null) == (synth is null)) throw new TrainingException("Give exactly one of --data DIR or --synth N.");
        List<PhantomCase> cases;
        string source;
        if (synth is int n)
        {
            int s = size ?? 64;
            checkSize(s);
            cases = [.. TrainingData.Synthesize(n, s, parse.GetValue(Seed))];
            source = $"{n} synthetic phantoms at {s} px";
        }
        else
        {
            if (size is int s) checkSize(s);
            cases = TrainingData.LoadFolder(dir!, size);
            checkSize(cases[0].Size);
            source = $"{cases.Count} phantoms from {dir} at {cases[0].Size} px";
        }
        var train = cases.Where(c => c.Split == Split.Train).ToList();
        var val = cases.Where(c => c.Split == Split.Val).ToList();
        if (train.Count == 0) throw new TrainingException($"The data ({source}) has no images in the train split.");
        return (train, val, source);
    }
}

internal static class DeviceOption
{
    /// <summary>--device, default cpu.</summary>
    public static Option<string> Create() => new("--device") { Description = "Where training runs: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    /// <summary>Parses <paramref name="text"/> and checks that the device can be used now; an unknown name or a missing
    /// GPU is a TrainingException of one sentence ("Cannot train on cuda:0: no CUDA driver: ...").</summary>
    public static Device Resolve(string? text)
    {
        Device device;
        try { device = Opacity.Tensors.Device.Parse(text ?? "cpu"); }
        catch (ArgumentException e) { throw new TrainingException(e.Message, e); }
        try { TrainingDevice.Require(device); }
        catch (DeviceUnavailableException e) { throw new TrainingException(e.Message, e); }
        return device;
    }
}

internal static class TrainingRunner
{
    /// <summary>Runs <paramref name="train"/> with a progress bar when the console is interactive.</summary>
    public static T WithProgress<T>(string label, int steps, Func<Action<TrainProgress>, T> train)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            T result = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask(label, maxValue: steps);
                    result = train(p =>
                    {
                        task.Value = p.Step;
                        task.Description = $"{label} loss {p.Loss:F3}, {p.ImagesPerSecond:F0} img/s";
                    });
                });
            return result;
        }
        int every = Math.Max(1, steps / 10);
        return train(p =>
        {
            if (p.Step % every == 0 || p.Step == steps)
                Console.WriteLine(FormattableString.Invariant($"step {p.Step}/{p.Steps} loss {p.Loss:F4} ({p.ImagesPerSecond:F1} img/s)"));
        });
    }

    /// <summary>Runs a command body; bad input prints its one sentence on stderr and returns 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is TrainingException or PhantomException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
