/* Channel concatenation (U-Net skips) and its backward, from one channel-slice copy:
     dst[n, dstOffset + k, p] = (accumulate ? dst : 0) + src[n, srcOffset + k, p],  k < count
   Concat forward = two copies into y (offsets 0 and Ca, accumulate 0); backward = two copies out of
   dy (da from channels [0, Ca), db from [Ca, Ca+Cb)), accumulating per G3.
   Legend: N batch, HW plane size, srcC/dstC channel counts of the two NCHW tensors.
   v1  one thread per copied element, grid-stride                                       <- default
   Entry points: opk_channel_copy_fwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorUpsampleConcatTests.cs vs Cpu/Reference/ConcatReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_channel_copy_fwd_v1(const float* src, float* dst, int N, int HW, int srcC, int srcOffset,
                                                   int dstC, int dstOffset, int count, int accumulate)
{
    const long perImage = (long)count * HW;
    const long total = (long)N * perImage;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride()) {
        const long n = i / perImage, r = i % perImage;   /* r = k*HW + p */
        const long s = (n * srcC + srcOffset) * HW + r;
        const long d = (n * dstC + dstOffset) * HW + r;
        dst[d] = (accumulate ? dst[d] : 0.0f) + src[s];
    }
}

OPK_EMU_REGISTER(opk_channel_copy_fwd_v1)
