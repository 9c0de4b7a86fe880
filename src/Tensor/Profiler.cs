// Per-op timing of forward and backward (STYLE.md G7's TimingBackend, done at the op boundary):
// enable it around a training step, then print the table to see what to fuse next. Costs one
// branch per op when disabled. On a GPU ops only enqueue work, so set SynchronizeDevice: each op
// then waits for the device before and after, and its time is the device's (at the cost of overlap).
using System.Diagnostics;

namespace Opacity.Tensors;

public static class Profiler
{
    private static readonly Dictionary<string, OpTiming> Timings = [];
    private static readonly Lock Gate = new();
    public static bool Enabled { get; set; }

    /// <summary>When set (and <see cref="Enabled"/>), every timed op synchronises this device at its start and end.</summary>
    public static Device? SynchronizeDevice { get; set; }

    private static void Wait()
    {
        if (SynchronizeDevice is { IsCpu: false } d) CudaRuntime.Synchronize(d);
    }

    public readonly struct TimingScope : IDisposable
    {
        private readonly string? _key;
        private readonly long _start;
        internal TimingScope(string key) { Wait(); _key = key; _start = Stopwatch.GetTimestamp(); }
        public void Dispose()
        {
            if (_key is null) return;
            Wait();
            double ms = Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
            lock (Gate)
            {
                if (!Timings.TryGetValue(_key, out OpTiming? t)) Timings[_key] = t = new OpTiming(_key);
                t.Add(ms);
            }
        }
    }

    public static TimingScope Scope(string op, bool backward = false)
        => Enabled ? new TimingScope(backward ? op + ".bwd" : op + ".fwd") : default;

    /// <summary>Times work between ops under its own name (an optimiser's update, data loading): the rows that
    /// account for a step's time outside the op scopes. Never wrap a region that runs ops (they would count twice).</summary>
    public static TimingScope Work(string name) => Enabled ? new TimingScope(name) : default;

    public static IReadOnlyList<OpTiming> Snapshot()
    {
        lock (Gate) return Timings.Values.OrderByDescending(t => t.TotalMs).ToList();
    }

    public static void Reset() { lock (Gate) Timings.Clear(); }
}

public sealed class OpTiming(string name)
{
    public string Name { get; } = name;
    public int Count { get; private set; }
    public double TotalMs { get; private set; }
    public double MinMs { get; private set; } = double.MaxValue;
    public double MaxMs { get; private set; }
    public double MeanMs => Count == 0 ? 0 : TotalMs / Count;

    internal void Add(double ms)
    {
        Count++; TotalMs += ms;
        MinMs = Math.Min(MinMs, ms); MaxMs = Math.Max(MaxMs, ms);
    }
}
