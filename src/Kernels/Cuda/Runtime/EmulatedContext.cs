// GpuContext on the host emulator (kernels/emu, build/native/libopk_emu.so): "device" memory is
// 64-byte aligned native host memory, launches go to opk_emu_launch (the same PTX-source kernels
// compiled for the host), copies are memcpy. There is no cuBLAS here: GEMM runs the hand kernel
// opk_gemm_fwd_v1, and Description says so. Used by the "emulated-cuda" test fixtures and by
// `opacity selftest --device emulated-cuda`; never picked silently for Device.Cuda.
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cuda.Runtime;

public sealed class EmulatedContext : GpuContext
{
    private readonly EmulatorLauncher _launcher;

    private EmulatedContext(EmulatorLauncher launcher) => _launcher = launcher;

    /// <summary>Loads the emulator library at <paramref name="libraryPath"/>, or returns null with the reason.</summary>
    public static EmulatedContext? TryOpen(string libraryPath, out string reason)
    {
        EmulatorLauncher? launcher = EmulatorLauncher.TryLoad(libraryPath, out reason);
        return launcher is null ? null : new EmulatedContext(launcher);
    }

    public override bool IsEmulated => true;

    public override string Description => "emulated CUDA device (host memory, libopk_emu kernels; GEMM: hand kernel instead of cuBLAS; conv: hand kernels)";

    public override IKernelLauncher Launcher => _launcher;

    public override nint StreamHandle => 0;

    /// <summary>Launches so far (for tests).</summary>
    public long Launches => _launcher.Launches;

    protected internal override unsafe ulong RawAllocate(long bytes) => (ulong)NativeMemory.AlignedAlloc((nuint)bytes, 64);

    protected internal override unsafe void RawFree(ulong pointer) => NativeMemory.AlignedFree((void*)pointer);

    public override unsafe void CopyToDevice(ulong dst, void* src, long bytes) => Buffer.MemoryCopy(src, (void*)dst, bytes, bytes);

    public override unsafe void CopyToHost(void* dst, ulong src, long bytes) => Buffer.MemoryCopy((void*)src, dst, bytes, bytes);

    public override unsafe void CopyOnDevice(ulong dst, ulong src, long bytes) => Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);

    public override unsafe void Memset32(ulong dst, uint value, long words) => new Span<uint>((void*)dst, checked((int)words)).Fill(value);

    public override void Synchronize() { }
}

/// <summary>IKernelLauncher over opk_emu_launch, bound by function pointer from an explicit library path.</summary>
internal sealed unsafe class EmulatorLauncher : IKernelLauncher
{
    private readonly delegate* unmanaged<byte*, uint, uint, uint, uint, uint, uint, uint, void**, int> _launch;
    private readonly delegate* unmanaged<byte*> _lastError;
    private readonly Dictionary<string, byte[]> _names = new(StringComparer.Ordinal);

    private EmulatorLauncher(nint library)
    {
        _launch = (delegate* unmanaged<byte*, uint, uint, uint, uint, uint, uint, uint, void**, int>)NativeLibrary.GetExport(library, "opk_emu_launch");
        _lastError = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(library, "opk_emu_last_error");
    }

    public long Launches { get; private set; }

    public static EmulatorLauncher? TryLoad(string path, out string reason)
    {
        if (!File.Exists(path))
        {
            reason = $"no CUDA emulator: {path} does not exist (build it with scripts/build-emulator.sh).";
            return null;
        }
        if (!NativeLibrary.TryLoad(path, out nint handle) || !NativeLibrary.TryGetExport(handle, "opk_emu_launch", out _))
        {
            reason = $"no CUDA emulator: {path} is not a loadable opk emulator library.";
            return null;
        }
        reason = "";
        return new EmulatorLauncher(handle);
    }

    public void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args)
    {
        if (!_names.TryGetValue(kernel.Name, out byte[]? name))
            _names[kernel.Name] = name = [.. System.Text.Encoding.UTF8.GetBytes(kernel.Name), 0];
        int rc;
        fixed (byte* n = name) rc = _launch(n, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedBytes, args.Bind());
        if (rc != 0)
            throw new InvalidOperationException($"emulated launch of {kernel.Name} failed ({rc}): {Marshal.PtrToStringUTF8((nint)_lastError())}");
        Launches++;
    }
}
