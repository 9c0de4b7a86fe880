// The end-to-end workloads PyTorch is measured against, named and shaped exactly as the PyTorch
// side (bench/pytorch/anchor_workloads.py): one SGEMM, one 3x3 conv forward and forward+backward,
// and one G+D step of the masked CycleGAN at 128 px. Each workload is built once and returns the
// action to time; every run happens inside a TensorScope so intermediates go back to the pool.
// On a GPU (Build(Device.Cuda)) inputs and modules live on the device, optimisers are made after the
// move, and each run ends with a synchronisation, so the wall clock covers the device's work.
using Opacity.Gan.Networks;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Cli.Bench;

public sealed record Workload(string Name, double Flops, Func<Device, Action> Build);

public static class AnchorWorkloads
{
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("sgemm_1024", 2.0 * 1024 * 1024 * 1024, Sgemm),
        new("conv3x3_fwd_8x64x128", ConvFlops, ConvForward),
        new("conv3x3_fwdbwd_8x64x128", 3 * ConvFlops, ConvForwardBackward),
        new("gan_step_resnet6_ngf32_128px", 0, GanStep),
        new("translate_resnet9_ngf64_256px", 0, Translate),
    ];

    private const double ConvFlops = 2.0 * 8 * 64 * 64 * 9 * 128 * 128;

    /// <summary>The action, followed on a GPU by a wait for the device's queue.</summary>
    private static Action Synced(Device device, Action run)
        => device.IsCpu ? run : () => { run(); CudaRuntime.Synchronize(device); };

    private static Tensor Input(Shape shape, ulong seed, Device device) => Tensor.Randn(shape, seed).To(device);

    private static Action Sgemm(Device device)
    {
        Tensor a = Input(new Shape(1024, 1024), 1, device), b = Input(new Shape(1024, 1024), 2, device);
        return Synced(device, () => { using var s = TensorScope.Begin(); F.MatMul(a, b); });
    }

    private static Action ConvForward(Device device)
    {
        Tensor x = Input(new Shape(8, 64, 128, 128), 1, device);
        var conv = new Nn.Layers.Conv2d(64, 64, 3, padding: 1, rng: new Rng(2));
        conv.To(device);
        return Synced(device, () => { using var s = TensorScope.Begin(); using (GradMode.NoGrad()) conv.Forward(x); });
    }

    private static Action ConvForwardBackward(Device device)
    {
        Tensor x = Input(new Shape(8, 64, 128, 128), 1, device).RequireGrad();
        var conv = new Nn.Layers.Conv2d(64, 64, 3, padding: 1, rng: new Rng(2));
        conv.To(device);
        return Synced(device, () =>
        {
            using var s = TensorScope.Begin();
            conv.ZeroGrad(); x.ZeroGrad();
            conv.Forward(x).Sum().Backward();
        });
    }

    /// <summary>Inference latency of the paper-scale generator (resnet_9blocks, ngf 64, content + mask heads) on one
    /// 256 x 256 image, no graph: what a C# host embedding the Translator pays per image.</summary>
    private static Action Translate(Device device)
    {
        var g = new ResnetGenerator(inChannels: 1, ngf: 64, blocks: 9, maskHead: true, rng: new Rng(1));
        g.Eval();
        g.SetRequiresGrad(false);
        g.To(device);
        Tensor x = Input(new Shape(1, 1, 256, 256), 3, device);
        return Synced(device, () =>
        {
            using var s = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            g.Translate(x);
        });
    }

    private static Action GanStep(Device device)
    {
        var g = new ResnetGenerator(inChannels: 1, ngf: 32, blocks: 6, maskHead: true, rng: new Rng(1));
        var d = new PatchGanDiscriminator(inChannels: 1, ndf: 32, rng: new Rng(2));
        g.To(device);
        d.To(device);
        var optG = new Adam(g.Parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        var optD = new Adam(d.Parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        Tensor xa = Input(new Shape(1, 1, 128, 128), 3, device), xb = Input(new Shape(1, 1, 128, 128), 4, device);
        return Synced(device, () =>
        {
            using var s = TensorScope.Begin();
            Tensor fake = g.Translate(xa).Output;
            // G step: D is frozen (CycleGAN's set_requires_grad(D, False)); gradients still flow through it to G.
            d.SetRequiresGrad(false);
            optG.ZeroGrad();
            (Loss.LeastSquares(d.Forward(fake), 1.0) + Loss.L1(fake, xa) * 10.0).Backward();
            optG.Step();
            d.SetRequiresGrad(true);
            optD.ZeroGrad();
            (Loss.LeastSquares(d.Forward(xb), 1.0) + Loss.LeastSquares(d.Forward(fake.Detach()), 0.0)).Backward();
            optD.Step();
        });
    }
}
