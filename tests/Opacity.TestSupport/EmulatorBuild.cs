// Builds the CUDA host emulator (build/native/libopk_emu.so) with scripts/build-emulator.sh, which is
// make-like (a no-op when the library is newer than its sources), and returns the library's path. One
// place for DeviceFixture's "emulated-cuda" fixtures and the kernel tests' EmulatorSetup. A failed or
// missing build fails the calling test with the script's output: never a silent skip.
using System.Diagnostics;
using NUnit.Framework;

namespace Opacity.TestSupport;

public static class EmulatorBuild
{
    /// <summary>Longest wait for the script: a cold build of the emulator takes about a minute on 2 cores.</summary>
    private const int TimeoutMs = 180_000;

    /// <summary>Runs scripts/build-emulator.sh (at most once per process) and returns build/native/libopk_emu.so's path.</summary>
    public static string Library()
    {
        lock (Gate)
        {
            if (_library is not null) return _library;
            string script;
            try { script = RepoFiles.Find("scripts", "build-emulator.sh"); }
            catch (FileNotFoundException)
            {
                Assert.Fail("No scripts/build-emulator.sh above the test folder: the emulator tests run from the repository's build output.");
                throw;
            }
            var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeoutMs)) { process.Kill(); Assert.Fail($"{script} did not finish in {TimeoutMs / 1000} s."); }
            if (process.ExitCode != 0)
                Assert.Fail($"The CUDA host emulator could not be built (exit {process.ExitCode}); run `scripts/build-emulator.sh` " +
                            $"(needs clang++-14 or g++ >= 11).\n{stdout}{stderr.Result}");
            return _library = stdout.Trim().Split('\n')[^1];
        }
    }

    private static readonly object Gate = new();
    private static string? _library;
}
