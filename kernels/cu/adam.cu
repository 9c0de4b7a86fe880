/* Fused Adam update (Kingma & Ba; the torch.optim.Adam formulation) over N parameters, in place.
     g' = g + weightDecay*p              (L2 penalty, Adam's weight_decay; 0 for CycleGAN)
     m  = beta1*m + (1-beta1)*g'
     v  = beta2*v + (1-beta2)*g'^2
     p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps),   bc1 = 1-beta1^t, bc2 = 1-beta2^t
   The bias corrections bc1, bc2 are computed once per step on the host (in double) and passed in.
   An optimiser step has no backward, so its entry point is named _update_ instead of _fwd_.
   v1  one thread per parameter, grid-stride                                            <- default
   Entry points: opk_adam_update_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorAdamTests.cs vs Cpu/Reference/AdamReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_adam_update_v1(float* p, const float* g, float* m, float* v, int n, float lr,
                                              float beta1, float beta2, float eps, float weightDecay, float bc1,
                                              float bc2)
{
    const float stepSize = lr / bc1;
    const float invSqrtBc2 = 1.0f / opk_sqrtf(bc2);
    for (long i = opk_global_index(); i < n; i += opk_grid_stride()) {
        const float grad = g[i] + weightDecay * p[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * grad;
        const float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        p[i] -= stepSize * mi / (opk_sqrtf(vi) * invSqrtBc2 + eps);
    }
}

OPK_EMU_REGISTER(opk_adam_update_v1)
