// The device fixtures of STYLE.md G9: routes Device.Cuda to the real GPU ("cuda": Assert.Ignore with the
// reason where there is none) or to the host emulator ("emulated-cuda": builds build/native/libopk_emu.so
// with scripts/build-emulator.sh, make-like; a failed build fails the fixture, never a silent skip).
using System.Diagnostics;
using NUnit.Framework;
using Opacity.Tensors;

namespace Opacity.TestSupport;

public static class DeviceFixture
{
    public static void Select(string device)
    {
        if (device == "cuda")
        {
            CudaRuntime.UseHardware();
            if (!CudaRuntime.IsAvailable(out string reason)) Assert.Ignore($"no CUDA device: {reason}");
            return;
        }
        string library = BuildEmulator();
        if (!CudaRuntime.TryUseEmulator(out string why, library)) Assert.Fail(why);
    }

    /// <summary>scripts/build-emulator.sh is make-like; a missing compiler fails the fixture (never a silent skip).</summary>
    private static string BuildEmulator()
    {
        string? root = null;
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir != null && root is null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "build-emulator.sh"))) root = dir.FullName;
        if (root is null) Assert.Fail("No scripts/build-emulator.sh above the test folder: the emulated-cuda fixture runs from the repository's build output.");
        var psi = new ProcessStartInfo("bash", [Path.Combine(root!, "scripts", "build-emulator.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) Assert.Fail($"scripts/build-emulator.sh failed (exit {process.ExitCode}):\n{stdout}{stderr.Result}");
        return stdout.Trim().Split('\n')[^1];
    }
}
