// Conv2d v2: conv as GEMM on the packed SGEMM driver with implicit im2col (Conv2dPack.cs).
// Legend: K = IC*KH*KW (GEMM depth of Forward), P = OH*OW output pixels per image.
//   Forward         per image y_n (OC x P) = w (OC x K) * col_n (K x P); col gathered per Kc x Nc block.
//   BackwardWeight  per image dw (OC x K) += dy_n (OC x P) * col_n^T (P x K), the batch summed by beta = 1.
//   BackwardInput   the path is chosen by Conv2dRule (v2: flipped whenever it can, stride 1, IC >= 8, pad <=
//                   dilation*(kernel-1)): flipped = dx = conv(dy, w~) with w~[ic,oc,kh,kw] = w[oc,ic,KH-1-kh,KW-1-kw],
//                   pad' = D*(K-1) - P, run as a Forward (no col2im);
//                   col2im (strided convs, conv-transpose forward) = dcol = w^T dy_n per (image, input-channel
//                   chunk) into a pooled buffer of <= 4 MiB, then col2im scatter-add; the chunks are disjoint
//                   in dx, so they run in parallel without locks (batch 1 still uses both cores).
// Threads: each GEMM stripes itself across cores (GemmPacked); when one image is too small for that, whole
// images go to the cores instead (Forward). Scratch is thread-static (PackScratch), so steady-state calls do
// not allocate. v3/v4 (Conv2d.cs) reuse these paths for the shapes their rule (Conv2dRule) keeps off the direct
// kernels, and BackwardInput's FlippedDirect path runs the flipped forward on Conv2dV3 instead of Forward here.
// Tested by Conv2dTests against ConvReference; timed by ConvBench.
namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dV2
{
    private const int ColChunkFloats = 1 << 20;

    public static void Forward(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        var shape = GemmMicroKernel.Default;
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW, oc = g.OutChannels;
        long xs = (long)g.InChannels * g.InH * g.InW, ys = (long)oc * p;
        bool perImageThreads = (long)oc * p * k >= GemmPacked.ParallelMinMacs || g.Batch < 2;
        ConvGeometry geo = g;
        nint xp = (nint)x, wp = (nint)w, bp = (nint)bias, yp = (nint)y;
        void Image(int n, int threads)
        {
            float* yn = (float*)yp + n * ys;
            float beta = Conv2d.PrepareOutput(yn, (float*)bp, oc, p, accumulate);
            var packB = new Im2ColPackB(new Im2ColImage((float*)xp + n * xs, geo));
            GemmPacked.Run(shape, oc, p, k, 1f, new MatrixPackA((float*)wp, k, false), packB, beta, yn, p, threads);
        }
        if (perImageThreads) for (int n = 0; n < g.Batch; n++) Image(n, int.MaxValue);
        else Parallel.For(0, g.Batch, n => Image(n, 1));
    }

    public static void BackwardWeight(in ConvGeometry g, float* x, float* dy, float* dw, bool accumulate)
    {
        var shape = GemmMicroKernel.Default;
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW, oc = g.OutChannels;
        long xs = (long)g.InChannels * g.InH * g.InW, ys = (long)oc * p;
        if (g.Batch == 0 && !accumulate) new Span<float>(dw, oc * k).Clear();
        for (int n = 0; n < g.Batch; n++)
        {
            var packB = new Im2ColTPackB(new Im2ColImage(x + n * xs, g));
            float beta = n == 0 && !accumulate ? 0f : 1f;
            GemmPacked.Run(shape, oc, k, p, 1f, new MatrixPackA(dy + n * ys, p, false), packB, beta, dw, k, int.MaxValue);
        }
    }

    public static void BackwardInput(in ConvGeometry g, float* w, float* dy, float* dx, bool accumulate, ConvDxPath path)
    {
        if (path == ConvDxPath.FlippedWinograd)
        {
            Conv2dWinograd.BackwardInput(g, w, dy, dx, accumulate);   // flips while transforming the filters
            return;
        }
        if (path != ConvDxPath.Col2Im)
        {
            var flipped = Conv2dRule.Flipped(g);
            int kk = g.KernelH * g.KernelW;
            float* wf = PackScratch.C(g.OutChannels * g.InChannels * kk);
            for (int o = 0; o < g.OutChannels; o++)
                for (int i = 0; i < g.InChannels; i++)
                    for (int t = 0; t < kk; t++)
                        wf[(i * g.OutChannels + o) * kk + t] = w[(o * g.InChannels + i) * kk + (kk - 1 - t)];
            if (path == ConvDxPath.FlippedDirect) Conv2dV3.Forward(flipped, dy, wf, null, dx, accumulate);
            else Forward(flipped, dy, wf, null, dx, accumulate);
            return;
        }
        BackwardInputCol2Im(g, w, dy, dx, accumulate);
    }

    private static void BackwardInputCol2Im(in ConvGeometry g, float* w, float* dy, float* dx, bool accumulate)
    {
        var shape = GemmMicroKernel.Default;
        int kk = g.KernelH * g.KernelW, k = g.InChannels * kk, p = g.OutH * g.OutW, oc = g.OutChannels;
        long xs = (long)g.InChannels * g.InH * g.InW, ys = (long)oc * p, plane = (long)g.InH * g.InW;
        int threads = Environment.ProcessorCount;
        int icChunk = Math.Clamp(ColChunkFloats / Math.Max(1, kk * p), 1, g.InChannels);
        if (g.Batch < threads) icChunk = Math.Min(icChunk, (g.InChannels + threads - 1) / threads);
        int chunks = (g.InChannels + icChunk - 1) / icChunk, tasks = g.Batch * chunks;
        ConvGeometry geo = g;
        nint wp = (nint)w, dyp = (nint)dy, dxp = (nint)dx;
        void Task(int t)
        {
            int n = t / chunks, ic0 = t % chunks * icChunk, icn = Math.Min(icChunk, geo.InChannels - ic0);
            int rows = icn * kk;
            float* dcol = PackScratch.C(rows * p);
            // dcol (rows x P) = w^T[ic0*kk .., :] (rows x OC) * dy_n (OC x P)
            GemmPacked.Run(shape, rows, p, oc, 1f, new MatrixPackA((float*)wp + ic0 * kk, k, true),
                new MatrixPackB((float*)dyp + n * ys, p, false), 0f, dcol, p, 1);
            float* dxn = (float*)dxp + n * xs;
            if (!accumulate) new Span<float>(dxn + ic0 * plane, (int)(icn * plane)).Clear();
            var image = new Im2ColImage(dxn, geo);
            for (int r = 0; r < rows; r++) image.Scatter(ic0 * kk + r, 0, p, dcol + (long)r * p);
        }
        if (tasks > 1 && (long)g.Batch * k * p * oc >= GemmPacked.ParallelMinMacs) Parallel.For(0, tasks, Task);
        else for (int t = 0; t < tasks; t++) Task(t);
    }
}
