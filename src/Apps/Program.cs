// The `opacity` command: the composition root. Each subcommand lives in Commands/<Name>Command.cs and
// exposes `public static Command Create()`; this file only lists them.
using System.CommandLine;
using Opacity.Cli.Commands;

namespace Opacity.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Redirected output (CI logs, files) gets wide tables instead of Spectre's 80-column default.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
        var root = new RootCommand("Opacity.Native: unpaired chest X-ray translation (opacity -> clear) on its own tensor engine.");
        foreach (Command command in AllCommands())
            root.Subcommands.Add(command);
        return root.Parse(args).Invoke();
    }

    internal static IEnumerable<Command> AllCommands()
    {
        yield return VersionCommand.Create();
        yield return BenchCommand.Create();
        yield return InspectCommand.Create();
        yield return SynthCommand.Create();
        yield return FidKidCommand.Create();
        yield return TrainCommand.Create();
        yield return TranslateCommand.Create();
        yield return TrainClassifierCommand.Create();
        yield return TrainSegmenterCommand.Create();
        yield return EvalCommand.Create();
        yield return DemoCommand.Create();
        yield return SelfTestCommand.Create();
    }
}
