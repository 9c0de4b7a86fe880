// Times the anchor workloads in our engine and in PyTorch in the same run, on the same machine, and
// reports per workload: ours ms, PyTorch ms, throughput ratio (PyTorch time / our time; > 1 means we
// are faster) and, when asked, peak memory of each side measured in separate child processes
// (so one workload's buffers do not count against another).
using System.Diagnostics;
using System.Text.Json;
using Opacity.Tensors;

namespace Opacity.Cli.Bench;

public sealed record WorkloadResult(string Name, double OursMs, double? TorchMs, double? OursPeakMiB, double? TorchPeakMiB, double Flops)
{
    public double? Ratio => TorchMs / OursMs;
    public double? OursGflops => Flops > 0 ? Flops / OursMs / 1e6 : null;
}

public static class SideBySide
{
    /// <summary>The median of <paramref name="reps"/> timed runs after <see cref="WarmUp"/>.</summary>
    public static double TimeMedianMs(Action run, int reps)
    {
        WarmUp(run);
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(times);
        return reps % 2 == 1 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    }

    /// <summary>Runs the workload until the JIT has optimised it. .NET compiles a method unoptimised first (tier 0)
    /// and recompiles it after 30 calls, in the background; with 2 warm-up runs (what PyTorch's side does, having
    /// no JIT) 20-25 % of a GAN step was still timed on tier-0 code (gan_step 290-310 ms, 236-240 ms with tiering
    /// off; session 11, bench/results/intel-xeon-2core/conv_dw_pack.md). So: 32 runs (at most 20 s), then runs
    /// until one, with a pause for the background compiler, compiles no new method (at most 10 more).</summary>
    public static void WarmUp(Action run)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 32 && Stopwatch.GetElapsedTime(t0).TotalSeconds < 20; i++) run();
        for (int i = 0; i < 10; i++)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            run();
            Thread.Sleep(200);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() == compiled) break;
        }
    }

    /// <summary>Peak resident memory of this process (VmHWM on Linux), MiB.</summary>
    public static double PeakRssMiB()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    public sealed record TorchLine(string name, double median_ms, int reps, double peak_rss_mib);

    /// <summary>Runs the PyTorch script; returns its per-workload lines, or throws with its stderr.</summary>
    public static List<TorchLine> RunTorch(string python, string script, int threads, int reps, string? only, Device? device = null)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { script, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reps", reps.ToString(System.Globalization.CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        if (device is { IsCpu: false } d) { psi.ArgumentList.Add("--device"); psi.ArgumentList.Add($"cuda:{d.Index}"); }
        if (only is not null) { psi.ArgumentList.Add("--only"); psi.ArgumentList.Add(only); }
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {python}.");
        Task<string> err = p.StandardError.ReadToEndAsync();
        var lines = new List<TorchLine>();
        while (p.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith('{')) lines.Add(JsonSerializer.Deserialize<TorchLine>(line)!);
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"The PyTorch side ({python} {script}) failed with exit code {p.ExitCode}: {err.Result.Trim().Split('\n').LastOrDefault()}");
        return lines;
    }

    /// <summary>Runs `opacity bench --only NAME --reps R --memory-child` in a fresh process and returns its peak RSS.</summary>
    public static double? OursPeakInChild(string name, int reps)
    {
        string? exe = Environment.ProcessPath;
        if (exe is null) return null;
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        string? dll = typeof(SideBySide).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet" && !string.IsNullOrEmpty(dll)) psi.ArgumentList.Add(dll);
        foreach (string a in new[] { "bench", "--only", name, "--reps", reps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory-child" }) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        foreach (string line in output.Split('\n'))
            if (line.StartsWith("peak_rss_mib=", StringComparison.Ordinal) && double.TryParse(line.AsSpan(13), System.Globalization.CultureInfo.InvariantCulture, out double v))
                return v;
        return null;
    }

    /// <summary>Finds bench/pytorch/anchor_workloads.py from the working directory or the executable upwards.</summary>
    public static string? FindTorchScript()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "bench", "pytorch", "anchor_workloads.py");
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
