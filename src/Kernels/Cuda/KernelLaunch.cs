// The launch vocabulary shared by the real GPU (CudaLauncher, driver API) and the host emulator
// (tests): a kernel is named by its PTX module and entry point, arguments are packed the way
// cuLaunchKernel wants them (an array of pointers to argument values) in a stack-resident struct,
// so a launch neither boxes nor allocates (STYLE.md G11). Device pointers are CUdeviceptr = ulong;
// for the emulator they are host addresses of pinned memory.
using System.Runtime.CompilerServices;

namespace Opacity.Kernels.Cuda;

/// <summary>Grid or block extent.</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1);

/// <summary>An entry point <c>Name</c> in the embedded PTX file <c>kernels/ptx/&lt;Module&gt;.ptx</c>.</summary>
public sealed record KernelId(string Module, string Name);

/// <summary>Runs a kernel; implemented by <see cref="CudaLauncher"/> and by the test emulator.</summary>
public interface IKernelLauncher
{
    void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args);
}

/// <summary>Up to <see cref="MaxArgs"/> kernel arguments, each in an 8-byte slot (ints and floats in the
/// low bytes, as the PTX .param of 4 bytes reads them). Keep it a local: <see cref="Bind"/> hands out
/// pointers into the struct, valid while it stays where it is.</summary>
public struct KernelArgs
{
    public const int MaxArgs = 24;

    [InlineArray(MaxArgs)]
    private struct Values { private ulong _element0; }

    [InlineArray(MaxArgs)]
    private struct Pointers { private nint _element0; }

    private Values _values;
    private Pointers _pointers;
    private int _count;

    public readonly int Count => _count;

    /// <summary>A device pointer (CUdeviceptr); 0 is a null pointer.</summary>
    public void Add(ulong devicePointer) => Push(devicePointer);

    public void Add(int value) => Push((uint)value);

    public void Add(float value) => Push(BitConverter.SingleToUInt32Bits(value));

    public void Add(double value) => Push(BitConverter.DoubleToUInt64Bits(value));

    public void Add(bool flag) => Push(flag ? 1u : 0u);

    /// <summary>The <c>void** kernelParams</c> array; the struct must not move until the launch returns.</summary>
    public unsafe void** Bind()
    {
        for (int i = 0; i < _count; i++) _pointers[i] = (nint)Unsafe.AsPointer(ref _values[i]);
        return (void**)Unsafe.AsPointer(ref _pointers[0]);
    }

    private void Push(ulong value)
    {
        if (_count == MaxArgs) throw new InvalidOperationException($"A kernel launch takes at most {MaxArgs} arguments.");
        _values[_count++] = value;
    }
}

/// <summary>Launch shapes shared by the op launchers.</summary>
public static class LaunchShape
{
    /// <summary>Threads per block for elementwise and grid-stride kernels.</summary>
    public const uint BlockSize = 256;

    /// <summary>Enough blocks of <see cref="BlockSize"/> for one element per thread, capped: the kernels
    /// loop with a grid stride, so any count works with any grid.</summary>
    public const uint MaxGrid = 8192;

    public static Dim3 GridFor(long count)
        => new((uint)Math.Clamp((count + BlockSize - 1) / BlockSize, 1, MaxGrid));

    /// <summary>CUDA's limit on gridDim.y; kernels launched with more rows stride over the rest.</summary>
    public const uint MaxGridY = 65535;

    /// <summary>A 2-D grid for the per-row v2 kernels: x over a row's <paramref name="columns"/> as <see cref="GridFor"/>,
    /// y over the <paramref name="rows"/>, capped at <see cref="MaxGridY"/>.</summary>
    public static Dim3 RowsGrid(long columns, long rows)
        => new(GridFor(columns).X, (uint)Math.Min(rows, MaxGridY));

    /// <summary>A block for one reduction over <paramref name="count"/> elements: a multiple of 32, 32..<paramref name="maxThreads"/>.</summary>
    public static Dim3 ReductionBlock(long count, uint maxThreads = BlockSize)
        => new((uint)Math.Clamp((count + 31) / 32 * 32, 32, maxThreads));

    internal static KernelId[] Table(string module, string op, int versions)
    {
        var table = new KernelId[versions + 1];
        for (int v = 1; v <= versions; v++) table[v] = new KernelId(module, $"opk_{op}_v{v}");
        return table;
    }

    internal static KernelId Pick(KernelId[] table, int version, string op)
        => version >= 1 && version < table.Length ? table[version]
            : throw new ArgumentOutOfRangeException(nameof(version), version, $"{op} has versions 1..{table.Length - 1}.");
}
