// Optimisers over a module's parameters: Adam / AdamW (bias-corrected), SGD with momentum; plus
// learning-rate schedules and gradient-norm clipping. State tensors live outside any TensorScope.
// Parameters without a gradient this step (frozen, or unused) are skipped, as in PyTorch.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Nn.Optim;

public abstract class Optimizer(IEnumerable<Parameter> parameters, double lr)
{
    protected IReadOnlyList<Parameter> Params { get; } = parameters.ToList();
    public double LearningRate { get; set; } = lr;
    public long StepCount { get; protected set; }

    public abstract void Step();

    public void ZeroGrad()
    {
        foreach (Parameter p in Params) p.Value.ZeroGrad();
    }

    /// <summary>Named state tensors (for checkpoints), e.g. "adam.m.3".</summary>
    public abstract IEnumerable<(string Name, Tensor Value)> State();
}

public sealed class Adam(IEnumerable<Parameter> parameters, double lr = 2e-4, double beta1 = 0.5, double beta2 = 0.999,
    double eps = 1e-8, double weightDecay = 0, bool decoupled = false) : Optimizer(parameters, lr)
{
    private readonly Dictionary<Parameter, (Tensor M, Tensor V)> _state = [];

    public override void Step()
    {
        StepCount++;
        foreach (Parameter p in Params)
        {
            if (p.Grad is not { } g || !p.Value.RequiresGrad) continue;
            if (!_state.TryGetValue(p, out var s))
                _state[p] = s = TensorScope.Untracked(() => (Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device), Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device)));
            OptimizerKernels.Adam(p.Value, g, s.M, s.V, LearningRate, beta1, beta2, eps, weightDecay, decoupled, StepCount);
        }
    }

    public override IEnumerable<(string Name, Tensor Value)> State()
    {
        for (int i = 0; i < Params.Count; i++)
            if (_state.TryGetValue(Params[i], out var s)) { yield return ($"{i}.exp_avg", s.M); yield return ($"{i}.exp_avg_sq", s.V); }
    }

    /// <summary>Restores the moments saved by <see cref="State"/> (checkpoint resume), as copies on each parameter's device.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        StepCount = stepCount;
        for (int i = 0; i < Params.Count; i++)
        {
            if (!state.TryGetValue($"{i}.exp_avg", out Tensor? m) || !state.TryGetValue($"{i}.exp_avg_sq", out Tensor? v)) continue;
            Parameter p = Params[i];
            Device device = p.Value.Device;   // moments saved from any device resume on the parameter's
            _state[p] = TensorScope.Untracked(() => (m.Device == device ? m.Clone() : m.To(device), v.Device == device ? v.Clone() : v.To(device)));
        }
    }
}

public sealed class Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weightDecay = 0) : Optimizer(parameters, lr)
{
    private readonly Dictionary<Parameter, Tensor> _buffers = [];

    public override void Step()
    {
        StepCount++;
        foreach (Parameter p in Params)
        {
            if (p.Grad is not { } g || !p.Value.RequiresGrad) continue;
            bool first = !_buffers.TryGetValue(p, out Tensor? buf);
            if (first) _buffers[p] = buf = TensorScope.Untracked(() => Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device));
            OptimizerKernels.Sgd(p.Value, g, buf!, LearningRate, momentum, weightDecay, first);
        }
    }

    public override IEnumerable<(string Name, Tensor Value)> State()
    {
        for (int i = 0; i < Params.Count; i++)
            if (_buffers.TryGetValue(Params[i], out Tensor? b)) yield return ($"{i}.momentum_buffer", b);
    }
}

/// <summary>Learning-rate schedules as pure functions of the step.</summary>
public static class LrSchedule
{
    /// <summary>CycleGAN's "linear" policy: constant for <paramref name="constantSteps"/>, then linear decay to 0 over <paramref name="decaySteps"/>.</summary>
    public static double ConstantThenLinear(double baseLr, long step, long constantSteps, long decaySteps)
        => step < constantSteps ? baseLr : baseLr * Math.Max(0, 1.0 - (double)(step - constantSteps + 1) / (decaySteps + 1));

    /// <summary>Cosine annealing from baseLr to minLr over totalSteps.</summary>
    public static double Cosine(double baseLr, long step, long totalSteps, double minLr = 0)
        => minLr + 0.5 * (baseLr - minLr) * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / totalSteps));
}

public static class GradClip
{
    /// <summary>Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static double ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        double norm = Math.Sqrt(grads.Sum(OptimizerKernels.SumOfSquares));
        if (norm > maxNorm && norm > 0)
            foreach (Tensor g in grads) OptimizerKernels.Scale(g, maxNorm / (norm + 1e-6));
        return norm;
    }
}
