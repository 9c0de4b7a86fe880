// Conv2d versions (v1 explicit im2col, v2 implicit im2col GEMM, v3/v4 direct stride-1 under the first / revised
// per-shape rule of Conv2dRule.cs, v5 + Winograd fwd/dx, v6 + Winograd dw, the default) on the anchor shape
// conv3x3_8x64x128 (names as in the PyTorch anchor) and on the GAN's layer shapes, forward, each backward
// and forward + dx + dw + db. GFLOP/s in its own column (one conv = 2*N*OC*OH*OW*IC*KH*KW flops per pass).
// Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*ConvBench*' --job short
// Same-run comparison with PyTorch: bench/scripts/gemm_conv_vs_torch.sh (QuickAnchors.cs + the torch script).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Opacity.Kernels.Cpu;

namespace Opacity.Bench.Cpu;

[Config(typeof(ConvBenchConfig))]
public class ConvBench
{
    /// <summary>Anchor and GAN shapes: name -> geometry (reflection padding happens outside, hence pad 0).</summary>
    internal static readonly Dictionary<string, ConvGeometry> Shapes = new()
    {
        ["conv3x3_8x64x128"] = new(8, 64, 128, 128, 64, 3, 3, 1, 1, 1, 1, 1, 1),
        ["res3x3_1x128x32"] = new(1, 128, 34, 34, 128, 3, 3, 1, 1, 0, 0, 1, 1),
        ["stem7x7_1x1to32x128"] = new(1, 1, 134, 134, 32, 7, 7, 1, 1, 0, 0, 1, 1),
        ["down3x3s2_1x32to64x128"] = new(1, 32, 128, 128, 64, 3, 3, 2, 2, 1, 1, 1, 1),
        ["patch4x4s2_1x64to128x32"] = new(1, 64, 32, 32, 128, 4, 4, 2, 2, 1, 1, 1, 1),
        ["patch4x4s1_1x128to256x16"] = new(1, 128, 16, 16, 256, 4, 4, 1, 1, 1, 1, 1, 1),
        ["head7x7_1x32to2x128"] = new(1, 32, 134, 134, 2, 7, 7, 1, 1, 0, 0, 1, 1),
        // ConvTranspose2d(128->64, k3, s2, p1, output_padding 1) at 32->64 px runs as BackwardInput of this conv
        ["convT3x3s2_1x128to64x32"] = new(1, 64, 64, 64, 128, 3, 3, 2, 2, 1, 1, 1, 1),
    };

    /// <summary>The demo's layer shapes at 64 px, batch 1, ngf = ndf = 16 (quick-conv-shapes only, to keep the
    /// BenchmarkDotNet grid small): U-Net generator width 16 depth 3 (3x3, zero pad 1; the up levels see the
    /// concatenated skip), PatchGAN (4x4, pad 1), ResNet classifier width 16 (3x3 stem s2, blocks, 1x1 shortcuts).</summary>
    internal static readonly Dictionary<string, ConvGeometry> DemoShapes = new()
    {
        ["unet_1to16x64"] = new(1, 1, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_16to16x64"] = new(1, 16, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_16to32x32"] = new(1, 16, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_32to32x32"] = new(1, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_32to64x16"] = new(1, 32, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_64to64x16"] = new(1, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_64to128x8"] = new(1, 64, 8, 8, 128, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_128to128x8"] = new(1, 128, 8, 8, 128, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_up192to64x16"] = new(1, 192, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_up96to32x32"] = new(1, 96, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_up48to16x64"] = new(1, 48, 64, 64, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet_head1x1_16to2x64"] = new(1, 16, 64, 64, 2, 1, 1, 1, 1, 0, 0, 1, 1),
        // the demo's generators since session 12: width 24 (24/48/96/192 channels; up levels take the skip's channels too)
        ["unet24_24to24x64"] = new(1, 24, 64, 64, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_up72to24x64"] = new(1, 72, 64, 64, 24, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_48to48x32"] = new(1, 48, 32, 32, 48, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_up144to48x32"] = new(1, 144, 32, 32, 48, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_96to96x16"] = new(1, 96, 16, 16, 96, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_up288to96x16"] = new(1, 288, 16, 16, 96, 3, 3, 1, 1, 1, 1, 1, 1),
        ["unet24_192to192x8"] = new(1, 192, 8, 8, 192, 3, 3, 1, 1, 1, 1, 1, 1),
        ["pgan4x4s2_1to16x64"] = new(1, 1, 64, 64, 16, 4, 4, 2, 2, 1, 1, 1, 1),
        ["pgan4x4s2_16to32x32"] = new(1, 16, 32, 32, 32, 4, 4, 2, 2, 1, 1, 1, 1),
        ["pgan4x4s2_32to64x16"] = new(1, 32, 16, 16, 64, 4, 4, 2, 2, 1, 1, 1, 1),
        ["pgan4x4s1_64to128x8"] = new(1, 64, 8, 8, 128, 4, 4, 1, 1, 1, 1, 1, 1),
        ["pgan4x4s1_128to1x7"] = new(1, 128, 7, 7, 1, 4, 4, 1, 1, 1, 1, 1, 1),
        ["cls3x3s2_1to16x64"] = new(1, 1, 64, 64, 16, 3, 3, 2, 2, 1, 1, 1, 1),
        ["cls3x3_16to16x32"] = new(1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1),
        ["cls3x3s2_16to32x32"] = new(1, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1),
        ["cls1x1s2_16to32x32"] = new(1, 16, 32, 32, 32, 1, 1, 2, 2, 0, 0, 1, 1),
        ["cls3x3_32to32x16"] = new(1, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1),
        ["cls3x3s2_32to64x16"] = new(1, 32, 16, 16, 64, 3, 3, 2, 2, 1, 1, 1, 1),
        ["cls3x3_64to64x8"] = new(1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1),
    };

    [Params(1, 2, 3, 4, 5, 6, 7)] public int Version { get; set; }
    [ParamsSource(nameof(ShapeNames))] public string Shape { get; set; } = "conv3x3_8x64x128";
    public static IEnumerable<string> ShapeNames => Shapes.Keys;

    private ConvGeometry _g;
    private float[] _x = [], _w = [], _bias = [], _y = [], _dy = [], _dx = [], _dw = [], _db = [];

    [GlobalSetup]
    public void Setup()
    {
        _g = Shapes[Shape];
        var rnd = new Random(1);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();
        (_x, _w, _bias, _dy) = (R(_g.XLength), R(_g.WLength), R(_g.OutChannels), R(_g.YLength));
        (_y, _dx, _dw, _db) = (new float[_g.YLength], new float[_g.XLength], new float[_g.WLength], new float[_g.OutChannels]);
    }

    [Benchmark] public void Forward() => Conv2d.Forward(Version, _g, _x, _w, _bias, _y, false);
    [Benchmark] public void BackwardInput() => Conv2d.BackwardInput(Version, _g, _w, _dy, _dx, false);
    [Benchmark] public void BackwardWeight() => Conv2d.BackwardWeight(Version, _g, _x, _dy, _dw, false);

    [Benchmark]
    public void ForwardBackward()
    {
        Forward();
        BackwardInput();
        BackwardWeight();
        Conv2d.BackwardBias(_g, _dy, _db, false);
    }

    internal static double Flops(in ConvGeometry g) => 2.0 * g.YLength * g.InChannels * g.KernelH * g.KernelW;

    private sealed class ConvBenchConfig : ManualConfig
    {
        public ConvBenchConfig() => AddColumn(RateColumn.Gflops(c =>
        {
            double f = Flops(Shapes[(string)c.Parameters["Shape"]]);
            return c.Descriptor.WorkloadMethod.Name == nameof(ForwardBackward) ? 3 * f : f;
        }));
    }
}
