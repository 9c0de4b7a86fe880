using System.CommandLine;
using System.Text.Json;
using Opacity.Cli.SelfTest;
using Opacity.Tensors;
using Opacity.Tensors.Diagnostics;
using Spectre.Console;

namespace Opacity.Cli.Commands;

/// <summary><c>opacity selftest [--device cpu|cuda|cuda:N|emulated-cuda] [--json FILE] [--launches K] [--no-timing]</c>:
/// every op of the catalog on the device vs the CPU float64 reference, then quick kernel timings.
/// Exit code 0 all passed, 1 a check failed or the device is unavailable, 2 bad arguments.</summary>
public static class SelfTestCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public sealed record Report(string Device, string Description, int Passed, int Failed, IReadOnlyList<DeviceCheckResult> Ops,
        IReadOnlyList<KernelTiming> Timings, long PeakDeviceBytes);

    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N, or emulated-cuda (the host emulator, build/native/libopk_emu.so).", DefaultValueFactory = _ => "cuda" };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file." };
        var launches = new Option<int>("--launches") { Description = "Launches per timed kernel (one synchronisation after them).", DefaultValueFactory = _ => 20 };
        var noTiming = new Option<bool>("--no-timing") { Description = "Only the correctness checks." };
        var command = new Command("selftest", "Check every tensor op on a device against the CPU float64 reference, then time the kernels.")
        {
            device, json, launches, noTiming,
        };
        command.SetAction(r =>
        {
            string text = r.GetValue(device)!;
            int k = r.GetValue(launches);
            if (k < 1) { Console.Error.WriteLine($"--launches must be at least 1, got {k}."); return 2; }
            Device dev;
            string description;
            if (text.Trim().Equals("emulated-cuda", StringComparison.OrdinalIgnoreCase))
            {
                if (!CudaRuntime.TryUseEmulator(out string why)) { Console.Error.WriteLine(why); return 1; }
                dev = Device.Cuda;
            }
            else
            {
                try { dev = Device.Parse(text); }
                catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }
            }
            if (!dev.IsCpu)
            {
                if (!CudaRuntime.IsAvailable(out string reason, dev.Index)) { Console.Error.WriteLine($"selftest --device {text}: {reason}"); return 1; }
                description = CudaRuntime.Describe(dev);
            }
            else description = $"CPU ({Environment.ProcessorCount} cores)";
            AnsiConsole.MarkupLine($"[bold]selftest[/] on {Markup.Escape(dev.ToString())}: {Markup.Escape(description)}");

            var ops = new List<DeviceCheckResult>();
            foreach (OpCase op in OpCatalog.All()) ops.Add(DeviceCheck.Run(op, dev));
            var table = new Table().AddColumns("op", "result", "max |err|", "ms", "detail");
            foreach (DeviceCheckResult o in ops)
                table.AddRow(Markup.Escape(o.Op), o.Passed ? "[green]pass[/]" : "[red]FAIL[/]", o.MaxAbsError.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                    o.Milliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(o.Detail));
            AnsiConsole.Write(table);

            IReadOnlyList<KernelTiming> timings = [];
            if (!r.GetValue(noTiming))
            {
                bool small = dev.IsCpu || CudaRuntime.IsEmulated;
                if (small) AnsiConsole.MarkupLine("[grey]timings use 1/64 of the GPU sizes on the CPU / emulator; they say nothing about a GPU[/]");
                timings = KernelTimings.Run(dev, small ? Math.Min(k, 3) : k, small);
                var t = new Table().AddColumns("kernel family", "kernel", "ms / launch", "rate");
                foreach (KernelTiming x in timings)
                    t.AddRow(Markup.Escape(x.Name), Markup.Escape(x.Kernel), x.Milliseconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture),
                        $"{x.Rate.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} {x.Unit}");
                AnsiConsole.Write(t);
            }

            int failed = ops.Count(o => !o.Passed);
            long peak = dev.IsCpu ? 0 : CudaRuntime.Allocator(dev).PeakBytes;
            var report = new Report(dev.ToString() + (CudaRuntime.IsEmulated && !dev.IsCpu ? " (emulated)" : ""), description, ops.Count - failed, failed, ops, timings, peak);
            if (r.GetValue(json) is { } path) File.WriteAllText(path, JsonSerializer.Serialize(report, Indented));
            AnsiConsole.MarkupLine(failed == 0 ? $"[green]{ops.Count} ops passed[/]" : $"[red]{failed} of {ops.Count} ops failed[/]");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
