/* Nearest-neighbour upsampling of NCHW planes by an integer factor S (PyTorch Upsample(scale_factor=S,
   mode="nearest")), forward + accumulating backward (STYLE.md G3).
   Legend: P = N*C planes of H x W in, H*S x W*S out.
   v1  fwd: one thread per output element; bwd: one thread per input element summing its S x S
       block of dy (a gather: deterministic, no atomics); grid-stride                     <- default
   Entry points: opk_upsample_nearest_fwd_v1, opk_upsample_nearest_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorUpsampleConcatTests.cs vs Cpu/Reference/UpsampleReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_upsample_nearest_fwd_v1(const float* x, float* y, int P, int H, int W, int S)
{
    const int Ho = H * S, Wo = W * S;
    const long total = (long)P * Ho * Wo;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const int ow = (int)(i % Wo);
        const int oh = (int)((i / Wo) % Ho);
        const long p = i / ((long)Wo * Ho);
        y[i] = x[(p * H + oh / S) * W + ow / S];
    }
}

extern "C" __global__ void opk_upsample_nearest_bwd_v1(const float* dy, float* dx, int P, int H, int W, int S, int accumulate)
{
    const int Wo = W * S;
    const long total = (long)P * H * W;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const int w = (int)(i % W);
        const int h = (int)((i / W) % H);
        const long p = i / ((long)W * H);
        const float* block = dy + ((p * H + h) * S * (long)Wo) + (long)w * S;   /* top-left of the S x S block */
        float local = 0.0f;
        for (int a = 0; a < S; a++)
            for (int b = 0; b < S; b++) local += block[(long)a * Wo + b];
        dx[i] = (accumulate ? dx[i] : 0.0f) + local;
    }
}

OPK_EMU_REGISTER(opk_upsample_nearest_fwd_v1)
OPK_EMU_REGISTER(opk_upsample_nearest_bwd_v1)
