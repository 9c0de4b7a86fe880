// `opacity demo [--out DIR] [--device cpu|cuda|cuda:N]`: the README's first command. On a fresh machine, CPU by
// default, no download:
// synthetic phantoms -> the frozen CDAM classifiers (an ensemble of three ResNets, seeds apart), a
// separate evaluation classifier (other architecture and seed) with a panel of further judges of its
// recipe, a lesion-map judge (a U-Net on the true opacity masks, LesionMapJudge) and a lung U-Net -> the translator twice (full method and the CycleGAN ablation, same
// budget) -> evaluation of both, of the untranslated images and of the paired truth -> a Markdown
// report with tables, an image grid and loss curves. Sizes are small so that it runs in minutes on 2 cores.
// --device runs every training, the translators and the evaluation networks there (a missing GPU is one
// sentence before any work); the models under models/ are the same files whichever device wrote them.
// The full method here uses the CPU-budget configuration (residual mask content, AASPM option B's CAM prior
// as an L1 target, cycle loss outside the mask, learning rate 5e-4): with METHOD.md's defaults the mask
// collapses to ~0 within a few hundred steps and nothing is removed (bench/results/amd-epyc-2core/method.md).
// Its clear-domain discriminator also learns real opacity images as "not clear" (--d-opacity-negatives):
// METHOD.md's D_N never sees a lesion as a negative, and by the end of a run it scores untranslated opacity
// images as clear as real clear ones, so the adversarial term stops asking for removal.
// Its CDAM label term weighs 0.7, not METHOD.md's 1 (--label-weight): at 1 the translations are pushed past
// the clear images along the classifiers' shared cues ("clearer than clear"), which costs FID. Both translators'
// U-Net generators are 24 wide at the first level (--ngf; the PatchGANs stay 16, --ndf): capacity, not only the
// objective, held removal back at 16.
// CDAM's Phi is an ensemble of --cdam-classifiers small ResNets (ClassifierEnsemble): with one, what the
// translator removed swung with that classifier's seed (11-38 % still called "opacity" over three seeds).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Inference;
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Gan.Reports;
using Opacity.Gan.Training;
using Opacity.Tensors;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Cli.Commands;

public static class DemoCommand
{
    public sealed record DemoOptions(string Out, int Size, int Count, int ClassifierSteps, int SegmenterSteps, int GanSteps, int Ngf, int Blocks, ulong Seed,
        double LearningRate = DemoLearningRate, GeneratorKind Generator = GeneratorKind.UNet, int EvalCount = DefaultEvalCount,
        int CdamClassifiers = DefaultCdamClassifiers, int Judges = DefaultJudges, double GeneratorAverage = DefaultGeneratorAverage,
        MaskPrior MaskPrior = DefaultMaskPrior, Device Device = default, double OpacityNegatives = DefaultOpacityNegatives,
        double LabelWeight = DefaultLabelWeight, int? Ndf = DefaultNdf, int LesionJudgeSteps = DefaultLesionJudgeSteps)
    {
        /// <summary>Both PatchGANs' base width: <see cref="Ndf"/> (<see cref="DefaultNdf"/> unless given), else the generator's <see cref="Ngf"/>.</summary>
        public int DiscriminatorWidth => Ndf ?? Ngf;
    }

    /// <summary>AASPM option B of the full method: the L1 target of G's mask from the CDAM classifiers' activation map (cam)
    /// or their saliency map (saliency).</summary>
    public const MaskPrior DefaultMaskPrior = MaskPrior.CamTarget;

    /// <summary>Decay of the moving average of each translator's G weights (WeightAverage; 0 = the last weights). With
    /// <see cref="DefaultGanSteps"/> it lowered the called-opacity rate and raised PSNR to the truth on all five seeds
    /// measured (bench/results/amd-epyc-2core/method.md, session 6). A shorter 0.998 removes more of each lesion but helps
    /// the CycleGAN ablation's FID more than the full method's (session 8).</summary>
    public const double DefaultGeneratorAverage = 0.999;

    /// <summary>Weight of real opacity images as negatives of the full method's clear-domain discriminator D_N
    /// (GanOptions.LambdaOpacityNegative). On all five seeds measured it removed 3.9-7.3 points more of each lesion's
    /// excess density and lowered the called-opacity rate; FID rose on four seeds (bench/results/amd-epyc-2core/method.md,
    /// sessions 7 and 8). The CycleGAN ablation keeps CycleGAN's objective.</summary>
    public const double DefaultOpacityNegatives = 1;

    /// <summary>Weight of the full method's CDAM label term (GanOptions.LambdaLabel; METHOD.md's is 1). At 1 the full
    /// method's translations look clearer than the clear images themselves to the evaluation classifier (called "opacity"
    /// less often than the paired truth), which costs FID; 0.75 fixed that at width 16 (bench/results/amd-epyc-2core/method.md,
    /// sessions 8 and 9). The wider generator (<see cref="DefaultNgf"/>) needs a little less push: at 0.6 it was called
    /// "opacity" more often on two of three seeds, at 0.7 under 10 % on the same four of five seeds as width 16 at 0.75
    /// (sessions 10 and 11).</summary>
    public const double DefaultLabelWeight = 0.7;

    /// <summary>Base width of both translators' U-Net generators. Width 24 (against 16, with <see cref="DefaultNdf"/> and
    /// <see cref="DefaultLabelWeight"/>) removed 2.7-6.6 points more of each lesion's excess density on the seeds measured
    /// alike, raised PSNR to the truth on all five seeds (+0.36 to +0.74 dB) and lowered the change outside the opacity on all
    /// five; FID rose on three seeds (still under the CycleGAN ablation's on all five). It costs ~1.45x the training time,
    /// which session 12's engine work (Adam v2, the kernel's row cuts) had just taken off (method.md, sessions 11 and 12).</summary>
    public const int DefaultNgf = 24;

    /// <summary>Base width of both PatchGANs: 16, as in every run of the wider generator measured (sessions 9-11 widened
    /// the generators only; wider discriminators were not measured).</summary>
    public const int DefaultNdf = 16;

    /// <summary>Training steps of each translator (both get the same budget).</summary>
    public const int DefaultGanSteps = 2400;

    /// <summary>Evaluation classifiers in the called-opacity panel: the evaluation classifier (seed + 20) and
    /// plain CNNs of the same recipe with seeds seed + 21, ... (one judge's rate moves by several points with its seed).</summary>
    public const int DefaultJudges = 5;

    /// <summary>The most judges: their seeds (seed + 20 ...) stay below the lung U-Net's seed + 30.</summary>
    public const int MaxJudges = 10;

    /// <summary>Training steps of the lesion-map judge (LesionMapJudge: width 8, depth 3, seed + 40; about a minute of
    /// one core). At 1000 steps it called 97 % of the visible lesion kinds and 2 % of clear test images on seed 4
    /// (method.md, session 15); 3000 steps changed little.</summary>
    public const int DefaultLesionJudgeSteps = 1000;

    /// <summary>Members of the CDAM classifier ensemble (ResNets of seeds seed + 10, seed + 11, ...).</summary>
    public const int DefaultCdamClassifiers = 3;

    /// <summary>The most CDAM members: their seeds (seed + 10 ...) stay below the evaluation classifier's seed + 20.</summary>
    public const int MaxCdamClassifiers = 10;

    /// <summary>Extra held-out patients for evaluation only. With the 10 % test split of 600 patients alone one test
    /// image moves a rate by 3.3 points; these add half to validation (thresholds) and half to test.</summary>
    public const int DefaultEvalCount = 400;

    /// <summary>Adam's rate for the demo's short budget (METHOD.md's 2e-4 barely moves the weights in ~1000 steps).</summary>
    public const double DemoLearningRate = 5e-4;

    /// <summary>Levels of the U-Net generator at the demo's 64 px (down to 8 x 8).</summary>
    public const int DemoUNetDepth = 3;

    /// <summary>The full method's options for the demo's CPU budget (see the file header).</summary>
    public static GanOptions FullMethod(GanOptions o, MaskPrior prior = DefaultMaskPrior, double opacityNegatives = DefaultOpacityNegatives,
        double labelWeight = DefaultLabelWeight) => o with
    {
        LambdaLabel = labelWeight,
        Content = MaskContent.Residual, MaskPrior = prior, CycleScope = CycleScope.OutsideMask, LambdaOpacityNegative = opacityNegatives,
    };

    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder for models, images and report.md.", DefaultValueFactory = _ => "demo-out" };
        var size = new Option<int>("--size") { Description = "Image side in pixels (64 to 128 keeps it to minutes).", DefaultValueFactory = _ => 64 };
        var count = new Option<int>("--count") { Description = "Phantom patients to synthesise (split 80/10/10 by patient).", DefaultValueFactory = _ => 600 };
        var ganSteps = new Option<int>("--gan-steps") { Description = "Training steps for each translator.", DefaultValueFactory = _ => DefaultGanSteps };
        var clsSteps = new Option<int>("--classifier-steps") { Description = "Training steps for each classifier.", DefaultValueFactory = _ => 800 };
        var generator = new Option<string>("--generator") { Description = "Generator backbone of both translators: unet (depth 3, faster here) or resnet (--blocks).", DefaultValueFactory = _ => "unet" };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate of the translators.", DefaultValueFactory = _ => DemoLearningRate };
        var segSteps = new Option<int>("--segmenter-steps") { Description = "Training steps for the lung U-Net.", DefaultValueFactory = _ => 150 };
        var ngf = new Option<int>("--ngf") { Description = "Generator base width of both translators.", DefaultValueFactory = _ => DefaultNgf };
        var ndf = new Option<int?>("--ndf") { Description = "Discriminator (PatchGAN) base width.", DefaultValueFactory = _ => DefaultNdf };
        var blocks = new Option<int>("--blocks") { Description = "ResNet blocks per generator.", DefaultValueFactory = _ => 4 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of everything.", DefaultValueFactory = _ => 1UL };
        var evalCount = new Option<int>("--eval-count") { Description = "Extra patients for evaluation only (half validation, half test; never trained on).", DefaultValueFactory = _ => DefaultEvalCount };
        var judges = new Option<int>("--judges") { Description = $"Evaluation classifiers in the called-opacity panel (1 = the evaluation classifier alone, up to {MaxJudges}).", DefaultValueFactory = _ => DefaultJudges };
        var average = new Option<double>("--generator-average") { Description = "Decay of the moving average of G's weights each translator is made of (0 = the last weights).", DefaultValueFactory = _ => DefaultGeneratorAverage };
        var prior = new Option<string>("--mask-prior") { Description = "The full method's mask prior (AASPM option B): cam (the classifiers' activation map) or saliency (their smoothed input gradient).", DefaultValueFactory = _ => "cam" };
        var negatives = new Option<double>("--d-opacity-negatives") { Description = "The full method's D_N also learns real opacity images as not clear, with this weight (0 = off: METHOD.md's D_N).", DefaultValueFactory = _ => DefaultOpacityNegatives };
        var labelWeight = new Option<double>("--label-weight") { Description = "Weight of the full method's CDAM label term (METHOD.md: 1; the demo's 0.7 keeps translations from looking clearer than clear images).", DefaultValueFactory = _ => DefaultLabelWeight };
        var lesionSteps = new Option<int>("--lesion-judge-steps") { Description = "Training steps for the lesion-map judge (an evaluation U-Net on the true opacity masks).", DefaultValueFactory = _ => DefaultLesionJudgeSteps };
        var cdamCount = new Option<int>("--cdam-classifiers") { Description = $"Frozen CDAM classifiers in the ensemble (1 to {MaxCdamClassifiers}).", DefaultValueFactory = _ => DefaultCdamClassifiers };
        var device = DeviceOption.Create();
        var command = new Command("demo", "Synthetic data -> classifiers, lung U-Net, translator (full and CycleGAN) -> evaluation -> report, on the CPU in minutes.")
        {
            outDir, size, count, ganSteps, clsSteps, segSteps, ngf, ndf, blocks, seed, lr, generator, evalCount, cdamCount, judges, average, prior, negatives, labelWeight, lesionSteps, device,
        };
        command.SetAction(r =>
        {
            try
            {
                var o = new DemoOptions(r.GetValue(outDir)!, r.GetValue(size), r.GetValue(count), r.GetValue(clsSteps), r.GetValue(segSteps),
                    r.GetValue(ganSteps), r.GetValue(ngf), r.GetValue(blocks), r.GetValue(seed), r.GetValue(lr), GanOptions.ParseGenerator(r.GetValue(generator) ?? "unet"),
                    r.GetValue(evalCount), r.GetValue(cdamCount), r.GetValue(judges), r.GetValue(average), DemoMaskPrior(r.GetValue(prior) ?? "cam"),
                    DeviceOption.Resolve(r.GetValue(device)), r.GetValue(negatives), r.GetValue(labelWeight), r.GetValue(ndf), r.GetValue(lesionSteps));
                return Run(o);
            }
            catch (Exception e) when (e is TrainingException or PhantomException or ShapeMismatchException or MetricInputException or MetricsException
                or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The demo's full method needs a classifier prior: "cam" or "saliency" (not "none").</summary>
    internal static MaskPrior DemoMaskPrior(string text)
    {
        MaskPrior p = GanOptions.ParseMaskPrior(text);
        return p == MaskPrior.None ? throw new TrainingException("--mask-prior none leaves the demo's full method without its mask prior; use cam or saliency.") : p;
    }

    private static void Say(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    public static int Run(DemoOptions o)
    {
        if (o.Size < PhantomOptions.MinSize || o.Size % 16 != 0) throw new TrainingException($"--size {o.Size} must be a multiple of 16 and at least {PhantomOptions.MinSize}.");
        if (o.Count < 40) throw new TrainingException($"--count {o.Count} is too small: the demo needs at least 40 patients for its splits.");
        if (o.EvalCount < 0) throw new TrainingException($"--eval-count {o.EvalCount} must be zero or positive.");
        if (o.LesionJudgeSteps < 1) throw new TrainingException($"--lesion-judge-steps {o.LesionJudgeSteps} must be positive.");
        if (o.Judges is < 1 or > MaxJudges) throw new TrainingException($"--judges {o.Judges} must be between 1 and {MaxJudges}.");
        if (!GanOptions.IsGeneratorAverageDecay(o.GeneratorAverage)) throw new TrainingException($"--generator-average {o.GeneratorAverage} must be 0 (off) or in (0, 1).");
        if (o.Ngf < 1) throw new TrainingException($"--ngf {o.Ngf} must be positive.");
        if (o.Ndf is < 1) throw new TrainingException($"--ndf {o.Ndf} must be positive.");
        if (!(o.LabelWeight >= 0)) throw new TrainingException($"--label-weight {o.LabelWeight} must be zero or positive.");
        if (!(o.OpacityNegatives >= 0)) throw new TrainingException($"--d-opacity-negatives {o.OpacityNegatives} must be zero or positive.");
        if (o.CdamClassifiers is < 1 or > MaxCdamClassifiers) throw new TrainingException($"--cdam-classifiers {o.CdamClassifiers} must be between 1 and {MaxCdamClassifiers}.");
        try { TrainingDevice.Require(o.Device); }
        catch (DeviceUnavailableException e) { throw new TrainingException(e.Message, e); }
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(o.Out);
        string models = Path.Combine(o.Out, "models");
        Directory.CreateDirectory(models);

        if (!o.Device.IsCpu) Say($"device {o.Device}: {CudaRuntime.Describe(o.Device)}");
        Say($"1/6 synthesising {o.Count} phantom patients at {o.Size} px, and {o.EvalCount} more for evaluation only");
        PhantomCase[] all = TrainingData.Synthesize(o.Count, o.Size, o.Seed);
        var train = all.Where(c => c.Split == Split.Train).ToList();
        var val = all.Where(c => c.Split == Split.Val).ToList();
        var test = all.Where(c => c.Split == Split.Test).ToList();
        // The evaluation-only patients follow the same generator (patients count, count + 1, ...), all held out.
        PhantomCase[] extra = o.EvalCount == 0 ? [] : TrainingData.Synthesize(o.EvalCount,
            new PhantomOptions { Size = o.Size, Seed = o.Seed, TrainFraction = 0, ValFraction = 0.5 }, first: o.Count);
        var evalVal = val.Concat(extra.Where(c => c.Split == Split.Val)).ToList();
        var evalTest = test.Concat(extra.Where(c => c.Split == Split.Test)).ToList();
        Say($"    {train.Count} train, {val.Count} validation, {test.Count} test patients; evaluation on {evalVal.Count} validation and {evalTest.Count} test patients");
        RequireBothDomains(evalVal, "validation", o);   // before minutes of training, not after: thresholds, FID and KID need both
        RequireBothDomains(evalTest, "test", o);

        // On the CPU the classifiers and the lung U-Net train two at a time, as the translators do below (each a
        // small training that keeps the second core only partly busy); every file is the same either way.
        int lanes = o.Device.IsCpu ? 2 : 1;
        Say($"2/6 training the CDAM classifiers ({o.CdamClassifiers} ResNets, frozen afterwards), the evaluation classifiers (plain CNNs, other seeds), the lesion-map judge" +
            (lanes > 1 ? " and the lung U-Net, two at a time on the cores" : ""));
        // Every classifier: width 8, the same steps, its own seed, saved under models/. CDAM members are ResNets of
        // seeds seed + 10 ...; the evaluation classifier (seed + 20) and the panel's further judges (seed + 21 ...,
        // for the called-opacity table and `opacity eval --judge`) are plain CNNs.
        var classifierJobs = Enumerable.Range(1, o.CdamClassifiers)
            .Select(m => new ClassifierJob(ClassifierKind.ResNet, o.Seed + 9 + (ulong)m, CdamClassifierRecord.DemoMemberFileName(m)))
            .Append(new ClassifierJob(ClassifierKind.Plain, o.Seed + 20, EvalInputs.ClassifierFile))
            .Concat(Enumerable.Range(2, o.Judges - 1).Select(j => new ClassifierJob(ClassifierKind.Plain, o.Seed + 19 + (ulong)j, EvalInputs.JudgeFile(j))))
            .ToList();
        var classifiers = new ClassifierTrainResult[classifierJobs.Count];
        SegmenterTrainResult? segResult = null;
        void TrainSegmenter()
        {
            segResult = SegmenterTrainer.Train(train, val, new SegmenterTrainOptions { Width = 8, Depth = 3, Steps = o.SegmenterSteps, Seed = o.Seed + 30, Device = o.Device });
            SegmenterTrainer.Save(segResult.Model, Path.Combine(models, EvalInputs.SegmenterFile), o.Size, o.Seed + 30, o.SegmenterSteps, segResult.Validation);
        }
        LesionMapTrainResult? lesionJudge = null;
        void TrainLesionJudge()
        {
            lesionJudge = LesionMapTrainer.Train(train, val, new LesionMapTrainOptions { Steps = o.LesionJudgeSteps, Seed = o.Seed + 40, Device = o.Device });
            LesionMapTrainer.Save(lesionJudge.Model, Path.Combine(models, EvalInputs.LesionJudgeFile), o.Size, o.Seed + 40, o.LesionJudgeSteps, lesionJudge.Validation);
        }
        var trainClassifiers = classifierJobs.Select((job, i) => (Action)(() =>
        {
            var r = ClassifierTrainer.Train(train, val, new ClassifierTrainOptions { Kind = job.Kind, Width = 8, Steps = o.ClassifierSteps, Seed = job.Seed, Device = o.Device });
            ClassifierCheckpoint.Save(r.Model, Path.Combine(models, job.File), o.Size, job.Seed, o.ClassifierSteps, r.Validation);
            classifiers[i] = r;
        })).ToList();
        RunSideBySide(lanes > 1 ? [TrainSegmenter, TrainLesionJudge, .. trainClassifiers] : [TrainLesionJudge, .. trainClassifiers], lanes);
        var members = classifiers.Take(o.CdamClassifiers).ToList();
        var cdam = new ClassifierEnsemble(members.Select(m => m.Model).ToList());
        var cdamValidation = new CdamValidation(members.Select(m => m.Validation).ToList(), ClassifierTrainer.Evaluate(cdam, val));
        var evalCls = classifiers[o.CdamClassifiers];
        var panel = classifiers.Skip(o.CdamClassifiers + 1).ToList();
        Say($"    validation AUC: CDAM {cdamValidation.Describe()}, evaluation {evalCls.Validation?.Auc:F3}" +
            (panel.Count == 0 ? "" : $", other judges {string.Join(", ", panel.Select(j => j.Validation?.Auc.ToString("F3", CultureInfo.InvariantCulture)))}") +
            $", lesion-map judge {lesionJudge!.Validation?.Auc:F3}");
        Say(lanes > 1 ? "3/6 the lung U-Net on clear images (trained beside the classifiers)" : "3/6 training the lung U-Net on clear images");
        if (lanes == 1) TrainSegmenter();
        var seg = segResult!;
        Say($"    validation lung IoU {seg.Validation?.MeanIoU:F3}");

        // The two translators train at the same time on the CPU: each step of a batch-1 64-px training keeps the second
        // core only about half busy (small convs, serial ops between them), and two independent trainings fill it.
        // Their results do not depend on it: every CPU kernel sums in an order fixed by the shapes, not by the core
        // count or the scheduling (TrainClassifierCommandTests' core-count test), so each translator is the same file
        // either way. On a GPU they run one after the other (one device, one stream each would only contend).
        var names = new[] { ("cyclegan", Ablation.CycleGan), ("full", Ablation.Full) };
        Say(o.Device.IsCpu
            ? $"4/6 training the translators, cyclegan and full ({o.GanSteps} steps each, side by side on the cores)"
            : $"4/6 training the translators, cyclegan then full ({o.GanSteps} steps each)");
        string TrainTranslator(string name, Ablation ablation)
        {
            var options = new GanOptions
            {
                Size = o.Size, Seed = o.Seed, Ablation = ablation, Ngf = o.Ngf, Ndf = o.DiscriminatorWidth, Blocks = o.Blocks,
                Generator = o.Generator, UNetDepth = DemoUNetDepth,
                ConstantSteps = o.GanSteps / 2, DecaySteps = o.GanSteps - o.GanSteps / 2, LearningRate = o.LearningRate,
                GeneratorAverageDecay = o.GeneratorAverage,
            };
            if (ablation == Ablation.Full) options = FullMethod(options, o.MaskPrior, o.OpacityNegatives, o.LabelWeight);
            // each run its own UnpairedData (its permutation cache is not shared between threads); batches are a pure
            // function of (seed, step), so both see what one shared instance would give
            var data = new UnpairedData(train.Where(c => c.Domain == Domain.Opacity).Select(c => c.Image).ToList(),
                train.Where(c => c.Domain == Domain.Clear).Select(c => c.Image).ToList(), o.Size, o.Seed);
            string dir = Path.Combine(o.Out, "translator-" + name);
            var trainer = new GanTrainer(options, new TrainerOptions { OutDir = dir, Steps = o.GanSteps, CheckpointEvery = o.GanSteps, SampleEvery = Math.Max(1, o.GanSteps / 2), Device = o.Device },
                data, ablation == Ablation.CycleGan ? null : cdam);
            long last = 0;
            trainer.Progress = p => { if (p.Step - last >= Math.Max(1, o.GanSteps / 5) || p.Step == p.TotalSteps) { last = p.Step; Say($"    {name}: step {p.Step}/{p.TotalSteps}, G {p.Losses.GetValueOrDefault("G"):F3}, {p.ImagesPerSecond:F1} img/s"); } };
            return trainer.Run(CancellationToken.None).CheckpointPath;
        }
        var checkpoints = new string[names.Length];
        RunSideBySide(names.Select((n, i) => (Action)(() => checkpoints[i] = TrainTranslator(n.Item1, n.Item2))).ToList(), lanes);
        var runs = names.Select((n, i) => (n.Item1, checkpoints[i])).ToDictionary(r => r.Item1, r => r.Item2);

        Say("5/6 evaluating on the test split (untranslated, CycleGAN, full method, paired truth)");
        var evaluation = new TranslationEvaluation(evalCls.Model, seg.Model, o.Size, evalVal, evalTest,
            judges: panel.Count == 0 ? null : panel.Select(j => j.Model).ToList(), lesionJudge: lesionJudge.Model);
        var rows = new List<MethodScores> { evaluation.Evaluate("untranslated", x => (x, null), residualDetection: false) };
        MethodScores? ideal = evaluation.EvaluateIdeal();
        var translators = runs.ToDictionary(kv => kv.Key, kv => Translator.Load(kv.Value, o.Device));
        try
        {
            rows.Add(evaluation.Evaluate("CycleGAN (ablation)", x => Translate(translators["cyclegan"], x, o.Size)));
            rows.Add(evaluation.Evaluate("full method", x => Translate(translators["full"], x, o.Size)));

            Say("6/6 writing the report");
            string report = DemoReport.Write(o, rows, ideal, evalTest, translators, cdamValidation, evalCls.Validation, seg.Validation, lesionJudge.Validation, clock.Elapsed);
            ScoreSummary.Print(rows, ideal);
            Say($"done in {clock.Elapsed.TotalMinutes:F1} min. Report: {Path.GetFullPath(report)}");
        }
        finally
        {
            foreach (var t in translators.Values) t.Dispose();
        }
        return 0;
    }

    private sealed record ClassifierJob(ClassifierKind Kind, ulong Seed, string File);

    /// <summary>Runs the jobs <paramref name="lanes"/> at a time on dedicated threads (1: in order on this thread).
    /// A failure surfaces as itself, as from a sequential run (the first one: a NaN loss, a full disk).</summary>
    private static void RunSideBySide(IReadOnlyList<Action> jobs, int lanes)
    {
        if (lanes <= 1)
        {
            foreach (var job in jobs) job();
            return;
        }
        int next = -1;
        var tasks = Enumerable.Range(0, Math.Min(lanes, jobs.Count)).Select(_ => Task.Factory.StartNew(() =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < jobs.Count;) jobs[i]();
        }, TaskCreationOptions.LongRunning)).ToArray();
        try { Task.WaitAll(tasks); }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void RequireBothDomains(List<PhantomCase> split, string name, DemoOptions o)
    {
        int opacity = split.Count(c => c.Domain == Domain.Opacity), clear = split.Count - opacity;
        if (opacity < 2 || clear < 2)
            throw new TrainingException($"The evaluation {name} split has {opacity} opacity and {clear} clear images; the evaluation needs at least 2 of each: raise --count ({o.Count}) or --eval-count ({o.EvalCount}).");
    }

    internal static (float[] Image, float[]? Mask) Translate(Translator t, float[] x, int size)
    {
        TranslationResult r = t.Translate(x, size, size);
        return (r.Image, r.Mask);
    }
}

/// <summary>Validation of the CDAM ensemble: each member's metrics and the ensemble's (mean logit).</summary>
internal sealed record CdamValidation(IReadOnlyList<ClassifierMetrics?> Members, ClassifierMetrics Ensemble)
{
    /// <summary>"0.838" for one member; "ensemble 0.861 (members 0.838, 0.824, 0.899)" for several.</summary>
    public string Describe()
    {
        string Auc(ClassifierMetrics? m) => m is null ? "n/a" : m.Auc.ToString("F3", CultureInfo.InvariantCulture);
        return Members.Count == 1 ? Auc(Members[0]) : $"ensemble {Auc(Ensemble)} (members {string.Join(", ", Members.Select(Auc))})";
    }
}
