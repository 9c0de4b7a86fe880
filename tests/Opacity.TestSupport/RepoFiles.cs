// Finds files of the repository (fixtures, scripts, benchmark sources) from a test's output folder by
// walking up to the first ancestor that has the relative path. One place, so that every test project
// resolves "tests/fixtures/..." the same way.
using NUnit.Framework;

namespace Opacity.TestSupport;

public static class RepoFiles
{
    /// <summary>The absolute path of <paramref name="relative"/> (a file or folder, e.g. "tests", "fixtures",
    /// "readers") under the nearest ancestor of the test folder that has it; throws FileNotFoundException otherwise.</summary>
    public static string Find(params string[] relative)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine([dir.FullName, .. relative]);
            if (File.Exists(path) || Directory.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{string.Join('/', relative)} was not found above the test folder {TestContext.CurrentContext.TestDirectory}.");
    }
}
