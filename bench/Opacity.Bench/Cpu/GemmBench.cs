// SGEMM versions on the anchor shape (sgemm_1024, as in the PyTorch anchor) and the skinny shapes conv
// produces (64 x 16384 x 576: conv3x3 64ch at 128 px as one image's GEMM). GFLOP/s in its own column.
// Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*GemmBench*' --job short
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Opacity.Kernels.Cpu;

namespace Opacity.Bench.Cpu;

[Config(typeof(GemmBenchConfig))]
public class GemmBench
{
    [Params(1, 2)] public int Version { get; set; }
    [Params("1024x1024x1024", "64x16384x576", "576x16384x64")] public string Shape { get; set; } = "1024x1024x1024";
    [Params(false, true)] public bool TransB { get; set; }

    private float[] _a = [], _b = [], _c = [];
    private int _m, _n, _k;

    [GlobalSetup]
    public void Setup()
    {
        (_m, _n, _k) = Parse(Shape);
        var rnd = new Random(1);
        _a = Enumerable.Range(0, _m * _k).Select(_ => (float)rnd.NextDouble()).ToArray();
        _b = Enumerable.Range(0, _k * _n).Select(_ => (float)rnd.NextDouble()).ToArray();
        _c = new float[_m * _n];
    }

    [Benchmark]
    public void Sgemm() => Gemm.Sgemm(Version, false, TransB, _m, _n, _k, 1f, _a, _k, _b, TransB ? _k : _n, 0f, _c, _n);

    internal static (int M, int N, int K) Parse(string shape)
    {
        int[] d = shape.Split('x').Select(int.Parse).ToArray();
        return (d[0], d[1], d[2]);
    }

    private sealed class GemmBenchConfig : ManualConfig
    {
        public GemmBenchConfig() => AddColumn(RateColumn.Gflops(c =>
        {
            var (m, n, k) = Parse((string)c.Parameters["Shape"]);
            return 2.0 * m * n * k;
        }));
    }
}
