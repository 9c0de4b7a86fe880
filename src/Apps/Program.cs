// The `opacity` command: composition root. Commands are added in Commands/.
namespace Opacity.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("opacity: commands are being built; see README.md");
        return args.Length == 0 ? 0 : 1;
    }
}
