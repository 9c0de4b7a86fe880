// `dotnet run -c Release --project bench/Opacity.Bench -- quick-gemm-conv` (or `quick-conv-shapes`): the anchor workloads timed like the
// PyTorch script bench/scripts/torch_gemm_conv.py (2 warm-ups, median of 7, Stopwatch), one line per row:
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

    /// <summary>`quick-conv-shapes`: every ConvBench shape x version, forward / dx / dw, median GFLOP/s.</summary>
    public static void ConvShapes()
    {
        var rnd = new Random(0);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();
        foreach (var (name, g) in ConvBench.Shapes)
        {
            float[] x = R(g.XLength), w = R(g.WLength), dy = R(g.YLength);
            float[] y = new float[g.YLength], dx = new float[g.XLength], dw = new float[g.WLength];
            double f = ConvBench.Flops(g);
            foreach (int v in new[] { 3, 2, 1 })
            {
                Row($"{name} fwd v{v}", f, () => Conv2d.Forward(v, g, x, w, [], y, false));
                Row($"{name} dx  v{v}", f, () => Conv2d.BackwardInput(v, g, w, dy, dx, false));
                Row($"{name} dw  v{v}", f, () => Conv2d.BackwardWeight(v, g, x, dy, dw, false));
            }
        }
    }

    private static void Row(string name, double flops, Action run)
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
        double m = times[times.Length / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{m * 1e3:F2} ms\t{flops / m / 1e9:F1} GFLOP/s"));
    }
}
