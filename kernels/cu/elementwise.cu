/* Elementwise ops over N contiguous floats: add, mul, scale (+ their backward) and the
   activations relu, leaky relu, tanh, sigmoid (forward + accumulating backward, STYLE.md G3).
   v1  one thread per element, grid-stride loop, any N                                <- default
   Backward contract: dx = (accumulate ? dx : 0) + local; a null gradient pointer skips it.
   tanh/sigmoid backward read the forward output y (saved by the engine), relu/leaky relu read x;
   the kink at 0 takes the negative branch (slope), as PyTorch does.
   Entry points: opk_add_fwd_v1, opk_mul_fwd_v1, opk_mul_bwd_v1, opk_scale_fwd_v1, opk_scale_bwd_v1,
   opk_relu_fwd_v1, opk_relu_bwd_v1, opk_leaky_relu_fwd_v1, opk_leaky_relu_bwd_v1,
   opk_tanh_fwd_v1, opk_tanh_bwd_v1, opk_sigmoid_fwd_v1, opk_sigmoid_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorElementwiseTests.cs vs Cpu/Reference/ElementwiseReference.cs */
#include "opk.cuh"

#define OPK_FOR_EACH(i, n) for (long i = opk_global_index(); i < (long)(n); i += opk_grid_stride())

static __device__ __forceinline__ void opk_store_grad(float* d, long i, float local, int accumulate)
{
    d[i] = (accumulate ? d[i] : 0.0f) + local;
}

extern "C" __global__ void opk_add_fwd_v1(const float* a, const float* b, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = a[i] + b[i];
}

extern "C" __global__ void opk_mul_fwd_v1(const float* a, const float* b, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = a[i] * b[i];
}

/* y = a*b: da = dy*b, db = dy*a. */
extern "C" __global__ void opk_mul_bwd_v1(const float* a, const float* b, const float* dy, float* da, float* db,
                                          int n, int accumulateA, int accumulateB)
{
    OPK_FOR_EACH(i, n) {
        const float d = dy[i];
        if (da) opk_store_grad(da, i, d * b[i], accumulateA);
        if (db) opk_store_grad(db, i, d * a[i], accumulateB);
    }
}

extern "C" __global__ void opk_scale_fwd_v1(const float* x, float alpha, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = alpha * x[i];
}

/* y = alpha*x: dx = alpha*dy. With alpha = 1 this is also the backward of add (for each input). */
extern "C" __global__ void opk_scale_bwd_v1(const float* dy, float alpha, float* dx, int n, int accumulate)
{
    OPK_FOR_EACH(i, n) opk_store_grad(dx, i, alpha * dy[i], accumulate);
}

extern "C" __global__ void opk_relu_fwd_v1(const float* x, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

extern "C" __global__ void opk_relu_bwd_v1(const float* x, const float* dy, float* dx, int n, int accumulate)
{
    OPK_FOR_EACH(i, n) opk_store_grad(dx, i, x[i] > 0.0f ? dy[i] : 0.0f, accumulate);
}

extern "C" __global__ void opk_leaky_relu_fwd_v1(const float* x, float slope, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

extern "C" __global__ void opk_leaky_relu_bwd_v1(const float* x, const float* dy, float slope, float* dx, int n,
                                                 int accumulate)
{
    OPK_FOR_EACH(i, n) opk_store_grad(dx, i, x[i] > 0.0f ? dy[i] : slope * dy[i], accumulate);
}

extern "C" __global__ void opk_tanh_fwd_v1(const float* x, float* y, int n)
{
    OPK_FOR_EACH(i, n) y[i] = opk_tanhf(x[i]);
}

/* d tanh(x)/dx = 1 - y^2 */
extern "C" __global__ void opk_tanh_bwd_v1(const float* y, const float* dy, float* dx, int n, int accumulate)
{
    OPK_FOR_EACH(i, n) opk_store_grad(dx, i, dy[i] * (1.0f - y[i] * y[i]), accumulate);
}

/* 1/(1+exp(-x)), written so that exp never overflows: for x < 0 use exp(x)/(1+exp(x)). */
extern "C" __global__ void opk_sigmoid_fwd_v1(const float* x, float* y, int n)
{
    OPK_FOR_EACH(i, n) {
        const float v = x[i];
        const float e = opk_expf(-(v < 0.0f ? -v : v));
        y[i] = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

/* d sigmoid(x)/dx = y*(1-y) */
extern "C" __global__ void opk_sigmoid_bwd_v1(const float* y, const float* dy, float* dx, int n, int accumulate)
{
    OPK_FOR_EACH(i, n) opk_store_grad(dx, i, dy[i] * y[i] * (1.0f - y[i]), accumulate);
}

OPK_EMU_REGISTER(opk_add_fwd_v1)
OPK_EMU_REGISTER(opk_mul_fwd_v1)
OPK_EMU_REGISTER(opk_mul_bwd_v1)
OPK_EMU_REGISTER(opk_scale_fwd_v1)
OPK_EMU_REGISTER(opk_scale_bwd_v1)
OPK_EMU_REGISTER(opk_relu_fwd_v1)
OPK_EMU_REGISTER(opk_relu_bwd_v1)
OPK_EMU_REGISTER(opk_leaky_relu_fwd_v1)
OPK_EMU_REGISTER(opk_leaky_relu_bwd_v1)
OPK_EMU_REGISTER(opk_tanh_fwd_v1)
OPK_EMU_REGISTER(opk_tanh_bwd_v1)
OPK_EMU_REGISTER(opk_sigmoid_fwd_v1)
OPK_EMU_REGISTER(opk_sigmoid_bwd_v1)
