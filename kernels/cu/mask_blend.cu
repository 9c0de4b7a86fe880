/* Activation-mask blend y = m*g + (1-m)*x, forward and fused backward (accumulating, STYLE.md G3).
   Legend: N batch, C channels of g/x/y, Cm channels of the mask m (1: broadcast over C, or C),
   HW = H*W plane size. All tensors NCHW, contiguous.
   v1  fwd: one thread per output element, grid-stride, any size                     <- default
       bwd: one thread per mask element; it loops over the C/Cm channels that share that mask
            value, so dm needs no atomics and the pass is deterministic; dm, dg, dx in one pass.
   v2  fwd: 4 elements per thread with 16-byte vector loads/stores of g, x, y (the mask is read
            per element: a group of 4 may straddle a plane); falls back to the v1 loop when g, x or
            y is not 16-byte aligned; the N % 4 tail is scalar. Any size.
   Entry points: opk_mask_blend_fwd_v1, opk_mask_blend_fwd_v2, opk_mask_blend_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorMaskBlendTests.cs (emulator vs
   Cpu/Reference/MaskBlendReference.cs) and CudaDeviceTests.cs (real GPU, when present). */
#include "opk.cuh"

extern "C" __global__ void opk_mask_blend_fwd_v1(const float* m, const float* g, const float* x, float* y,
                                                 int N, int C, int Cm, int HW)
{
    const long total = (long)N * C * HW;
    const int group = C / Cm; /* channels of g that read the same mask channel */
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const long plane = i / HW, p = i % HW;
        const long n = plane / C, c = plane % C;
        const float mv = m[(n * Cm + c / group) * HW + p];
        y[i] = mv * g[i] + (1.0f - mv) * x[i];
    }
}

static __device__ __forceinline__ float opk_mask_at(const float* m, long i, int C, int Cm, int HW)
{
    const long plane = i / HW, p = i % HW;
    return m[((plane / C) * Cm + (plane % C) / (C / Cm)) * HW + p];
}

extern "C" __global__ void opk_mask_blend_fwd_v2(const float* m, const float* g, const float* x, float* y,
                                                 int N, int C, int Cm, int HW)
{
    const long total = (long)N * C * HW;
    if (!opk_aligned16(g) || !opk_aligned16(x) || !opk_aligned16(y)) {
        for (long i = opk_global_index(); i < total; i += opk_grid_stride())
            y[i] = opk_mask_at(m, i, C, Cm, HW) * g[i] + (1.0f - opk_mask_at(m, i, C, Cm, HW)) * x[i];
        return;
    }
    const long quads = total / 4;
    const opk_float4* g4 = (const opk_float4*)g;
    const opk_float4* x4 = (const opk_float4*)x;
    opk_float4* y4 = (opk_float4*)y;
    for (long q = opk_global_index(); q < quads; q += opk_grid_stride()) {
        const opk_float4 gv = g4[q], xv = x4[q];
        const long i = q * 4;
        const float m0 = opk_mask_at(m, i, C, Cm, HW), m1 = opk_mask_at(m, i + 1, C, Cm, HW);
        const float m2 = opk_mask_at(m, i + 2, C, Cm, HW), m3 = opk_mask_at(m, i + 3, C, Cm, HW);
        opk_float4 yv;
        yv.x = m0 * gv.x + (1.0f - m0) * xv.x;
        yv.y = m1 * gv.y + (1.0f - m1) * xv.y;
        yv.z = m2 * gv.z + (1.0f - m2) * xv.z;
        yv.w = m3 * gv.w + (1.0f - m3) * xv.w;
        y4[q] = yv;
    }
    for (long i = quads * 4 + opk_global_index(); i < total; i += opk_grid_stride())   /* tail */
        y[i] = opk_mask_at(m, i, C, Cm, HW) * g[i] + (1.0f - opk_mask_at(m, i, C, Cm, HW)) * x[i];
}

/* dy -> dm = sum over the channel group of dy*(g - x); dg = dy*m; dx = dy*(1 - m).
   A null output pointer skips that gradient. accumulate != 0: d += local, else d = local. */
extern "C" __global__ void opk_mask_blend_bwd_v1(const float* m, const float* g, const float* x, const float* dy,
                                                 float* dm, float* dg, float* dx, int N, int C, int Cm, int HW,
                                                 int accumulateDm, int accumulateDg, int accumulateDx)
{
    const long maskTotal = (long)N * Cm * HW;
    const int group = C / Cm;
    for (long j = opk_global_index(); j < maskTotal; j += opk_grid_stride()) {
        const long plane = j / HW, p = j % HW;
        const long n = plane / Cm, cm = plane % Cm;
        const float mv = m[j];
        float dmLocal = 0.0f;
        for (int k = 0; k < group; k++) {
            const long i = (n * C + cm * group + k) * HW + p;
            const float d = dy[i];
            dmLocal += d * (g[i] - x[i]);
            if (dg) dg[i] = (accumulateDg ? dg[i] : 0.0f) + d * mv;
            if (dx) dx[i] = (accumulateDx ? dx[i] : 0.0f) + d * (1.0f - mv);
        }
        if (dm) dm[j] = (accumulateDm ? dm[j] : 0.0f) + dmLocal;
    }
}

OPK_EMU_REGISTER(opk_mask_blend_fwd_v1)
OPK_EMU_REGISTER(opk_mask_blend_fwd_v2)
OPK_EMU_REGISTER(opk_mask_blend_bwd_v1)
