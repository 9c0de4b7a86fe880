// `opacity train-segmenter (--data DIR | --synth N) [--size PX] --steps N --seed S --out FILE
//  [--width W] [--depth D] [--batch B] [--lr LR] [--device cpu|cuda|cuda:N]`: trains the U-Net lung segmenter on the clear images of
// the train split (METHOD.md), reports mean foreground IoU/Dice on the clear val images next to the
// all-lung and majority-mask baselines, and writes a safetensors checkpoint. Bad input: one sentence,
// exit 1. Tested by TrainCommandTests.
using System.CommandLine;
using System.Globalization;
using Opacity.Gan.Data.Phantoms;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

public static class TrainSegmenterCommand
{
    public static Command Create()
    {
        var data = new TrainingDataOptions();
        var width = new Option<int>("--width") { Description = "Channels of the first U-Net level.", DefaultValueFactory = _ => 16 };
        var depth = new Option<int>("--depth") { Description = "U-Net depth (number of 2x downsamplings), 1..6.", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 8 };
        var command = new Command("train-segmenter", "Train the U-Net lung segmenter on clear phantoms and save it as safetensors.");
        data.AddTo(command);
        command.Options.Add(width);
        command.Options.Add(depth);
        command.Options.Add(batch);
        command.SetAction(parse => TrainingRunner.Guard(() =>
        {
            Device device = DeviceOption.Resolve(parse.GetValue(data.Device));
            int w = parse.GetValue(width), d = parse.GetValue(depth);
            if (w < 1) throw new TrainingException($"--width {w} must be positive.");
            if (d < 1 || d > 6) throw new TrainingException($"--depth {d} must be 1..6.");
            var (train, val, source) = data.Load(parse, s => SegmenterTrainer.CheckSize(s, d));
            var options = new SegmenterTrainOptions
            {
                Width = w, Depth = d, Steps = parse.GetValue(data.Steps), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(data.Lr), Seed = parse.GetValue(data.Seed), Device = device,
            };
            SegmenterTrainResult r = TrainingRunner.WithProgress("segmenter", options.Steps, p => SegmenterTrainer.Train(train, val, options, p));
            string outPath = parse.GetValue(data.Out)!;
            SegmenterTrainer.Save(r.Model, outPath, train[0].Size, options.Seed, options.Steps, r.Validation);
            var trainClear = train.Where(c => c.Domain == Domain.Clear).ToList();
            var valClear = val.Where(c => c.Domain == Domain.Clear).ToList();
            string valText = "no clear val-split images, not validated";
            if (r.Validation is { } m)
            {
                var (all, prior) = SegmenterTrainer.BaselineIoU(valClear, trainClear);
                valText = string.Create(CultureInfo.InvariantCulture, $"clear val ({m.Count} images): mean IoU {m.MeanIoU:F3}, Dice {m.MeanDice:F3} (baselines: all-lung IoU {all:F3}, majority mask {prior:F3})");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Trained a U-Net lung segmenter (width {w}, depth {d}) on {trainClear.Count} clear train images of {source}, {options.Steps} steps at {r.SecondsPerStep * 1000:F0} ms/step; {valText}. Saved {Path.GetFullPath(outPath)}."));
            return 0;
        }));
        return command;
    }
}
