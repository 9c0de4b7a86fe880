// `dotnet run -c Release --project bench/Opacity.Bench -- quick-gemm-conv` (or `quick-conv-shapes`): the anchor workloads timed like the
// PyTorch script bench/scripts/torch_gemm_conv.py (median of 7, Stopwatch, after a warm-up long enough for the JIT to finish optimising: WarmUp), one line per row:
// name, median ms, GFLOP/s. Fast to run next to PyTorch in the same session (bench/scripts/gemm_conv_vs_torch.sh),
// where a full BenchmarkDotNet job would take minutes on a shared 2-core machine.
using System.Diagnostics;
using System.Globalization;
using Opacity.Kernels.Cpu;

namespace Opacity.Bench.Cpu;

public static class QuickAnchors
{
    public static void Run()
    {
        var rnd = new Random(0);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();

        const int N = 1024;
        float[] a = R(N * N), b = R(N * N), c = new float[N * N];
        foreach (int v in new[] { 2, 1 })
            Row($"sgemm_1024 (v{v}{(v == Gemm.DefaultVersion ? ", default" : "")})", 2.0 * N * N * N,
                () => Gemm.Sgemm(v, false, false, N, N, N, 1f, a, N, b, N, 0f, c, N));

        var g = ConvBench.Shapes["conv3x3_8x64x128"];
        float[] x = R(g.XLength), w = R(g.WLength), bias = R(g.OutChannels), dy = R(g.YLength);
        float[] y = new float[g.YLength], dx = new float[g.XLength], dw = new float[g.WLength], db = new float[g.OutChannels];
        double f = ConvBench.Flops(g);
        foreach (int v in new[] { 3, 2, 1 })
        {
            string tag = $"(v{v}{(v == Conv2d.DefaultVersion ? ", default" : "")})";
            Row($"conv3x3_fwd_8x64x128 {tag}", f, () => Conv2d.Forward(v, g, x, w, bias, y, false));
            Row($"conv3x3_fwdbwd_8x64x128 {tag}", 3 * f, () =>
            {
                // as the PyTorch row: forward, then dx, dw and db (y.sum().backward() with x requiring grad)
                Conv2d.Forward(v, g, x, w, bias, y, false);
                Conv2d.BackwardInput(v, g, w, dy, dx, false);
                Conv2d.BackwardWeight(v, g, x, dy, dw, false);
                Conv2d.BackwardBias(g, dy, db, false);
            });
        }
    }

    /// <summary>`quick-conv-shapes [name-filter,...]` (shapes whose name contains any of the comma-separated parts): every ConvBench shape (anchor, GAN, demo) x version, forward /
    /// dx / dw. Each version is timed in <see cref="Rounds"/> rounds of median-of-7; within a round the versions
    /// run in a rotated order, so a load burst from another job does not always land on the same version. Columns:
    /// the best round (the least disturbed on a shared machine), the median round, GFLOP/s of the best round.
    /// v4 (default) and v3 differ only in the per-shape rule (Conv2dRule.cs): v4 vs v3 rows = after vs before.
    /// After each pass, one "# best" line: the fastest version (best rounds) and the default's time over it.</summary>
    public static void ConvShapes(string? filter)
    {
        var rnd = new Random(0);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();
        int[] versions = [7, 6, 5, 4, 3, 2, 1];
        foreach (var (name, g) in ConvBench.Shapes.Concat(ConvBench.DemoShapes))
        {
            if (filter is not null && !filter.Split(',').Any(f => name.Contains(f, StringComparison.Ordinal))) continue;
            float[] x = R(g.XLength), w = R(g.WLength), dy = R(g.YLength);
            float[] y = new float[g.YLength], dx = new float[g.XLength], dw = new float[g.WLength];
            double f = ConvBench.Flops(g);
            var passes = new (string Name, Action<int> Run)[]
            {
                ("fwd", v => Conv2d.Forward(v, g, x, w, [], y, false)),
                ("dx ", v => Conv2d.BackwardInput(v, g, w, dy, dx, false)),
                ("dw ", v => Conv2d.BackwardWeight(v, g, x, dy, dw, false)),
            };
            foreach (var (pass, run) in passes)
            {
                foreach (int v in versions) WarmUp(() => run(v));
                var t = new double[versions.Length, Rounds];
                for (int r = 0; r < Rounds; r++)
                    for (int i = 0; i < versions.Length; i++)
                    {
                        int vi = (i + r) % versions.Length;
                        t[vi, r] = MedianSeconds(() => run(versions[vi]));
                    }
                var bestRound = new double[versions.Length];
                for (int vi = 0; vi < versions.Length; vi++)
                {
                    var rs = new double[Rounds];
                    for (int r = 0; r < Rounds; r++) rs[r] = t[vi, r];
                    Array.Sort(rs);
                    bestRound[vi] = rs[0];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name} {pass} v{versions[vi]}\t{rs[0] * 1e3:F3} ms\t(median round {rs[Rounds / 2] * 1e3:F3} ms)\t{f / rs[0] / 1e9:F1} GFLOP/s"));
                }
                int best = Array.IndexOf(bestRound, bestRound.Min()), def = Array.IndexOf(versions, Conv2d.DefaultVersion);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"# best {name} {pass.Trim()}: v{versions[best]}; default v{Conv2d.DefaultVersion} / best = {bestRound[def] / bestRound[best]:F2}"));
            }
        }
    }

    private const int Rounds = 5;

    /// <summary>Runs the code until the JIT has replaced its first, unoptimised tier: .NET's tiered compilation
    /// recompiles a method after 30 calls, in the background, once 100 ms pass without new tier-0 JIT work.
    /// MedianSeconds' two warm-up calls alone left small shapes (0.05-0.3 ms a call) timed on tier-0 code
    /// (a 64-px 3x3 GEMM forward read 0.21 ms, 0.04-0.06 ms with tiering off; session 11's conv_dw_pack.md).
    /// 60 calls, at least 0.5 s, at most 3 s, then a pause for the background compile.</summary>
    private static void WarmUp(Action run)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; ; i++)
        {
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (s > 3 || (i >= 60 && s > 0.5)) break;
            run();
        }
        Thread.Sleep(250);
    }

    private static double MedianSeconds(Action run)
    {
        run();
        run();
        var times = new double[7];
        for (int i = 0; i < times.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static void Row(string name, double flops, Action run)
    {
        WarmUp(run);
        double m = MedianSeconds(run);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{m * 1e3:F2} ms\t{flops / m / 1e9:F1} GFLOP/s"));
    }
}
