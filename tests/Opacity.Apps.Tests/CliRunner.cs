// Runs `opacity` in-process with its standard output and error captured, for the command tests.
using Opacity.Cli;

namespace Opacity.Apps.Tests;

internal static class CliRunner
{
    /// <summary>Exit code, standard output and standard error of <c>opacity args...</c>.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var o = new StringWriter();
        var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try { return (Program.Main(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
