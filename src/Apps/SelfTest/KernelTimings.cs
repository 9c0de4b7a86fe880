// Quick timings for `opacity selftest`: each backend kernel family through its tensor op, K launches
// then one synchronisation, reported as GB/s (bytes the kernel must read + write) or GFLOP/s, plus the
// device-to-device copy bandwidth. Sizes are fixed and moderate (a few MiB per operand) so the whole
// table takes seconds on a GPU; on the emulator or CPU it uses 1/64 of the sizes and says so.
using System.Diagnostics;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Cli.SelfTest;

public sealed record KernelTiming(string Name, string Kernel, double Milliseconds, double Rate, string Unit);

public static class KernelTimings
{
    private sealed record Case(string Name, string Kernel, Func<Tensor[]> Make, Action<Tensor[]> Run, double Work, string Unit);

    public static IReadOnlyList<KernelTiming> Run(Device device, int launches, bool small)
    {
        int n = small ? 1 << 16 : 1 << 22;
        int hw = small ? 32 : 256;
        int mm = small ? 128 : 2048;
        double bytes = 4.0 * n;
        var cases = new List<Case>
        {
            new("copy d2d", "cuMemcpyDtoDAsync", () => [Vec(n, device)], t => t[0].Clone(), 2 * bytes, "GB/s"),
            new("add", "opk_binary_fwd_v2 (same shape)", () => [Vec(n, device), Vec(n, device)], t => F.Add(t[0], t[1]), 3 * bytes, "GB/s"),
            new("add broadcast", "opk_binary_fwd_v2", () => [Vec(n, device), Vec(1, device)], t => F.Add(t[0], t[1]), 2 * bytes, "GB/s"),
            new("exp", "opk_unary_fwd_v1", () => [Vec(n, device)], t => F.Exp(t[0]), 2 * bytes, "GB/s"),
            new("relu", "opk_relu_fwd_v1", () => [Vec(n, device)], t => F.Relu(t[0]), 2 * bytes, "GB/s"),
            new("sum rows", "opk_reduce_to_fwd_v2", () => [Vec(n, device).Reshape(n / 256, 256)], t => F.Sum(t[0], [1]), bytes, "GB/s"),
            new("softmax", "opk_softmax_fwd_v2", () => [Vec(n, device).Reshape(n / 64, 64)], t => F.Softmax(t[0], 1), 2 * bytes, "GB/s"),
            new("instance norm", "opk_norm_stats_fwd_v2 + opk_norm_apply_fwd_v2", () => [Vec(n, device).Reshape(n / (hw * hw), 1, hw, hw)],
                t => F.InstanceNorm(t[0]), 3 * bytes, "GB/s"),
            new("reflection pad 3", "opk_pad_fwd_v1", () => [Vec(n, device).Reshape(n / (hw * hw), 1, hw, hw)], t => F.ReflectionPad2d(t[0], 3), 2 * bytes, "GB/s"),
            new("upsample bilinear x2", "opk_resize_fwd_v1", () => [Vec(n / 4, device).Reshape(n / (hw * hw), 1, hw / 2, hw / 2)],
                t => F.UpsampleBilinear(t[0], hw, hw), 1.25 * bytes, "GB/s"),
            new("avg pool 2", "opk_avg_pool_fwd_v1", () => [Vec(n, device).Reshape(n / (hw * hw), 1, hw, hw)], t => F.AvgPool2d(t[0], 2), 1.25 * bytes, "GB/s"),
            new($"matmul {mm}^3", "cuBLAS sgemm / opk_gemm_fwd_v1", () => [Vec(mm * mm, device).Reshape(mm, mm), Vec(mm * mm, device).Reshape(mm, mm)],
                t => F.MatMul(t[0], t[1]), 2.0 * mm * mm * mm, "GFLOP/s"),
            new("conv 3x3 64ch", "cuDNN / opk_conv_fwd_v1", () => [Vec(64 * hw / 4 * hw / 4, device).Reshape(1, 64, hw / 4, hw / 4), Vec(64 * 64 * 9, device).Reshape(64, 64, 3, 3)],
                t => F.Conv2d(t[0], t[1], null, stride: 1, padding: 1), 2.0 * 64 * 64 * 9 * (hw / 4) * (hw / 4), "GFLOP/s"),
        };
        var results = new List<KernelTiming>();
        foreach (Case c in cases)
        {
            using var scope = TensorScope.Begin();
            Tensor[] inputs = c.Make();
            using (GradMode.NoGrad())
            {
                c.Run(inputs);   // warm-up: module load, allocator buckets
                Sync(device);
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < launches; i++)
                {
                    using var step = TensorScope.Begin();
                    c.Run(inputs);
                }
                Sync(device);
                double ms = clock.Elapsed.TotalMilliseconds / launches;
                double rate = c.Work / (ms * 1e6);   // bytes or flops per ms / 1e6 = G per second
                results.Add(new KernelTiming(c.Name, c.Kernel, ms, rate, c.Unit));
            }
        }
        return results;
    }

    private static Tensor Vec(int n, Device device) => Tensor.Randn(new Shape(n), 5).To(device);

    private static void Sync(Device device)
    {
        if (!device.IsCpu) CudaRuntime.Synchronize(device);
    }
}
