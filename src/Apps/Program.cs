// The `opacity` command: the composition root. Each subcommand lives in Commands/<Name>Command.cs and
// exposes `public static Command Create()`; this file only lists them.
using System.CommandLine;
using Opacity.Cli.Commands;

namespace Opacity.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
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
        yield return SelfTestCommand.Create();
    }
}
