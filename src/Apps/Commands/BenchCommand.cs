using System.CommandLine;
using System.Text.Json;
using Opacity.Cli.Bench;
using Opacity.Tensors;
using Spectre.Console;

namespace Opacity.Cli.Commands;

/// <summary><c>opacity bench [--device cpu|cuda|cuda:N] [--vs-pytorch] [--json FILE] [--reps N] [--only NAME] [--memory] [--profile]</c>.</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var vsTorch = new Option<bool>("--vs-pytorch") { Description = "Also run the same workloads in PyTorch (Debian python3-torch) in this run and print ratios." };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file ('-' for standard output)." };
        var reps = new Option<int>("--reps") { Description = "Timed repetitions per workload (after a warm-up until the JIT has optimised it; PyTorch: 2 warm-ups); the median is reported.", DefaultValueFactory = _ => 7 };
        var only = new Option<string?>("--only") { Description = "Run one workload by name." };
        var memory = new Option<bool>("--memory") { Description = "Also measure each side's peak memory per workload, each in a fresh process." };
        var profile = new Option<bool>("--profile") { Description = "Print the per-op timing breakdown (forward and backward) of each workload (on a GPU each op waits for the device, so its time is the device's)." };
        var python = new Option<string>("--python") { Description = "Python interpreter with torch.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var memoryChild = new Option<bool>("--memory-child") { Hidden = true };
        var device = new Option<string>("--device") { Description = "Where both sides run: cpu (2 threads each) or cuda / cuda:N (then PyTorch runs on that GPU too, TF32 off).", DefaultValueFactory = _ => "cpu" };
        var command = new Command("bench", "Time the anchor workloads (sgemm, conv, GAN step) in our engine, optionally side by side with PyTorch.")
        {
            vsTorch, json, reps, only, memory, profile, python, memoryChild, device,
        };
        command.SetAction(r =>
        {
            int n = r.GetValue(reps);
            if (n < 1) { Console.Error.WriteLine($"--reps must be at least 1, got {n}."); return 2; }
            string? name = r.GetValue(only);
            var workloads = AnchorWorkloads.All.Where(w => name is null || w.Name == name).ToList();
            if (workloads.Count == 0)
            {
                Console.Error.WriteLine($"Unknown workload '{name}'; known: {string.Join(", ", AnchorWorkloads.All.Select(w => w.Name))}.");
                return 2;
            }
            Device dev;
            try { dev = Device.Parse(r.GetValue(device)!); }
            catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }
            if (!dev.IsCpu && !CudaRuntime.IsAvailable(out string why, dev.Index)) { Console.Error.WriteLine($"Cannot bench on {dev}: {why}"); return 1; }
            if (!dev.IsCpu && r.GetValue(memory)) { Console.Error.WriteLine("--memory measures host memory (peak RSS); it is for --device cpu."); return 2; }
            if (r.GetValue(memoryChild))
            {
                Action run = workloads[0].Build(dev);
                SideBySide.TimeMedianMs(run, n);
                Console.WriteLine($"peak_rss_mib={SideBySide.PeakRssMiB().ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return 0;
            }

            var ours = new Dictionary<string, double>();
            foreach (Workload w in workloads)
            {
                Action run = w.Build(dev);
                if (r.GetValue(profile))
                {
                    SideBySide.TimeMedianMs(run, 1);
                    Profiler.Reset(); Profiler.Enabled = true; Profiler.SynchronizeDevice = dev;
                    run();
                    Profiler.Enabled = false; Profiler.SynchronizeDevice = null;
                    ProfileTable.Print($"per-op time of one {w.Name} run", 1);
                }
                ours[w.Name] = SideBySide.TimeMedianMs(run, n);
                Console.Error.WriteLine($"ours  {w.Name}: {ours[w.Name]:F2} ms");
            }

            var torch = new Dictionary<string, SideBySide.TorchLine>();
            if (r.GetValue(vsTorch))
            {
                string? script = SideBySide.FindTorchScript();
                if (script is null) { Console.Error.WriteLine("Cannot find bench/pytorch/anchor_workloads.py above the working directory; run from the repository."); return 2; }
                try { foreach (var line in SideBySide.RunTorch(r.GetValue(python)!, script, 2, n, name, dev)) torch[line.name] = line; }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    Console.Error.WriteLine(e.Message + " (install Debian's python3-torch, or pass --python)");
                    return 1;
                }
            }

            var results = new List<WorkloadResult>();
            foreach (Workload w in workloads)
            {
                double? oursPeak = null, torchPeak = null;
                if (r.GetValue(memory))
                {
                    oursPeak = SideBySide.OursPeakInChild(w.Name, n);
                    if (r.GetValue(vsTorch) && SideBySide.FindTorchScript() is { } s)
                        torchPeak = SideBySide.RunTorch(r.GetValue(python)!, s, 2, n, w.Name).FirstOrDefault()?.peak_rss_mib;
                }
                results.Add(new WorkloadResult(w.Name, ours[w.Name], torch.TryGetValue(w.Name, out var t) ? t.median_ms : null, oursPeak, torchPeak, w.Flops));
            }
            Print(results);
            if (r.GetValue(json) is { } path)
            {
                var doc = new
                {
                    machine = new { cpu = CpuName(), cores = Environment.ProcessorCount, dotnet = Environment.Version.ToString(), device = dev.IsCpu ? "cpu" : CudaRuntime.Describe(dev) },
                    date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    reps = n,
                    workloads = results.Select(x => new { name = x.Name, ours_ms = x.OursMs, pytorch_ms = x.TorchMs, ratio = x.Ratio, ours_gflops = x.OursGflops, ours_peak_mib = x.OursPeakMiB, pytorch_peak_mib = x.TorchPeakMiB }),
                };
                string text = JsonSerializer.Serialize(doc, Indented);
                if (path == "-") Console.WriteLine(text); else File.WriteAllText(path, text);
            }
            return 0;
        });
        return command;
    }

    private static void Print(List<WorkloadResult> results)
    {
        var table = new Table().AddColumns("workload", "ours ms", "PyTorch ms", "PyTorch/ours", "ours GFLOP/s", "ours peak MiB", "PyTorch peak MiB");
        foreach (var x in results)
            table.AddRow(x.Name, $"{x.OursMs:F2}", x.TorchMs is { } t ? $"{t:F2}" : "-", x.Ratio is { } q ? $"{q:F2}x" : "-",
                x.OursGflops is { } g ? $"{g:F1}" : "-", x.OursPeakMiB is { } a ? $"{a:F0}" : "-", x.TorchPeakMiB is { } b ? $"{b:F0}" : "-");
        AnsiConsole.Write(table);
    }

    internal static string CpuName()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return "unknown CPU";
    }
}
