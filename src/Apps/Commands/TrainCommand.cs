// `opacity train`: trains the masked CycleGAN (with CDAM when the ablation needs it) on a phantom folder
// written by `opacity synth` (train split, unpaired opacity / clear images). Shows a Spectre.Console
// progress bar with the losses and images/s when the terminal is interactive, a line per checkpoint
// otherwise. Ctrl-C writes a checkpoint and exits cleanly (exit 130); --resume continues bit for bit on the
// CPU (to within float rounding on a GPU). --device cpu|cuda|cuda:N: where the step runs (DeviceOption: a
// missing GPU is one sentence, exit 1); the checkpoint is the same file whichever device wrote it.
// --classifier may be given several times: the frozen classifiers then act as one CDAM classifier
// (ClassifierEnsemble: mean logit, every member's features, mean CAM), as the demo does.
// --profile-steps N times every op over N steps after a warm-up (StepProfile) and prints the table at the end.
// Bad input (missing or wrong classifier file, empty or one-domain folder, wrong size, NaN loss): one
// sentence on stderr, exit 1. Tested by TrainCommandTests.
using System.CommandLine;
using System.Globalization;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Spectre.Console;

namespace Opacity.Cli.Commands;

public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Phantom folder written by `opacity synth` (manifest.csv).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder: checkpoint.safetensors, losses.csv, samples/.", Required = true };
        var steps = new Option<long>("--steps") { Description = "Total training steps.", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size") { Description = "Image side in pixels; must match the data.", DefaultValueFactory = _ => 256 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice (init, data order, pools).", DefaultValueFactory = _ => 1UL };
        var resume = new Option<bool>("--resume") { Description = "Continue from --out/checkpoint.safetensors (its options win)." };
        var ablation = new Option<string>("--ablation") { Description = "cyclegan | mask | mask+label | mask+feature | full.", DefaultValueFactory = _ => "full" };
        var classifier = new Option<string[]>("--classifier") { Description = "Frozen CDAM classifier weights (needed by mask+label, mask+feature, full); give it several times for an ensemble." };
        var ckEvery = new Option<long>("--checkpoint-every") { Description = "Checkpoint every K steps (and at exit).", DefaultValueFactory = _ => 1000 };
        var sampleEvery = new Option<long>("--sample-every") { Description = "Sample strip (input | mask | output | residual) every K steps.", DefaultValueFactory = _ => 500 };
        var ngf = new Option<int>("--ngf") { Description = "Generator base width.", DefaultValueFactory = _ => 64 };
        var ndf = new Option<int>("--ndf") { Description = "Discriminator base width.", DefaultValueFactory = _ => 64 };
        var blocks = new Option<int>("--blocks") { Description = "ResNet blocks in each generator.", DefaultValueFactory = _ => 9 };
        var generator = new Option<string>("--generator") { Description = "Generator backbone: resnet | unet.", DefaultValueFactory = _ => "resnet" };
        var unetDepth = new Option<int>("--unet-depth") { Description = "Levels of the U-Net generator.", DefaultValueFactory = _ => 4 };
        var content = new Option<string>("--content") { Description = "Mask content: absolute (C = tanh) | residual (C = x + tanh).", DefaultValueFactory = _ => "absolute" };
        var cycleScope = new Option<string>("--cycle-scope") { Description = "Cycle loss of the opacity domain over every pixel (full) or outside G's mask (outside-mask).", DefaultValueFactory = _ => "full" };
        var classifierView = new Option<string>("--classifier-view") { Description = "What the CDAM classifier is shown: plain | jittered (one random shift and exposure per step, its own training augmentation).", DefaultValueFactory = _ => "plain" };
        var average = new Option<double>("--generator-average") { Description = "Decay of the moving average of G's weights that becomes the translator, e.g. 0.995 (0 = off: the last weights).", DefaultValueFactory = _ => 0 };
        var maskPrior = new Option<string>("--mask-prior") { Description = "AASPM option B: none | cam (L1 target from the classifier's activation map) | saliency (from its input gradient, smoothed).", DefaultValueFactory = _ => "none" };
        var opacityNegatives = new Option<double>("--d-opacity-negatives") { Description = "Weight of real opacity images as negatives of the clear-domain discriminator D_N (0 = off: D_N sees only clear images and translations).", DefaultValueFactory = _ => 0 };
        var labelReference = new Option<string>("--label-reference") { Description = "CDAM label term: fixed (BCE to 0 and 1, METHOD.md) | real (as clear / opaque as the step's real images, by the classifier's logits).", DefaultValueFactory = _ => "fixed" };
        var dLayers = new Option<int>("--d-layers") { Description = "Stride-2 layers of both PatchGAN discriminators: 3 = 70x70 patches (METHOD.md), 2 = 34x34, 1 = 16x16.", DefaultValueFactory = _ => 3 };
        var profileSteps = new Option<int>("--profile-steps") { Description = "Time every op over N steps (after 20 warm-up steps, or half the run when shorter) and print where a step's time goes.", DefaultValueFactory = _ => 0 };
        var device = DeviceOption.Create();

        var command = new Command("train", "Train the opacity -> clear translator (masked CycleGAN + CDAM) on a phantom folder.");
        foreach (Option o in new Option[] { data, outDir, steps, size, seed, resume, ablation, classifier, ckEvery, sampleEvery, ngf, ndf, blocks, generator, unetDepth, content, maskPrior, cycleScope, classifierView, average, opacityNegatives, labelReference, dLayers, profileSteps, device })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var onDevice = DeviceOption.Resolve(parse.GetValue(device));
                var options = new GanOptions
                {
                    Size = parse.GetValue(size), Seed = parse.GetValue(seed), Ablation = GanOptions.ParseAblation(parse.GetValue(ablation) ?? "full"),
                    Ngf = parse.GetValue(ngf), Ndf = parse.GetValue(ndf), DiscriminatorLayers = parse.GetValue(dLayers), Blocks = parse.GetValue(blocks),
                    Generator = GanOptions.ParseGenerator(parse.GetValue(generator) ?? "resnet"), UNetDepth = parse.GetValue(unetDepth),
                    Content = GanOptions.ParseContent(parse.GetValue(content) ?? "absolute"), MaskPrior = GanOptions.ParseMaskPrior(parse.GetValue(maskPrior) ?? "none"),
                    CycleScope = GanOptions.ParseCycleScope(parse.GetValue(cycleScope) ?? "full"),
                    ClassifierViewing = GanOptions.ParseClassifierViewing(parse.GetValue(classifierView) ?? "plain"),
                    GeneratorAverageDecay = parse.GetValue(average), LambdaOpacityNegative = parse.GetValue(opacityNegatives),
                    LabelReference = GanOptions.ParseLabelReference(parse.GetValue(labelReference) ?? "fixed"),
                };
                long n = parse.GetValue(steps);
                if (n <= 0) throw new TrainingException($"--steps {n} must be positive.");
                int profile = parse.GetValue(profileSteps);
                if (profile < 0) throw new TrainingException($"--profile-steps {profile} must be 0 (off) or positive.");
                var run = new TrainerOptions
                {
                    OutDir = parse.GetValue(outDir)!, Steps = n, Resume = parse.GetValue(resume),
                    CheckpointEvery = parse.GetValue(ckEvery), SampleEvery = parse.GetValue(sampleEvery), Device = onDevice,
                };
                return Run(options, run, parse.GetValue(data)!, parse.GetValue(classifier) ?? [], profile);
            }
            catch (TrainingException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    internal static int Run(GanOptions options, TrainerOptions run, string dataDir, IReadOnlyList<string> classifierPaths, int profileSteps = 0)
    {
        if (run.Resume)
            options = GanCheckpoint.Read(Path.Combine(run.OutDir, GanCheckpoint.FileName)).Options;
        options.Validate();
        IOpacityClassifier? classifier = null;
        if (options.NeedsClassifier)
        {
            if (classifierPaths.Count == 0 || classifierPaths.Any(string.IsNullOrEmpty))
                throw new TrainingException(options.UseLabel || options.UseFeature
                    ? $"The {Name(options.Ablation)} ablation uses CDAM and needs --classifier FILE (or use --ablation mask)."
                    : $"The mask prior --mask-prior {(options.MaskPrior == MaskPrior.SaliencyTarget ? "saliency" : "cam")} needs the frozen classifier: give --classifier FILE.");
            var members = new List<OpacityClassifier>();
            foreach (string path in classifierPaths)
            {
                if (!File.Exists(path)) throw new TrainingException($"Classifier file '{path}' does not exist.");
                members.Add(ClassifierCheckpoint.Load(path, options.Size));
            }
            classifier = members.Count == 1 ? members[0] : new ClassifierEnsemble(members);
            CdamClassifierRecord.Write(run.OutDir, classifierPaths);   // lets `opacity eval` refuse them as the evaluation classifier
        }
        var dataset = UnpairedData.FromPhantomFolder(dataDir, options.Size, options.Seed);
        var trainer = new GanTrainer(options, run, dataset, classifier);
        var window = StepProfile.Window(trainer.StepsDone, run.Steps, profileSteps, run.Device);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            TrainingResult result;
            if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                result = null!;
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        ProgressTask task = ctx.AddTask("train", maxValue: run.Steps);
                        task.Value = trainer.StepsDone;
                        trainer.Progress = p => { window?.After(p.Step); task.Value = p.Step; task.Description = Markup.Escape(Describe(p)); };
                        result = trainer.Run(cts.Token);
                    });
            }
            else
            {
                trainer.Progress = p => { window?.After(p.Step); if (p.Step == p.TotalSteps || (run.CheckpointEvery > 0 && p.Step % run.CheckpointEvery == 0)) Console.WriteLine(Describe(p)); };
                result = trainer.Run(cts.Token);
            }
            window?.Print();
            Console.WriteLine(result.Cancelled
                ? $"Interrupted at step {result.StepsDone}; checkpoint written to {result.CheckpointPath} (continue with --resume)."
                : $"Trained {result.StepsDone} steps ({Name(options.Ablation)}, {options.Size} px{(run.Device.IsCpu ? "" : $", on {run.Device}")}); checkpoint {result.CheckpointPath}.");
            return result.Cancelled ? 130 : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            window?.Stop();
        }
    }

    private static string Describe(TrainingProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps} ") +
        string.Join(" ", p.Losses.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F3}"))) +
        string.Create(CultureInfo.InvariantCulture, $" | {p.ImagesPerSecond:F1} img/s");

    private static string Name(Ablation a) => a switch
    {
        Ablation.CycleGan => "cyclegan", Ablation.Mask => "mask", Ablation.MaskLabel => "mask+label",
        Ablation.MaskFeature => "mask+feature", _ => "full",
    };
}
