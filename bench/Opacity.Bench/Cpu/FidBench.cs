// FID on the CPU in float64: the whole metric on two 5000 x 2048 feature sets (statistics + tr sqrt(S1 S2)),
// and its parts (covariance SYRK, tr sqrt on the default Cholesky route and on the eigen route, Cholesky,
// symmetric eigendecomposition with and without vectors, DGEMM 2048).
// Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*FidBench*'
// The same-run comparison with scipy's sqrtm route and numpy's eigh route is bench/scipy/fid_compare.sh;
// results go to bench/results/<machine>/fid.md.
using BenchmarkDotNet.Attributes;
using Opacity.Gan.Metrics;
using Opacity.Kernels.Cpu.Linalg;

namespace Opacity.Bench.Cpu;

[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class FidBench
{
    [Params(2048)]
    public int D;

    public int N = 5000;

    private double[] _real = [], _fake = [];
    private FeatureStatistics? _s1, _s2;
    private double[] _a = [], _b = [], _c = [], _w = [], _z = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2048);
        // Inception-like: non-negative, correlated through a shared random mixing of a few factors.
        _real = Features(rng, 0.1);
        _fake = Features(rng, 0.15);
        _s1 = FeatureStatistics.FromFeatures(_real, N, D, "real");
        _s2 = FeatureStatistics.FromFeatures(_fake, N, D, "fake");
        _a = _s1.Covariance;
        _b = _s2.Covariance;
        _c = new double[D * D];
        _w = new double[D];
        _z = new double[D * D];
    }

    private double[] Features(Random rng, double shift)
    {
        const int factors = 64;
        var mix = new double[factors * D];
        for (int i = 0; i < mix.Length; i++)
            mix[i] = rng.NextDouble() - 0.5;
        var x = new double[N * D];
        var f = new double[factors];
        for (int i = 0; i < N; i++)
        {
            for (int k = 0; k < factors; k++)
                f[k] = rng.NextDouble() - 0.5;
            for (int j = 0; j < D; j++)
            {
                double s = shift + 0.1 * (rng.NextDouble() - 0.5);
                for (int k = 0; k < factors; k++)
                    s += f[k] * mix[k * D + j];
                x[i * D + j] = (float)Math.Max(s, 0);
            }
        }
        return x;
    }

    [Benchmark(Description = "FID 5000x2048 (statistics + tr sqrt)")]
    public double FidTotal()
    {
        var s1 = FeatureStatistics.FromFeatures(_real, N, D, "real");
        var s2 = FeatureStatistics.FromFeatures(_fake, N, D, "fake");
        return Fid.Compute(s1, s2).Fid;
    }

    [Benchmark(Description = "tr sqrt(S1 S2), d = 2048 (default: v2 Cholesky route)")]
    public double TraceSqrt() => Fid.Compute(_s1!, _s2!).TraceSqrt;

    [Benchmark(Description = "tr sqrt(S1 S2), d = 2048, v1 eigen route")]
    public double TraceSqrtEigen() => TraceSqrtProduct.Compute(_a, _b, D, TraceSqrtRoute.Eigen).Value;

    [Benchmark(Description = "Cholesky 2048")]
    public int Cholesky2048()
    {
        _a.AsSpan().CopyTo(_c);
        return Cholesky.Factor(_c, D, 0);
    }

    [Benchmark(Description = "mean + covariance 5000x2048")]
    public double Statistics() => FeatureStatistics.FromFeatures(_real, N, D, "real").Covariance[0];

    [Benchmark(Description = "eigh 2048 with vectors")]
    public double EigenVectors()
    {
        SymmetricEigen.Decompose(_a, D, _w, _z);
        return _w[D - 1];
    }

    [Benchmark(Description = "eigvalsh 2048")]
    public double EigenValues()
    {
        SymmetricEigen.Decompose(_a, D, _w, Span<double>.Empty);
        return _w[D - 1];
    }

    [Benchmark(Description = "DGEMM 2048^3")]
    public double Dgemm2048()
    {
        Dgemm.Multiply(false, false, D, D, D, 1.0, _a, D, _b, D, 0.0, _c, D);
        return _c[0];
    }
}
