// Builds (make-like, via scripts/build-emulator.sh) and loads the host emulator build/native/libopk_emu.so
// once for all emulator tests in this namespace. If it cannot be built, every emulator test FAILS with
// the script's output and the command to run: a missing emulator must never look like a pass or a skip.
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[SetUpFixture]
public sealed class EmulatorSetup
{
    private static nint _handle;

    public static string RepoRoot { get; private set; } = "";

    /// <summary>The built build/native/libopk_emu.so (for tests that open an EmulatedContext).</summary>
    public static string LibraryPath { get; private set; } = "";

    [OneTimeSetUp]
    public void BuildAndLoad()
    {
        RepoRoot = FindRepoRoot();
        string script = Path.Combine(RepoRoot, "scripts", "build-emulator.sh");
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(180_000)) { process.Kill(); Assert.Fail($"{script} did not finish in 180 s."); }
        if (process.ExitCode != 0)
            Assert.Fail($"The CUDA host emulator could not be built (exit {process.ExitCode}); run `scripts/build-emulator.sh` " +
                        $"in {RepoRoot} (needs clang++-14 or g++ >= 11).\n{stdout}{stderr.Result}");
        string library = stdout.Trim().Split('\n')[^1];
        LibraryPath = library;
        if (!NativeLibrary.TryLoad(library, out _handle))
            Assert.Fail($"{library} was built but cannot be loaded; rebuild it with scripts/build-emulator.sh.");
        NativeLibrary.SetDllImportResolver(typeof(EmulatorSetup).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name == EmulatorNative.Library ? _handle : 0;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "build-emulator.sh"))) return dir.FullName;
        throw new InvalidOperationException(
            $"No scripts/build-emulator.sh above {TestContext.CurrentContext.TestDirectory}: the emulator tests run from the repository's build output.");
    }
}
