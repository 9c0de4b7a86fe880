/* Sum of N contiguous floats, in two deterministic launches (no atomics):
     pass 1: opk_sum_fwd_v1 over x with G blocks writes G block partials,
     pass 2: opk_sum_fwd_v1 over the G partials with 1 block writes the total.
   Each thread accumulates a grid-stride slice, then the block reduces with warp shuffles
   (opk_warp_sum) and a __shared__ array of per-warp sums (opk_block_sum, opk.cuh).
   opk_sum_f64_fwd_v1 is the float64 twin (FID/KID statistics, FID_KID.md section 8), with `squared`
   = 1 summing x^2 instead (pass 1 of a Frobenius norm; pass 2 then runs with squared = 0).
   Launch: 1-D blocks, blockDim.x a multiple of 32 (<= 1024); any N, any G >= 1.
   v1  as above                                                                        <- default
   Entry points: opk_sum_fwd_v1, opk_sum_f64_fwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorReduceTests.cs vs Cpu/Reference/ReduceReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_sum_fwd_v1(const float* x, float* partial, int n)
{
    __shared__ float scratch[OPK_WARP];
    float acc = 0.0f;
    for (long i = opk_global_index(); i < n; i += opk_grid_stride()) acc += x[i];
    const float total = opk_block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = total;
}

extern "C" __global__ void opk_sum_f64_fwd_v1(const double* x, double* partial, int n, int squared)
{
    __shared__ double scratch[OPK_WARP];
    double acc = 0.0;
    for (long i = opk_global_index(); i < n; i += opk_grid_stride()) acc += squared ? x[i] * x[i] : x[i];
    const double total = opk_block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = total;
}

OPK_EMU_REGISTER(opk_sum_fwd_v1)
OPK_EMU_REGISTER(opk_sum_f64_fwd_v1)
