// P/Invoke surface of the host emulator (kernels/emu/opk_emu.cpp) and an IKernelLauncher over it, so
// the C# launchers in src/Kernels/Cuda run unchanged against the emulated kernels: same kernel names,
// same grid/block, same packed arguments (device pointers are addresses of pinned host arrays).
using System.Runtime.InteropServices;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

internal static unsafe partial class EmulatorNative
{
    public const string Library = "opk_emu";

    [LibraryImport(Library, EntryPoint = "opk_emu_launch", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Launch(string name, uint gx, uint gy, uint gz, uint bx, uint by, uint bz, uint sharedBytes, void** args);

    [LibraryImport(Library, EntryPoint = "opk_emu_last_error")]
    public static partial nint LastError();

    /// <summary>0: fibers (default), 1: one OS thread per CUDA thread. Returns the previous mode.</summary>
    [LibraryImport(Library, EntryPoint = "opk_emu_set_mode")]
    public static partial int SetMode(int mode);

    [LibraryImport(Library, EntryPoint = "opk_emu_kernel_count")]
    public static partial int KernelCount();

    [LibraryImport(Library, EntryPoint = "opk_emu_kernel_name")]
    public static partial nint KernelName(int index);

    public static IReadOnlyList<string> KernelNames()
        => [.. Enumerable.Range(0, KernelCount()).Select(i => Marshal.PtrToStringUTF8(KernelName(i))!)];
}

internal sealed class EmulatorLauncher : IKernelLauncher
{
    public static readonly EmulatorLauncher Instance = new();

    public int Launches { get; private set; }

    public unsafe void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args)
    {
        int rc = EmulatorNative.Launch(kernel.Name, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedBytes, args.Bind());
        if (rc != 0) throw new InvalidOperationException($"emulator launch of {kernel.Name} failed ({rc}): {Marshal.PtrToStringUTF8(EmulatorNative.LastError())}");
        Launches++;
    }
}
