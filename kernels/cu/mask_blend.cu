/* Activation-mask blend y = m*g + (1-m)*x, forward and fused backward (accumulating, STYLE.md G3).
   Legend: N batch, C channels of g/x/y, Cm channels of the mask m (1: broadcast over C, or C),
   HW = H*W plane size. All tensors NCHW, contiguous.
   v1  fwd: one thread per output element, grid-stride, any size                     <- default
       bwd: one thread per mask element; it loops over the C/Cm channels that share that mask
            value, so dm needs no atomics and the pass is deterministic; dm, dg, dx in one pass.
   Entry points: opk_mask_blend_fwd_v1, opk_mask_blend_bwd_v1
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
OPK_EMU_REGISTER(opk_mask_blend_bwd_v1)
