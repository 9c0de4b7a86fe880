// A caching device allocator: freed blocks go to a size-bucketed free list of their stream and are
// handed out again to the next request of the same bucket on that stream, so a training step that asks
// for the same sizes every step stops calling cuMemAlloc/cuMemFree (both synchronise the device).
// Reuse on the same stream is safe without events: stream order puts the new user after the old one.
// Buckets: requests round up to 512 B below 1 MiB and to 2 MiB above. On an allocation failure the
// cache is released and the allocation retried once. Statistics: bytes in use, cached, peak, hits.
// Tested: tests/Opacity.Kernels.Tests/Cuda/CachingAllocatorTests.cs (on the emulated context).
namespace Opacity.Kernels.Cuda.Runtime;

public sealed class CachingAllocator
{
    private const long SmallGranularity = 512, LargeGranularity = 2L << 20, LargeThreshold = 1L << 20;
    private readonly GpuContext _context;
    private readonly Dictionary<(nint Stream, long Bytes), Stack<ulong>> _free = [];
    private readonly Lock _gate = new();

    internal CachingAllocator(GpuContext context) => _context = context;

    /// <summary>Bytes handed out and not yet freed (rounded to buckets).</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Bytes held in the free lists.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>Highest <see cref="AllocatedBytes"/> seen.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Requests served from the cache.</summary>
    public long Hits { get; private set; }

    /// <summary>Requests that went to the driver.</summary>
    public long Misses { get; private set; }

    public static long BucketBytes(long bytes)
    {
        if (bytes <= 0) return 0;
        long g = bytes < LargeThreshold ? SmallGranularity : LargeGranularity;
        return (bytes + g - 1) / g * g;
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes, ordered on the context's stream.</summary>
    public DeviceBlock Allocate(long bytes)
    {
        long size = BucketBytes(bytes);
        if (size == 0) return new DeviceBlock(this, 0, 0);
        nint stream = _context.StreamHandle;
        lock (_gate)
        {
            if (_free.TryGetValue((stream, size), out Stack<ulong>? list) && list.TryPop(out ulong cached))
            {
                Hits++;
                CachedBytes -= size;
                Count(size);
                return new DeviceBlock(this, cached, size);
            }
            Misses++;
        }
        ulong pointer;
        try
        {
            pointer = _context.RawAllocate(size);
        }
        catch (CudaException)
        {
            ReleaseCached();
            pointer = _context.RawAllocate(size);
        }
        lock (_gate) Count(size);
        return new DeviceBlock(this, pointer, size);
    }

    internal void Free(DeviceBlock block)
    {
        if (block.Bytes == 0) return;
        lock (_gate)
        {
            AllocatedBytes -= block.Bytes;
            CachedBytes += block.Bytes;
            var key = (_context.StreamHandle, block.Bytes);
            if (!_free.TryGetValue(key, out Stack<ulong>? list)) _free[key] = list = new Stack<ulong>();
            list.Push(block.Pointer);
        }
    }

    /// <summary>Returns every cached block to the driver.</summary>
    public void ReleaseCached()
    {
        lock (_gate)
        {
            foreach (Stack<ulong> list in _free.Values)
                while (list.TryPop(out ulong p)) _context.RawFree(p);
            _free.Clear();
            CachedBytes = 0;
        }
    }

    public override string ToString()
        => $"allocated {AllocatedBytes >> 10} KiB, cached {CachedBytes >> 10} KiB, peak {PeakBytes >> 10} KiB, hits {Hits}, misses {Misses}";

    private void Count(long size)
    {
        AllocatedBytes += size;
        if (AllocatedBytes > PeakBytes) PeakBytes = AllocatedBytes;
    }
}

/// <summary>A device block from a <see cref="CachingAllocator"/>; <see cref="Dispose"/> returns it to the cache.</summary>
public sealed class DeviceBlock : IDisposable
{
    private readonly CachingAllocator _owner;
    private int _freed;

    internal DeviceBlock(CachingAllocator owner, ulong pointer, long bytes)
    {
        _owner = owner; Pointer = pointer; Bytes = bytes;
    }

    public ulong Pointer { get; }

    public long Bytes { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0) _owner.Free(this);
    }
}
