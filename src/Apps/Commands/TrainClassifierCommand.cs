// `opacity train-classifier (--data DIR | --synth N) [--size PX] --steps N --seed S --out FILE
//  [--kind resnet|plain|lesion-map] [--width W] [--batch B] [--lr LR] [--device cpu|cuda|cuda:N]`: trains the opacity
// classifier (CDAM's frozen classifier, or with another kind and seed the evaluation classifier) on the train split,
// or with --kind lesion-map the lesion-map judge of `opacity eval --lesion-judge` (a U-Net on the true opacity masks,
// LesionMapTrainer); reports the val split, writes a safetensors checkpoint with metadata. Bad input: one sentence,
// exit 1. Tested by TrainCommandTests.
using System.CommandLine;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

public static class TrainClassifierCommand
{
    public static Command Create()
    {
        var data = new TrainingDataOptions();
        var kind = new Option<string>("--kind") { Description = "Architecture: resnet or plain (opacity classifiers), or lesion-map (an evaluation U-Net trained on the true opacity masks).", DefaultValueFactory = _ => "resnet" };
        var width = new Option<int?>("--width") { Description = "Channels of the first stage (default 16; lesion-map 8)." };
        var batch = new Option<int?>("--batch") { Description = "Mini-batch size (default 16; lesion-map 8)." };
        var command = new Command("train-classifier", "Train the opacity classifier (opacity vs clear) on phantoms and save it as safetensors.");
        data.AddTo(command);
        command.Options.Add(kind);
        command.Options.Add(width);
        command.Options.Add(batch);
        command.SetAction(parse => TrainingRunner.Guard(() =>
        {
            Device device = DeviceOption.Resolve(parse.GetValue(data.Device));
            string kindText = parse.GetValue(kind) ?? "";
            if (kindText.Equals("lesion-map", StringComparison.OrdinalIgnoreCase))
                return TrainLesionMap(parse, data, parse.GetValue(width) ?? 8, parse.GetValue(batch) ?? 8, device);
            var k = ClassifierCheckpoint.ParseKind(kindText, "--kind");
            int w = parse.GetValue(width) ?? 16;
            if (w < 1) throw new TrainingException($"--width {w} must be positive.");
            var (train, val, source) = data.Load(parse, ClassifierTrainer.CheckSize);
            TrainingData.RequireBothDomains(train, $"The train split of {source}");
            var options = new ClassifierTrainOptions
            {
                Kind = k, Width = w, Steps = parse.GetValue(data.Steps), BatchSize = parse.GetValue(batch) ?? 16,
                LearningRate = parse.GetValue(data.Lr), Seed = parse.GetValue(data.Seed), Device = device,
            };
            ClassifierTrainResult r = TrainingRunner.WithProgress("classifier", options.Steps, p => ClassifierTrainer.Train(train, val, options, p));
            string outPath = parse.GetValue(data.Out)!;
            ClassifierCheckpoint.Save(r.Model, outPath, train[0].Size, options.Seed, options.Steps, r.Validation);
            string valText = ValText(r.Validation);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained a {parse.GetValue(kind)} classifier (width {w}) on {train.Count} train images ({train.Count(c => c.Domain == Domain.Opacity)} opacity) of {source}, {options.Steps} steps at {r.SecondsPerStep * 1000:F0} ms/step; {valText}. Saved {Path.GetFullPath(outPath)}."));
            return 0;
        }));
        return command;
    }

    private static int TrainLesionMap(ParseResult parse, TrainingDataOptions data, int width, int batch, Device device)
    {
        if (width < 1) throw new TrainingException($"--width {width} must be positive.");
        const int depth = 3;
        var (train, val, source) = data.Load(parse, size => SegmenterTrainer.CheckSize(size, depth));
        TrainingData.RequireBothDomains(train, $"The train split of {source}");
        var options = new LesionMapTrainOptions
        {
            Width = width, Depth = depth, Steps = parse.GetValue(data.Steps), BatchSize = batch,
            LearningRate = parse.GetValue(data.Lr), Seed = parse.GetValue(data.Seed), Device = device,
        };
        LesionMapTrainResult r = TrainingRunner.WithProgress("lesion-map judge", options.Steps, p => LesionMapTrainer.Train(train, val, options, p));
        string outPath = parse.GetValue(data.Out)!;
        LesionMapTrainer.Save(r.Model, outPath, train[0].Size, options.Seed, options.Steps, r.Validation);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Trained a lesion-map judge (width {width}, depth {depth}) on {train.Count} train images ({train.Count(c => c.Domain == Domain.Opacity)} opacity) of {source}, {options.Steps} steps at {r.SecondsPerStep * 1000:F0} ms/step; {ValText(r.Validation)}. Saved {Path.GetFullPath(outPath)}."));
        return 0;
    }

    private static string ValText(ClassifierMetrics? v) => v is { } m
        ? string.Create(CultureInfo.InvariantCulture, $"val ({m.Count} images): accuracy {m.Accuracy:F3}, AUC {m.Auc:F3}, sensitivity {m.Sensitivity:F3}, specificity {m.Specificity:F3}")
        : "no val-split images, not validated";
}
