/* Instance normalisation over each (n, c) plane, forward + accumulating backward (STYLE.md G3).
   Legend: N batch, C channels, HW = H*W plane size; NCHW contiguous. Biased variance (divide by HW),
   y = gamma[c] * (x - mean) * rstd + beta[c], rstd = 1/sqrt(var + eps); gamma/beta may be null
   (no affine: 1 and 0). The forward saves mean and rstd per plane (N*C floats each) for backward.
   v1  fwd: one block per plane (grid N*C), two block reductions (mean, then centred variance,
            which is more accurate than E[x^2]-E[x]^2)                                       <- default
       bwd: one block per channel (grid C), looping over n, so dgamma/dbeta are plain sums with no
            atomics (deterministic); per plane, with xhat = (x - mean)*rstd:
              dx = gamma*rstd*(dy - mean(dy) - xhat*mean(dy*xhat))   (term 1: direct, term 2: through
              the mean, term 3: through the variance), dgamma += sum(dy*xhat), dbeta += sum(dy).
   Launch: 1-D blocks, blockDim.x a multiple of 32 (<= 1024); any HW.
   Entry points: opk_instance_norm_fwd_v1, opk_instance_norm_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorInstanceNormTests.cs vs Cpu/Reference/InstanceNormReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_instance_norm_fwd_v1(const float* x, const float* gamma, const float* beta, float* y,
                                                    float* mean, float* rstd, int C, int HW, float eps)
{
    __shared__ float scratch[OPK_WARP];
    const long plane = blockIdx.x;
    const int c = (int)(plane % C);
    const float* xp = x + plane * HW;
    float* yp = y + plane * HW;

    float s = 0.0f;
    for (int t = threadIdx.x; t < HW; t += blockDim.x) s += xp[t];
    const float mu = opk_block_sum(s, scratch) / HW;

    float q = 0.0f;
    for (int t = threadIdx.x; t < HW; t += blockDim.x) { const float d = xp[t] - mu; q += d * d; }
    const float var = opk_block_sum(q, scratch) / HW;
    const float r = 1.0f / opk_sqrtf(var + eps);

    const float g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
    for (int t = threadIdx.x; t < HW; t += blockDim.x) yp[t] = g * (xp[t] - mu) * r + b;
    if (threadIdx.x == 0) {
        if (mean) mean[plane] = mu;
        if (rstd) rstd[plane] = r;
    }
}

extern "C" __global__ void opk_instance_norm_bwd_v1(const float* x, const float* gamma, const float* mean,
                                                    const float* rstd, const float* dy, float* dx, float* dgamma,
                                                    float* dbeta, int N, int C, int HW, int accumulateDx,
                                                    int accumulateParams)
{
    __shared__ float scratch[OPK_WARP];
    const int c = blockIdx.x;
    const float g = gamma ? gamma[c] : 1.0f;
    float dgammaSum = 0.0f, dbetaSum = 0.0f;
    for (int n = 0; n < N; n++) {
        const long plane = (long)n * C + c;
        const float* xp = x + plane * HW;
        const float* dyp = dy + plane * HW;
        const float mu = mean[plane], r = rstd[plane];

        float s1 = 0.0f, s2 = 0.0f;
        for (int t = threadIdx.x; t < HW; t += blockDim.x) {
            const float d = dyp[t];
            s1 += d;
            s2 += d * (xp[t] - mu) * r;
        }
        const float sumDy = opk_block_sum(s1, scratch);
        const float sumDyXhat = opk_block_sum(s2, scratch);
        dbetaSum += sumDy;
        dgammaSum += sumDyXhat;

        if (dx) {
            float* dxp = dx + plane * HW;
            const float meanDy = sumDy / HW, meanDyXhat = sumDyXhat / HW;
            for (int t = threadIdx.x; t < HW; t += blockDim.x) {
                const float xhat = (xp[t] - mu) * r;
                const float local = g * r * (dyp[t] - meanDy - xhat * meanDyXhat);
                dxp[t] = (accumulateDx ? dxp[t] : 0.0f) + local;
            }
        }
    }
    if (threadIdx.x == 0) {
        if (dgamma) dgamma[c] = (accumulateParams ? dgamma[c] : 0.0f) + dgammaSum;
        if (dbeta) dbeta[c] = (accumulateParams ? dbeta[c] : 0.0f) + dbetaSum;
    }
}

OPK_EMU_REGISTER(opk_instance_norm_fwd_v1)
OPK_EMU_REGISTER(opk_instance_norm_bwd_v1)
