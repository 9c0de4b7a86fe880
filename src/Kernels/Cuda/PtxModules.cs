// The PTX files embedded in Opacity.Kernels (kernels/ptx/*.ptx, built from kernels/cu by
// scripts/build-ptx.sh and verified by scripts/check-ptx.sh). One CUDA module per file.
using System.Reflection;
using System.Text;

namespace Opacity.Kernels.Cuda;

public static class PtxModules
{
    private const string Prefix = "Opacity.Kernels.Ptx.";
    private static readonly Assembly Owner = typeof(PtxModules).Assembly;

    /// <summary>Module names (file names without .ptx), sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Owner.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".ptx", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^4]).Order(StringComparer.Ordinal)];

    public static string Text(string module) => Encoding.UTF8.GetString(Bytes(module, nulTerminated: false));

    /// <summary>The PTX image; <c>cuModuleLoadDataEx</c> needs it NUL-terminated.</summary>
    public static byte[] Bytes(string module, bool nulTerminated = true)
    {
        using Stream stream = Owner.GetManifestResourceStream(Prefix + module + ".ptx")
            ?? throw new ArgumentException($"No embedded PTX module '{module}'; the modules are: {string.Join(", ", Names)}.", nameof(module));
        var bytes = new byte[stream.Length + (nulTerminated ? 1 : 0)];
        stream.ReadExactly(bytes, 0, (int)stream.Length);
        return bytes;
    }
}
