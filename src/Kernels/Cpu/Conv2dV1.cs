// Conv2d v1: explicit im2col / col2im into a pooled column buffer (K x P floats per image, K = IC*KH*KW,
// P = OH*OW) and one Gemm.Sgemm per image. The textbook baseline rung of the ladder; v2 avoids the buffer.
// Tested by Conv2dTests (versions 1 and 2 against ConvReference); timed by ConvBench.
using System.Buffers;

namespace Opacity.Kernels.Cpu;

internal static unsafe class Conv2dV1
{
    public static void Forward(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW;
        float[] col = ArrayPool<float>.Shared.Rent(k * p);
        try
        {
            for (int n = 0; n < g.Batch; n++)
            {
                var image = new Im2ColImage(x + (long)n * g.InChannels * g.InH * g.InW, g);
                fixed (float* pc = col) for (int r = 0; r < k; r++) image.Gather(r, 0, p, pc + (long)r * p, 1);
                float* yn = y + (long)n * g.OutChannels * p;
                float beta = Conv2d.PrepareOutput(yn, bias, g.OutChannels, p, accumulate);
                Gemm.Sgemm(false, false, g.OutChannels, p, k, 1f, new ReadOnlySpan<float>(w, g.OutChannels * k), k,
                    col, p, beta, new Span<float>(yn, g.OutChannels * p), p);
            }
        }
        finally { ArrayPool<float>.Shared.Return(col); }
    }

    public static void BackwardInput(in ConvGeometry g, float* w, float* dy, float* dx, bool accumulate)
    {
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW, xs = g.InChannels * g.InH * g.InW;
        float[] dcol = ArrayPool<float>.Shared.Rent(k * p);
        try
        {
            for (int n = 0; n < g.Batch; n++)
            {
                // dcol (K x P) = w^T (K x OC) * dy_n (OC x P), then scatter-add every column entry to its input pixel.
                Gemm.Sgemm(true, false, k, p, g.OutChannels, 1f, new ReadOnlySpan<float>(w, g.OutChannels * k), k,
                    new ReadOnlySpan<float>(dy + (long)n * g.OutChannels * p, g.OutChannels * p), p, 0f, dcol, p);
                float* dxn = dx + (long)n * xs;
                if (!accumulate) new Span<float>(dxn, xs).Clear();
                var image = new Im2ColImage(dxn, g);
                fixed (float* pc = dcol) for (int r = 0; r < k; r++) image.Scatter(r, 0, p, pc + (long)r * p);
            }
        }
        finally { ArrayPool<float>.Shared.Return(dcol); }
    }

    public static void BackwardWeight(in ConvGeometry g, float* x, float* dy, float* dw, bool accumulate)
    {
        int k = g.InChannels * g.KernelH * g.KernelW, p = g.OutH * g.OutW;
        if (g.Batch == 0 && !accumulate) new Span<float>(dw, g.OutChannels * k).Clear();
        float[] col = ArrayPool<float>.Shared.Rent(k * p);
        try
        {
            for (int n = 0; n < g.Batch; n++)
            {
                var image = new Im2ColImage(x + (long)n * g.InChannels * g.InH * g.InW, g);
                fixed (float* pc = col) for (int r = 0; r < k; r++) image.Gather(r, 0, p, pc + (long)r * p, 1);
                // dw (OC x K) += dy_n (OC x P) * col^T (P x K)
                Gemm.Sgemm(false, true, g.OutChannels, k, p, 1f,
                    new ReadOnlySpan<float>(dy + (long)n * g.OutChannels * p, g.OutChannels * p), p, col, p,
                    n == 0 && !accumulate ? 0f : 1f, new Span<float>(dw, g.OutChannels * k), k);
            }
        }
        finally { ArrayPool<float>.Shared.Return(col); }
    }
}
