/* Sum of N contiguous floats, in two deterministic launches (no atomics):
     pass 1: opk_sum_fwd_v1 over x with G blocks writes G block partials,
     pass 2: opk_sum_fwd_v1 over the G partials with 1 block writes the total.
   Each thread accumulates a grid-stride slice, then the block reduces with warp shuffles
   (opk_warp_sum) and a __shared__ array of per-warp sums (opk_block_sum, opk.cuh).
   Launch: 1-D blocks, blockDim.x a multiple of 32 (<= 1024); any N, any G >= 1.
   v1  as above                                                                        <- default
   Entry points: opk_sum_fwd_v1
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

OPK_EMU_REGISTER(opk_sum_fwd_v1)
