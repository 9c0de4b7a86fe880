// The layers the networks of the method are built from, each a thin module over one F op.
// PyTorch's parameter names and layouts (weight, bias; ConvTranspose2d weight (in, out, kH, kW))
// so that state dicts map one to one onto PyTorch's.
using Opacity.Tensors;

namespace Opacity.Nn.Layers;

public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, bool bias = true, Rng? rng = null)
    {
        Stride = stride; Padding = padding; Dilation = dilation;
        (Weight, Bias) = AddWeightAndBias(this, new Shape(outChannels, inChannels, kernel, kernel), outChannels, bias, inChannels * kernel * kernel, rng);
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }

    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias?.Value, Stride, Padding, Dilation);
}

public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int outputPadding = 0, bool bias = true, Rng? rng = null)
    {
        Stride = stride; Padding = padding; OutputPadding = outputPadding;
        // PyTorch computes the fan-in of a transposed conv from weight.size(1) = out channels
        (Weight, Bias) = AddWeightAndBias(this, new Shape(inChannels, outChannels, kernel, kernel), outChannels, bias, outChannels * kernel * kernel, rng);
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }

    public override Tensor Forward(Tensor x) => F.ConvTranspose2d(x, Weight, Bias?.Value, Stride, Padding, OutputPadding);
}

public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null)
    {
        (Weight, Bias) = AddWeightAndBias(this, new Shape(outFeatures, inFeatures), outFeatures, bias, inFeatures, rng);
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public override Tensor Forward(Tensor x) => F.Linear(x, Weight, Bias?.Value);
}

/// <summary>InstanceNorm2d; affine=false by default, as PyTorch and CycleGAN.</summary>
public sealed class InstanceNorm2d : Module
{
    public InstanceNorm2d(int channels, bool affine = false, double eps = 1e-5)
    {
        Eps = eps;
        if (affine)
        {
            Weight = AddParameter("weight", Owned.Make(() => Tensor.Ones(new Shape(channels))));
            Bias = AddParameter("bias", Owned.Make(() => Tensor.Zeros(new Shape(channels))));
        }
    }

    public Parameter? Weight { get; }
    public Parameter? Bias { get; }
    public double Eps { get; }
    public override Tensor Forward(Tensor x) => F.InstanceNorm(x, Weight?.Value, Bias?.Value, Eps);
}

public sealed class BatchNorm2d : Module
{
    public BatchNorm2d(int channels, double momentum = 0.1, double eps = 1e-5)
    {
        Momentum = momentum; Eps = eps;
        Weight = AddParameter("weight", Owned.Make(() => Tensor.Ones(new Shape(channels))));
        Bias = AddParameter("bias", Owned.Make(() => Tensor.Zeros(new Shape(channels))));
        RunningMean = AddBuffer("running_mean", Owned.Make(() => Tensor.Zeros(new Shape(channels))));
        RunningVar = AddBuffer("running_var", Owned.Make(() => Tensor.Ones(new Shape(channels))));
    }

    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public double Momentum { get; }
    public double Eps { get; }
    public override Tensor Forward(Tensor x) => F.BatchNorm(x, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
}

/// <summary>A parameter-free op as a module (activations, padding, pooling).</summary>
public sealed class Lambda(string name, Func<Tensor, Tensor> fn) : Module
{
    public string Name { get; } = name;
    public override Tensor Forward(Tensor x) => fn(x);

    public static Lambda Relu() => new("relu", F.Relu);
    public static Lambda LeakyRelu(double slope = 0.2) => new("leaky_relu", x => F.LeakyRelu(x, slope));
    public static Lambda Tanh() => new("tanh", F.Tanh);
    public static Lambda ReflectionPad(int pad) => new("reflection_pad", x => F.ReflectionPad2d(x, pad));
}

/// <summary>Children applied in order, named "0", "1", ... as torch.nn.Sequential.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (Module m in layers) Add(m);
    }

    public Sequential Add(Module layer)
    {
        AddModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public IReadOnlyList<Module> Layers => _layers;

    public override Tensor Forward(Tensor x)
    {
        foreach (Module m in _layers) x = m.Forward(x);
        return x;
    }
}
