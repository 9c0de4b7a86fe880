/* 2-D reflection padding (PyTorch ReflectionPad2d), forward + accumulating backward (STYLE.md G3).
   Legend: P = N*C planes of H x W in, Ho = H + top + bottom, Wo = W + left + right out; pads < H, < W.
   reflect(i, n) maps an out-of-range index back inside without repeating the edge:
   -1 -> 1, n -> n-2.
   v1  fwd: one thread per output element, grid-stride                                  <- default
       bwd: one thread per input element that gathers the (at most 3 x 3) output positions
            reflecting onto it: deterministic, no atomics.
   Entry points: opk_reflection_pad_fwd_v1, opk_reflection_pad_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorReflectionPadTests.cs vs Cpu/Reference/ReflectionPadReference.cs */
#include "opk.cuh"

static __device__ __forceinline__ int opk_reflect(int i, int n)
{
    if (i < 0) return -i;
    if (i >= n) return 2 * (n - 1) - i;
    return i;
}

/* The k-th (k = 0, 1, 2) output coordinate o in [0, size + before + after) with
   reflect(o - before) == i, or -1 if there is none. k is a compile-time constant after unrolling,
   which keeps everything in registers (an array of candidates cost a 24-byte stack frame). */
static __device__ __forceinline__ int opk_reflect_source(int i, int size, int before, int after, int k)
{
    if (k == 0) return i + before;                                           /* the copy itself */
    if (k == 1) return (i >= 1 && i <= before) ? before - i : -1;            /* leading pad */
    return (i <= size - 2 && i >= size - 1 - after) ? before + 2 * (size - 1) - i : -1; /* trailing pad */
}

extern "C" __global__ void opk_reflection_pad_fwd_v1(const float* x, float* y, int P, int H, int W, int top,
                                                     int bottom, int left, int right)
{
    const int Ho = H + top + bottom, Wo = W + left + right;
    const long total = (long)P * Ho * Wo;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const int ow = (int)(i % Wo);
        const int oh = (int)((i / Wo) % Ho);
        const long p = i / ((long)Wo * Ho);
        y[i] = x[(p * H + opk_reflect(oh - top, H)) * W + opk_reflect(ow - left, W)];
    }
}

extern "C" __global__ void opk_reflection_pad_bwd_v1(const float* dy, float* dx, int P, int H, int W, int top,
                                                     int bottom, int left, int right, int accumulate)
{
    const int Ho = H + top + bottom, Wo = W + left + right;
    const long total = (long)P * H * W;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const int w = (int)(i % W);
        const int h = (int)((i / W) % H);
        const long p = i / ((long)W * H);
        const float* dyp = dy + p * Ho * Wo;
        float local = 0.0f;
#pragma unroll
        for (int a = 0; a < 3; a++) {
            const int oh = opk_reflect_source(h, H, top, bottom, a);
            if (oh < 0) continue;
#pragma unroll
            for (int b = 0; b < 3; b++) {
                const int ow = opk_reflect_source(w, W, left, right, b);
                if (ow >= 0) local += dyp[(long)oh * Wo + ow];
            }
        }
        dx[i] = (accumulate ? dx[i] : 0.0f) + local;
    }
}

OPK_EMU_REGISTER(opk_reflection_pad_fwd_v1)
OPK_EMU_REGISTER(opk_reflection_pad_bwd_v1)
