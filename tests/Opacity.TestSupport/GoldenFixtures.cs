// The PyTorch golden fixtures (tests/fixtures/make_goldens.py, copied next to each test assembly under
// fixtures/golden) and the whole-network check every network golden test runs: PyTorch's weights and
// buffers in through the state dict (so parameter names are checked too), then output, input gradient,
// parameter gradients and buffers compared at float32, 1e-3 (buffers 1e-4).
using NUnit.Framework;
using Opacity.Nn;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.TestSupport;

public static class GoldenFixtures
{
    /// <summary>The path of golden fixture <paramref name="name"/> (without ".safetensors") next to the test assembly.</summary>
    public static string FileOf(string name)
        => Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures", "golden", name + ".safetensors");

    public static Dictionary<string, Tensor> Load(string name) => SafeTensors.Load(FileOf(name)).Tensors;

    public static void CheckNetwork(string fixture, Module net, Func<Tensor, Tensor> forward, bool train = true)
    {
        var f = Load(fixture);
        var state = f.Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);
        StateDict.Apply(net, state, fixture);
        net.Train(train);
        using var scope = TensorScope.Begin();
        Tensor x = f["in.x"].To(DType.F32).Clone().RequireGrad();
        Tensor y = forward(x);
        TensorAssert.Close(f["out"], y, 1e-3, 1e-3, $"{fixture} output");
        (y * f["weights"].To(DType.F32)).Sum().Backward();
        TensorAssert.Close(f["grad.in.x"], x.Grad!, 1e-3, 1e-3, $"{fixture} input gradient");
        foreach (var (name, p) in net.NamedParameters())
            TensorAssert.Close(f["grad.param." + name], p.Grad!, 1e-3, 1e-3, $"{fixture} gradient of {name}");
        foreach (var (name, b) in net.NamedBuffers())
            TensorAssert.Close(f["buf." + name], b, 1e-4, 1e-4, $"{fixture} buffer {name}");
        net.ZeroGrad();
    }
}
