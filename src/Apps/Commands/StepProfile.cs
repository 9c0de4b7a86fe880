// `opacity train --profile-steps N`: turns the op Profiler on for a window of N training steps and prints where a
// step's time goes. The window starts after 20 warm-up steps (the first half of a shorter run), so the JIT has
// optimised the code and the buffer pool holds every size the step asks for; it ends early if the run does.
// The wall time per step over the window is printed beside the table: the gap between it and the ops' total is
// what no op scope covers (the optimiser's update, data loading, the image pool, logging). On a GPU each timed
// op waits for the device, so its time is the device's (and the step runs slower while profiled).
using System.Diagnostics;
using System.Globalization;
using Opacity.Tensors;

namespace Opacity.Cli.Commands;

internal sealed class StepProfile
{
    private const long WarmUpSteps = 20;
    private readonly long _start, _end;
    private readonly Device _device;
    private long _started, _last, _stepsTimed;
    private bool _stopped;
    private double _wallMs;

    private StepProfile(long start, long end, Device device) => (_start, _end, _device) = (start, end, device);

    /// <summary>The window for a run going from step <paramref name="done"/> to <paramref name="total"/>; null when
    /// <paramref name="steps"/> is 0 (off).</summary>
    public static StepProfile? Window(long done, long total, int steps, Device device)
    {
        if (steps <= 0) return null;
        long start = done + Math.Min(WarmUpSteps, (total - done) / 2);
        return new StepProfile(start, Math.Min(total, start + steps), device);
    }

    /// <summary>Called after every step (the trainer's progress callback).</summary>
    public void After(long step)
    {
        if (step == _start)
        {
            Profiler.Reset();
            Profiler.SynchronizeDevice = _device;
            Profiler.Enabled = true;
            _started = Stopwatch.GetTimestamp();
            _last = step;
            return;
        }
        if (_started == 0 || _stopped) return;
        _last = step;
        if (step >= _end) Stop();
    }

    /// <summary>Ends the window (at its last step, or wherever the run stopped inside it).</summary>
    public void Stop()
    {
        if (_started == 0 || _stopped) return;
        _stopped = true;
        Profiler.Enabled = false;
        Profiler.SynchronizeDevice = null;
        _wallMs = Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
        _stepsTimed = _last - _start;
    }

    public void Print()
    {
        Stop();
        if (_stepsTimed == 0)
        {
            Console.WriteLine($"--profile-steps: the run ended before step {_start + 1}, so no step was profiled.");
            return;
        }
        ProfileTable.Print(string.Create(CultureInfo.InvariantCulture,
            $"per-op time over steps {_start + 1}-{_start + _stepsTimed}: {_wallMs / _stepsTimed:F1} ms per step (wall)"), (int)_stepsTimed);
    }
}
