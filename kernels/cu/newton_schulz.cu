/* Newton-Schulz matrix square root pieces for the GPU FID path (FID_KID.md section 8.3), float64.
   Legend: d = matrix order; matrices are d x d, row-major, contiguous. The GEMMs of each iteration
   (ZY, YT, TZ) are cuBLAS DGEMMs; these kernels are the parts around them:
     init:   Y0 = M * invNorm (invNorm = 1/||M||_F, computed with opk_sum_f64_fwd_v1 squared), Z0 = I
     t:      T = (3I - ZY) / 2
     trace:  out[0] = sum_i A[i,i] (one block; the stopping rule reads tr(Y_k) every iteration)
   Then tr sqrt(M) ~= sqrt(||M||_F) * tr(Y_K).
   v1  init/t: one thread per element, grid-stride; trace: one block reduction         <- default
   Entry points: opk_ns_init_fwd_v1, opk_ns_t_fwd_v1, opk_trace_f64_fwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorNewtonSchulzTests.cs vs
   Cpu/Reference/NewtonSchulzReference.cs (and the exact trace of a known spectrum). */
#include "opk.cuh"

extern "C" __global__ void opk_ns_init_fwd_v1(const double* m, double* y, double* z, int d, double invNorm)
{
    const long total = (long)d * d;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        y[i] = m[i] * invNorm;
        z[i] = (i / d == i % d) ? 1.0 : 0.0;
    }
}

extern "C" __global__ void opk_ns_t_fwd_v1(const double* zy, double* t, int d)
{
    const long total = (long)d * d;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride())
        t[i] = 0.5 * ((i / d == i % d) ? 3.0 - zy[i] : -zy[i]);
}

/* Launch with one block. */
extern "C" __global__ void opk_trace_f64_fwd_v1(const double* a, double* out, int d)
{
    __shared__ double scratch[OPK_WARP];
    double acc = 0.0;
    for (int i = threadIdx.x; i < d; i += blockDim.x) acc += a[(long)i * d + i];
    const double total = opk_block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = total;
}

OPK_EMU_REGISTER(opk_ns_init_fwd_v1)
OPK_EMU_REGISTER(opk_ns_t_fwd_v1)
OPK_EMU_REGISTER(opk_trace_f64_fwd_v1)
