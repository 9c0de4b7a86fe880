// Module / Parameter tree, as torch.nn.Module: named parameters and buffers, child modules,
// train/eval mode, freezing. Parameters are created outside any TensorScope (they outlive steps).
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Nn;

public abstract class Module
{
    private readonly List<(string Name, Parameter Param)> _parameters = [];
    private readonly List<(string Name, Tensor Buffer)> _buffers = [];
    private readonly List<(string Name, Module Child)> _children = [];

    public bool Training { get; private set; } = true;

    /// <summary>The forward pass. Modules with more inputs expose their own typed method.</summary>
    public abstract Tensor Forward(Tensor x);

    public Tensor Call(Tensor x) => Forward(x);

    protected Parameter AddParameter(string name, Tensor value)
    {
        var p = new Parameter(value) { Name = name };
        _parameters.Add((name, p));
        return p;
    }

    protected Tensor AddBuffer(string name, Tensor value)
    {
        value.Name = name;
        _buffers.Add((name, value));
        return value;
    }

    protected T AddModule<T>(string name, T child) where T : Module
    {
        _children.Add((name, child));
        return child;
    }

    public IEnumerable<(string Name, Module Child)> Children => _children;

    /// <summary>"weight" (and "bias") initialised as PyTorch's default for conv and linear layers:
    /// kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for both.</summary>
    protected static (Parameter Weight, Parameter? Bias) AddWeightAndBias(Module owner, Shape weightShape, int outChannels, bool bias, int fanIn, Rng? rng)
    {
        var r = rng ?? new Rng(0);
        double bound = 1.0 / Math.Sqrt(fanIn);
        Parameter w = owner.AddParameter("weight", Owned.Make(() => Tensor.Zeros(weightShape)));
        Init.Uniform(w.Value, r, -bound, bound);
        if (!bias) return (w, null);
        Parameter b = owner.AddParameter("bias", Owned.Make(() => Tensor.Zeros(new Shape(outChannels))));
        Init.Uniform(b.Value, r, -bound, bound);
        return (w, b);
    }

    /// <summary>All parameters with dotted names ("blocks.0.conv.weight"), depth first in registration order.</summary>
    public IEnumerable<(string Name, Parameter Param)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return (prefix + n, p);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedParameters(prefix + n + ".")) yield return item;
    }

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return (prefix + n, b);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedBuffers(prefix + n + ".")) yield return item;
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Param);

    public long ParameterCount => Parameters().Sum(p => (long)p.Value.Numel);

    /// <summary>Training mode (dropout active, batch norm uses batch statistics) or eval mode.</summary>
    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, c) in _children) c.Train(training);
    }

    public void Eval() => Train(false);

    /// <summary>Freezes (or unfreezes) every parameter: no gradients are computed for them, but gradients
    /// still flow through the module to its input (the frozen CDAM classifier relies on this).</summary>
    public void SetRequiresGrad(bool requiresGrad)
    {
        foreach (Parameter p in Parameters()) p.Value.RequiresGrad = requiresGrad;
    }

    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters()) p.Value.ZeroGrad();
    }

    /// <summary>Moves every parameter and buffer (this module and its children) to <paramref name="device"/>
    /// in place; gradients are dropped. Optimiser state made before the move stays where it was: create the
    /// optimiser after moving the module.</summary>
    public Module To(Device device)
    {
        foreach (Parameter p in Parameters()) p.Value.MoveTo(device);
        foreach (var (_, b) in NamedBuffers()) b.MoveTo(device);
        return this;
    }
}

/// <summary>A trainable tensor owned by a module. <see cref="Value"/> is a leaf that requires a gradient.</summary>
public sealed class Parameter
{
    public Parameter(Tensor value)
    {
        Value = value;
        Value.RequiresGrad = true;
    }

    public Tensor Value { get; }
    public string Name { get => Value.Name ?? ""; init => Value.Name = value; }
    public Tensor? Grad => Value.Grad;

    public static implicit operator Tensor(Parameter p) => p.Value;
}

/// <summary>Helpers to create parameters outside any disposal scope.</summary>
internal static class Owned
{
    public static Tensor Make(Func<Tensor> make) => TensorScope.Untracked(make);
}
