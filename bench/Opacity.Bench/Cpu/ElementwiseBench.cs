// The memory-bound CPU kernels at the sizes a 128 px GAN step uses and one large size, in GB/s:
// the SIMD elementwise forward/backward bodies, reflection padding, instance-norm statistics, apply
// and backward, and the optimiser's Adam update and weight average (v1 scalar, v2 SIMD + threads, AdamUpdate.cs).
// The scalar body is benchmarked beside each SIMD driver so the gain of the vector path is visible.
// Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*ElementwiseBench*' --job short
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Simd;

namespace Opacity.Bench.Cpu;

[Config(typeof(Config))]
public class ElementwiseBench
{
    // (N, C, H, W): a generator activation at 128 px (1x32x128x128) and a large batch (8x64x128x128), +7 off the vector width
    [Params(32 * 128 * 128, 8 * 64 * 128 * 128 + 7)] public int Length { get; set; }

    private float[] _x = [], _y = [], _dy = [], _dx = [], _padded = [];
    private float[] _mean = [], _rstd = [], _gamma = [], _beta = [];
    private int _planes, _h, _w;

    [GlobalSetup]
    public void Setup()
    {
        var rnd = new Random(1);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();
        (_x, _y, _dy, _dx) = (R(Length), new float[Length], R(Length), new float[Length]);
        _w = 128; _h = 128; _planes = Length / (_h * _w);
        _padded = new float[_planes * (_h + 2) * (_w + 2)];
        (_mean, _rstd, _gamma, _beta) = (new float[_planes], new float[_planes], R(_planes), R(_planes));
    }

    [Benchmark] public void LeakyReluForwardScalar() => SimdMap.UnaryScalar<float, LeakyReluOp<float>>(_x, _y, new LeakyReluOp<float>(0.2f));
    [Benchmark] public void LeakyReluForward() => SimdMap.Unary<float, LeakyReluOp<float>>(_x, _y, new LeakyReluOp<float>(0.2f));
    [Benchmark] public void LeakyReluBackward() => SimdMap.Ternary<float, LeakyReluGradOp<float>>(_x, _x, _dy, _dx, true, new LeakyReluGradOp<float>(0.2f));
    [Benchmark] public void TanhBackward() => SimdMap.Ternary<float, TanhGradOp<float>>(_x, _y, _dy, _dx, false, new TanhGradOp<float>());
    [Benchmark] public void ReflectionPadForward() => Padding2d.Forward<float>(PadMode.Reflect, _x, _planes, _h, _w, 1, 1, 1, 1, _padded);
    [Benchmark] public void ReflectionPadBackward() => Padding2d.Backward<float>(PadMode.Reflect, _padded, _planes, _h, _w, 1, 1, 1, 1, _dx, false);

    [Benchmark]
    public void InstanceNormForward()
    {
        Normalization.Statistics<float>(_x, 1, _planes, _h * _w, true, 1e-5, _mean, _rstd);
        Normalization.Apply<float>(_x, 1, _planes, _h * _w, true, _mean, _rstd, _gamma, _beta, _y);
    }

    [Benchmark] public void InstanceNormBackward()
        => Normalization.Backward<float>(_x, _dy, 1, _planes, _h * _w, true, true, _mean, _rstd, _gamma, _dx, false, new float[_planes], new float[_planes], false);

    [Benchmark] public void AdamStepScalar() => AdamUpdate.Step<float>(_y, _dy, _dx, _padded.AsSpan(0, Length), 5e-4, 0.5, 0.999, 1e-8, 0, false, 100);
    [Benchmark] public void AdamStep() => AdamUpdate.StepSimd(_y, _dy, _dx, _padded.AsSpan(0, Length), 5e-4, 0.5, 0.999, 1e-8, 0, false, 100);
    [Benchmark] public void MovingAverageScalar() => AdamUpdate.MovingAverage(_y, _x, 0.999);
    [Benchmark] public void MovingAverage() => AdamUpdate.MovingAverageSimd(_y, _x, 0.999);

    // Bytes per call: streams read + written, 4 bytes each (statistics read x twice).
    private static double Bytes(string method, int n) => 4.0 * n * method switch
    {
        nameof(LeakyReluForwardScalar) or nameof(LeakyReluForward) or nameof(ReflectionPadForward) or nameof(ReflectionPadBackward) => 2,
        nameof(LeakyReluBackward) => 4, // x, dy, dx read + dx written
        nameof(TanhBackward) => 3,
        nameof(InstanceNormForward) => 4,
        nameof(AdamStepScalar) or nameof(AdamStep) => 7,   // p, g, m, v read; p, m, v written
        nameof(MovingAverageScalar) or nameof(MovingAverage) => 3,
        _ => 5,
    };

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(RateColumn.GBps(c => Bytes(c.Descriptor.WorkloadMethod.Name, (int)c.Parameters["Length"])));
    }
}
