using System.CommandLine;
using System.Runtime.Intrinsics;

namespace Opacity.Cli.Commands;

/// <summary><c>opacity version</c>: the build and what the CPU offers (vector widths decide the kernels).</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version, runtime and CPU vector support.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"opacity {typeof(VersionCommand).Assembly.GetName().Version} on .NET {Environment.Version}");
            Console.WriteLine($"cores: {Environment.ProcessorCount}; Vector512: {Vector512.IsHardwareAccelerated}; Vector256: {Vector256.IsHardwareAccelerated}");
            return 0;
        });
        return command;
    }
}
