// An exponential moving average of a module's parameters, updated after each optimiser step:
//   avg <- d avg + (1 - d) theta,   avg = theta at construction (the initial weights)
// Why: a GAN generator's last iterate is where the adversarial game happened to leave it; the average of
// its recent iterates is a smoother, usually better generator (Karras et al. 2018, ProGAN's G_ema;
// Yazici et al. 2019, "The unusual effectiveness of averaging in GAN training"). With decay d the average
// spans about 1 / (1 - d) steps; the initial weights keep a share d^t after t steps, so d should leave
// them negligible by the end of the run (0.995 over 1200 steps: 0.2 %).
// The average lives on the parameters' device. On the CPU the update is computed in double and stored in the
// parameter's type (the reference, unchanged bit for bit); on a CUDA device it is two scaled tensors added in
// float32 by the device's elementwise kernels, fl(fl(d avg) + fl((1 - d) theta)), which differs from the CPU's
// once-rounded value by about one ulp of the weight per step. State tensors live outside any TensorScope and are
// named by the module's parameter names, so a checkpoint can hold them as a second state dict of the same module;
// LoadState copies a saved (CPU) average onto the device. Build the average after moving the module (Module.To).
// Tested by WeightAverageTests (update rule, state round trip, bad decay) and WeightAverageDeviceTests (device vs CPU).
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Nn.Optim;

public sealed class WeightAverage
{
    private readonly (string Name, Parameter Param)[] _params;
    private readonly Tensor[] _average;

    public WeightAverage(Module module, double decay)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay of a weight average must be in (0, 1).");
        Decay = decay;
        _params = [.. module.NamedParameters()];
        _average = TensorScope.Untracked(() => _params.Select(p => p.Param.Value.Detach().Clone()).ToArray());
    }

    public double Decay { get; }

    /// <summary>avg = d avg + (1 - d) theta for every parameter.</summary>
    public void Update()
    {
        double d = Decay, e = 1 - Decay;
        for (int i = 0; i < _params.Length; i++)
        {
            Tensor theta = _params[i].Param.Value, avg = _average[i];
            if (!avg.Device.IsCpu)
            {
                using var scope = TensorScope.Begin();
                using var noGrad = GradMode.NoGrad();
                avg.CopyFrom(avg * d + theta.Detach() * e);
            }
            else if (avg.DType == DType.F32)
            {
                OptimizerKernels.MovingAverage(avg, theta, d);   // (float)(d avg + (1 - d) theta), vectorised
            }
            else
            {
                Span<double> a = avg.AsSpanF64();
                ReadOnlySpan<double> t = theta.AsSpanF64();
                for (int j = 0; j < a.Length; j++) a[j] = d * a[j] + e * t[j];
            }
        }
    }

    /// <summary>The averaged parameters under the module's parameter names.</summary>
    public IEnumerable<(string Name, Tensor Value)> State()
    {
        for (int i = 0; i < _params.Length; i++) yield return (_params[i].Name, _average[i]);
    }

    /// <summary>Restores the averages saved by <see cref="State"/> (checkpoint resume); every parameter must be there.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            string name = _params[i].Name;
            if (!state.TryGetValue(name, out Tensor? saved))
                throw new ArgumentException($"'{source}' has no weight average for parameter '{name}'.");
            if (saved.Shape != _average[i].Shape)
                throw new ArgumentException($"'{source}' holds a weight average of shape {saved.Shape} for parameter '{name}' of shape {_average[i].Shape}.");
            Tensor copy = saved.DType == _average[i].DType ? saved : saved.To(_average[i].DType);
            _average[i].CopyFrom(copy);   // across devices when the average lives on one
        }
    }
}
