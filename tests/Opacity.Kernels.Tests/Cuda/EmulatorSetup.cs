// Builds (make-like, via TestSupport's EmulatorBuild) and loads the host emulator build/native/libopk_emu.so
// once for all emulator tests in this namespace. If it cannot be built, every emulator test FAILS with
// the script's output and the command to run: a missing emulator must never look like a pass or a skip.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[SetUpFixture]
public sealed class EmulatorSetup
{
    private static nint _handle;

    /// <summary>The built build/native/libopk_emu.so (for tests that open an EmulatedContext).</summary>
    public static string LibraryPath { get; private set; } = "";

    [OneTimeSetUp]
    public void BuildAndLoad()
    {
        string library = Opacity.TestSupport.EmulatorBuild.Library();
        LibraryPath = library;
        if (!NativeLibrary.TryLoad(library, out _handle))
            Assert.Fail($"{library} was built but cannot be loaded; rebuild it with scripts/build-emulator.sh.");
        NativeLibrary.SetDllImportResolver(typeof(EmulatorSetup).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name == EmulatorNative.Library ? _handle : 0;
}
