// The per-op timing table that `opacity bench --profile` and `opacity train --profile-steps` print from the
// Profiler's snapshot: one row per op and direction (".fwd" / ".bwd"), heaviest first, with its share of all
// timed op time and its time per run (per training step, or per workload run).
using Opacity.Tensors;
using Spectre.Console;

namespace Opacity.Cli.Commands;

internal static class ProfileTable
{
    /// <summary>Prints the Profiler's timings, gathered over <paramref name="runs"/> runs, under <paramref name="title"/>.</summary>
    public static void Print(string title, int runs)
    {
        var timings = Profiler.Snapshot();
        double total = timings.Sum(t => t.TotalMs);
        var table = new Table().Title(Markup.Escape(title))
            .AddColumns("op", "% of op time", "count", "total ms", "ms per run", "min ms", "mean ms", "max ms");
        foreach (var t in timings)
            table.AddRow(t.Name, $"{100 * t.TotalMs / total:F1}", $"{t.Count}", $"{t.TotalMs:F2}", $"{t.TotalMs / runs:F3}",
                $"{t.MinMs:F3}", $"{t.MeanMs:F3}", $"{t.MaxMs:F3}");
        // A console over Console.Out as it is now (AnsiConsole.Console keeps the stream it found at start-up), so
        // redirected output, a file or a test's capture, gets the table too (and, having no terminal width, a wide one).
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 160;
        console.Write(table);
    }
}
