// Bilinear upsampling, v1 (per-pixel source arithmetic, one thread) vs v2 (row and column tables, planes
// over threads) vs v3 (forward: cached horizontal rows, AVX vertical pass; backward of an exact 2x: gathered per dx element), forward and backward, at the demo U-Net generator's 2x steps (ngf 16, depth 3, 64 px:
// 32 planes 8 -> 16, 32 planes 16 -> 32, 16 planes 32 -> 64) and at one 128 px ngf 32 step. Rate: output
// pixels per second (each reads 4 inputs).
// Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*UpsampleBench*' --job short
using BenchmarkDotNet.Attributes;
using Opacity.Kernels.Cpu;

namespace Opacity.Bench.Cpu;

public class UpsampleBench
{
    [Params("32x8->16", "32x16->32", "16x32->64", "32x64->128")] public string Shape { get; set; } = "";

    private float[] _x = [], _y = [], _dx = [];
    private int _planes, _h, _oh;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split('x', '-', '>').Where(s => s.Length > 0).ToArray();
        (_planes, _h, _oh) = (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        var rnd = new Random(1);
        _x = Enumerable.Range(0, _planes * _h * _h).Select(_ => (float)rnd.NextDouble()).ToArray();
        _y = Enumerable.Range(0, _planes * _oh * _oh).Select(_ => (float)rnd.NextDouble()).ToArray();
        _dx = new float[_x.Length];
    }

    [Benchmark(Baseline = true)] public void ForwardV1() => Upsample.Forward<float>(true, _x, _planes, _h, _h, _oh, _oh, _y);
    [Benchmark] public void ForwardV2() => UpsampleV2.Forward<float>(true, _x, _planes, _h, _h, _oh, _oh, _y);
    [Benchmark] public void ForwardV3() => UpsampleV3.Forward(true, _x, _planes, _h, _h, _oh, _oh, _y);
    [Benchmark] public void BackwardV1() => Upsample.Backward<float>(true, _y, _planes, _h, _h, _oh, _oh, _dx, false);
    [Benchmark] public void BackwardV2() => UpsampleV2.Backward<float>(true, _y, _planes, _h, _h, _oh, _oh, _dx, false);
    [Benchmark] public void BackwardV3() => UpsampleV3.Backward(true, _y, _planes, _h, _h, _oh, _oh, _dx, false);
}
