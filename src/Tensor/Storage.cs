// Storage: the buffer behind a tensor, shared by reshape views, returned to a pool when the last
// owner disposes it. Buffers are pooled by exact length because a training step asks for the same
// sizes every step; the pool is bounded so it never hoards more than a cap.
// A device storage (CUDA) holds a block of the device's caching allocator instead of an array; its
// elements are reached only through the CUDA backend (DevicePointer), never as a span.
using System.Collections.Concurrent;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Tensors;

internal sealed class Storage
{
    private Array? _data;
    private DeviceBlock? _block;
    private readonly int _deviceLength;
    private int _refCount = 1;

    private Storage(Array data, DType dtype, Device device)
    {
        _data = data; DType = dtype; Device = device;
    }

    public DType DType { get; }
    public Device Device { get; }
    private Storage(DeviceBlock block, int length, DType dtype, Device device)
    {
        _block = block; _deviceLength = length; DType = dtype; Device = device;
    }

    public int Length => _data?.Length ?? (_block is null ? 0 : _deviceLength);

    /// <summary>Device storage of <paramref name="length"/> elements from <paramref name="allocator"/>.</summary>
    public static Storage AllocateDevice(CachingAllocator allocator, Device device, DType dtype, int length)
        => new(allocator.Allocate((long)length * dtype.ElementSize()), length, dtype, device);

    /// <summary>The CUdeviceptr of a device storage (0 when empty).</summary>
    public ulong DevicePointer => _block?.Pointer
        ?? throw (_data is null
            ? new ObjectDisposedException("tensor storage", "The tensor's storage was already freed (disposed or its TensorScope ended).")
            : new InvalidOperationException("A CPU storage has no device pointer."));

    public static Storage AllocateCpu(DType dtype, int length, bool zero)
    {
        Array data = dtype == DType.F32 ? BufferPool<float>.Rent(length, zero) : BufferPool<double>.Rent(length, zero);
        return new Storage(data, dtype, Device.Cpu);
    }

    public static Storage WrapCpu(float[] data) => new(data, DType.F32, Device.Cpu);
    public static Storage WrapCpu(double[] data) => new(data, DType.F64, Device.Cpu);

    public float[] F32 => _data as float[] ?? throw Unavailable(DType.F32);
    public double[] F64 => _data as double[] ?? throw Unavailable(DType.F64);

    private Exception Unavailable(DType wanted) => _block is not null
        ? new InvalidOperationException($"The storage lives on {Device}; copy the tensor with .To(Device.Cpu) to read it on the host.")
        : _data is null
        ? new ObjectDisposedException("tensor storage", "The tensor's storage was already freed (disposed or its TensorScope ended).")
        : new TensorMixException($"Storage holds {DType.Name()}, but {wanted.Name()} was requested.");

    public void AddRef() => Interlocked.Increment(ref _refCount);

    public void Release()
    {
        if (Interlocked.Decrement(ref _refCount) != 0) return;
        Interlocked.Exchange(ref _block, null)?.Dispose();
        Array? data = Interlocked.Exchange(ref _data, null);
        if (data is float[] f) BufferPool<float>.Return(f);
        else if (data is double[] d) BufferPool<double>.Return(d);
    }
}

/// <summary>Exact-length array pool with a global byte cap.</summary>
internal static class BufferPool<T> where T : unmanaged
{
    private static readonly ConcurrentDictionary<int, ConcurrentBag<T[]>> Buckets = new();
    private static long _pooledBytes;
    public static long CapBytes { get; set; } = 1L << 30;

    public static T[] Rent(int length, bool zero)
    {
        if (length == 0) return [];
        if (Buckets.TryGetValue(length, out var bag) && bag.TryTake(out T[]? array))
        {
            Interlocked.Add(ref _pooledBytes, -(long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
            if (zero) Array.Clear(array);
            return array;
        }
        return zero ? new T[length] : GC.AllocateUninitializedArray<T>(length);
    }

    public static void Return(T[] array)
    {
        if (array.Length == 0) return;
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (Interlocked.Add(ref _pooledBytes, bytes) > CapBytes) { Interlocked.Add(ref _pooledBytes, -bytes); return; }
        Buckets.GetOrAdd(array.Length, _ => new ConcurrentBag<T[]>()).Add(array);
    }

    public static void Clear() { Buckets.Clear(); Interlocked.Exchange(ref _pooledBytes, 0); }
}
