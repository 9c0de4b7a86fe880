/* The generic elementwise layer of the CUDA tensor backend (CudaBackend): fill, strided block copy,
   broadcast binary ops, reduce-to-shape (the backward of broadcasting), every UnaryKind forward and
   backward, and the two product-rule terms of mul/div backward.
   v1  one thread per output element, grid-stride loop, any size; 64-bit index math per element
   v2  binary and reduce-to only, for long contiguous innermost rows (the launcher picks it: binary
       when the innermost dim has >= 128 elements, reduce-to when the innermost reduced dim is
       contiguous with >= 32 elements; measured on an H200, bench/results/nvidia-h200/):
       binary: a 2-D grid of (columns, rows), the row offsets computed once per row in 32 bits, so an
       element costs one multiply-add of index math (v1: three 64-bit divisions).
       reduce-to: one block per output element, its threads across each contiguous reduced row
       (coalesced: v1's thread walks its row alone), double per-thread sums then one block sum in a
       fixed order, so still deterministic.
   Shapes are coalesced by the launcher (BroadcastCuda.cs) to at most 4 dimensions; strides are in
   elements, 0 on a broadcast dimension. ReduceTo is deterministic: each output element sums its
   inputs in a fixed order (no atomics), accumulating in double.
   Unary kinds (same numbering as Opacity.Tensors.UnaryKind): 0 neg, 1 exp, 2 log, 3 sqrt, 4 abs,
   5 tanh, 6 sigmoid, 7 relu, 8 leaky relu (p1 = slope), 9 clamp (p1, p2), 10 pow (p1 = exponent).
   Backward contract (STYLE.md G3): dx = (accumulate ? dx : 0) + local.
   Entry points: opk_fill_fwd_v1, opk_copy_blocks_fwd_v1, opk_binary_fwd_v1, opk_binary_fwd_v2,
   opk_reduce_to_fwd_v1, opk_reduce_to_fwd_v2,
   opk_unary_fwd_v1, opk_unary_bwd_v1, opk_mul_acc_bwd_v1, opk_div_den_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorBackendKernelTests.cs vs the CPU kernels. */
#include "opk.cuh"

#define OPK_FOR_EACH(i, n) for (long i = opk_global_index(); i < (long)(n); i += opk_grid_stride())

extern "C" __global__ void opk_fill_fwd_v1(float* y, float value, int n)
{
    OPK_FOR_EACH(i, n) y[i] = value;
}

/* rows blocks of `length` elements: dst[d0 + r*ds + j] (+)= src[s0 + r*ss + j]. */
extern "C" __global__ void opk_copy_blocks_fwd_v1(const float* src, int s0, int ss, float* dst, int d0, int ds,
    int rows, int length, int accumulate)
{
    const long n = (long)rows * length;
    OPK_FOR_EACH(i, n)
    {
        const long r = i / length, j = i % length;
        const float v = src[s0 + r * ss + j];
        float* d = dst + d0 + r * ds + j;
        *d = accumulate ? *d + v : v;
    }
}

static __device__ __forceinline__ float opk_binary(int kind, float a, float b)
{
    switch (kind)
    {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        default: return a / b;
    }
}

/* y[i] = a[off_a(i)] op b[off_b(i)] over the 4-d shape (d0, d1, d2, d3), y contiguous. */
extern "C" __global__ void opk_binary_fwd_v1(int kind, const float* a, const float* b, float* y,
    int d0, int d1, int d2, int d3, int a0, int a1, int a2, int a3, int b0, int b1, int b2, int b3)
{
    const long n = (long)d0 * d1 * d2 * d3;
    OPK_FOR_EACH(i, n)
    {
        long r = i;
        const long i3 = r % d3; r /= d3;
        const long i2 = r % d2; r /= d2;
        const long i1 = r % d1; const long i0 = r / d1;
        const float va = a[i0 * a0 + i1 * a1 + i2 * a2 + i3 * a3];
        const float vb = b[i0 * b0 + i1 * b1 + i2 * b2 + i3 * b3];
        y[i] = opk_binary(kind, va, vb);
    }
}

/* v2: gridDim.y strides over the rows (d0*d1*d2), gridDim.x * blockDim.x over the row's d3 columns. */
extern "C" __global__ void opk_binary_fwd_v2(int kind, const float* a, const float* b, float* y,
    int d0, int d1, int d2, int d3, int a0, int a1, int a2, int a3, int b0, int b1, int b2, int b3)
{
    const unsigned rows = (unsigned)d0 * (unsigned)d1 * (unsigned)d2;
    for (unsigned r = blockIdx.y; r < rows; r += gridDim.y)
    {
        const unsigned i2 = r % (unsigned)d2, t = r / (unsigned)d2;
        const unsigned i1 = t % (unsigned)d1, i0 = t / (unsigned)d1;
        const float* ar = a + (long)i0 * a0 + (long)i1 * a1 + (long)i2 * a2;
        const float* br = b + (long)i0 * b0 + (long)i1 * b1 + (long)i2 * b2;
        float* yr = y + (long)r * d3;
        for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < d3; j += gridDim.x * blockDim.x)
            yr[j] = opk_binary(kind, ar[(long)j * a3], br[(long)j * b3]);
    }
}

/* dst[j] (+)= sum over the reduced dims of src: j runs over the kept dims (k0..k3, src strides
   ks0..ks3, dst contiguous in that order); the reduced dims are (r0..r3) with src strides rs0..rs3. */
extern "C" __global__ void opk_reduce_to_fwd_v1(const float* src, float* dst, int accumulate,
    int k0, int k1, int k2, int k3, int ks0, int ks1, int ks2, int ks3,
    int r0, int r1, int r2, int r3, int rs0, int rs1, int rs2, int rs3)
{
    const long n = (long)k0 * k1 * k2 * k3;
    const long m = (long)r0 * r1 * r2 * r3;
    OPK_FOR_EACH(j, n)
    {
        long t = j;
        const long j3 = t % k3; t /= k3;
        const long j2 = t % k2; t /= k2;
        const long j1 = t % k1; const long j0 = t / k1;
        const long base = j0 * ks0 + j1 * ks1 + j2 * ks2 + j3 * ks3;
        double s = 0.0;
        for (long q = 0; q < m; q++)
        {
            long u = q;
            const long q3 = u % r3; u /= r3;
            const long q2 = u % r2; u /= r2;
            const long q1 = u % r1; const long q0 = u / r1;
            s += src[base + q0 * rs0 + q1 * rs1 + q2 * rs2 + q3 * rs3];
        }
        dst[j] = accumulate ? dst[j] + (float)s : (float)s;
    }
}

/* v2: block j (grid-stride) owns dst[j]; the reduced rows (r0*r1*r2 of r3 elements, src stride rs3)
   are walked in order, the block's threads across each row. blockDim.x: a multiple of 32. */
extern "C" __global__ void opk_reduce_to_fwd_v2(const float* src, float* dst, int accumulate,
    int k0, int k1, int k2, int k3, int ks0, int ks1, int ks2, int ks3,
    int r0, int r1, int r2, int r3, int rs0, int rs1, int rs2, int rs3)
{
    __shared__ double scratch[32];
    const unsigned n = (unsigned)k0 * (unsigned)k1 * (unsigned)k2 * (unsigned)k3;
    const unsigned rows = (unsigned)r0 * (unsigned)r1 * (unsigned)r2;
    for (unsigned j = blockIdx.x; j < n; j += gridDim.x)
    {
        unsigned t = j;
        const unsigned j3 = t % (unsigned)k3; t /= (unsigned)k3;
        const unsigned j2 = t % (unsigned)k2; t /= (unsigned)k2;
        const unsigned j1 = t % (unsigned)k1, j0 = t / (unsigned)k1;
        const float* base = src + (long)j0 * ks0 + (long)j1 * ks1 + (long)j2 * ks2 + (long)j3 * ks3;
        double s = 0.0;
        for (unsigned row = 0; row < rows; row++)
        {
            const unsigned q2 = row % (unsigned)r2, u = row / (unsigned)r2;
            const unsigned q1 = u % (unsigned)r1, q0 = u / (unsigned)r1;
            const float* p = base + (long)q0 * rs0 + (long)q1 * rs1 + (long)q2 * rs2;
            for (int e = threadIdx.x; e < r3; e += blockDim.x) s += p[(long)e * rs3];
        }
        const double total = opk_block_sum(s, scratch);
        if (threadIdx.x == 0) dst[j] = accumulate ? dst[j] + (float)total : (float)total;
    }
}

static __device__ __forceinline__ float opk_unary(int kind, float x, float p1, float p2)
{
    switch (kind)
    {
        case 0: return -x;
        case 1: return opk_expf(x);
        case 2: return opk_logf(x);
        case 3: return opk_sqrtf(x);
        case 4: return x < 0.0f ? -x : x;
        case 5: return opk_tanhf(x);
        case 6: return 1.0f / (1.0f + opk_expf(-x));
        case 7: return x > 0.0f ? x : 0.0f;
        case 8: return x > 0.0f ? x : p1 * x;
        case 9: return x < p1 ? p1 : (x > p2 ? p2 : x);
        default: return opk_powf(x, p1);
    }
}

/* d/dx from the input x and the forward output y. */
static __device__ __forceinline__ float opk_unary_grad(int kind, float x, float y, float dy, float p1, float p2)
{
    switch (kind)
    {
        case 0: return -dy;
        case 1: return dy * y;
        case 2: return dy / x;
        case 3: return dy / (y + y);
        case 4: return x > 0.0f ? dy : (x < 0.0f ? -dy : 0.0f);
        case 5: return dy * (1.0f - y * y);
        case 6: return dy * y * (1.0f - y);
        case 7: return x > 0.0f ? dy : 0.0f * dy;
        case 8: return x > 0.0f ? dy : p1 * dy;
        case 9: return x >= p1 && x <= p2 ? dy : 0.0f;
        default: return dy * p1 * opk_powf(x, p1 - 1.0f);
    }
}

extern "C" __global__ void opk_unary_fwd_v1(int kind, const float* x, float* y, int n, float p1, float p2)
{
    OPK_FOR_EACH(i, n) y[i] = opk_unary(kind, x[i], p1, p2);
}

extern "C" __global__ void opk_unary_bwd_v1(int kind, const float* x, const float* y, const float* dy, float* dx, int n,
    int accumulate, float p1, float p2)
{
    OPK_FOR_EACH(i, n)
    {
        const float g = opk_unary_grad(kind, x[i], y[i], dy[i], p1, p2);
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

/* r (+)= b * c: the product-rule term of mul's backward. */
extern "C" __global__ void opk_mul_acc_bwd_v1(const float* b, const float* c, float* r, int n, int accumulate)
{
    OPK_FOR_EACH(i, n)
    {
        const float g = b[i] * c[i];
        r[i] = accumulate ? r[i] + g : g;
    }
}

/* r (+)= -dy * a / b^2: the denominator term of div's backward. */
extern "C" __global__ void opk_div_den_bwd_v1(const float* a, const float* b, const float* dy, float* r, int n, int accumulate)
{
    OPK_FOR_EACH(i, n)
    {
        const float g = -dy[i] * a[i] / (b[i] * b[i]);
        r[i] = accumulate ? r[i] + g : g;
    }
}

OPK_EMU_REGISTER(opk_fill_fwd_v1)
OPK_EMU_REGISTER(opk_copy_blocks_fwd_v1)
OPK_EMU_REGISTER(opk_binary_fwd_v1)
OPK_EMU_REGISTER(opk_binary_fwd_v2)
OPK_EMU_REGISTER(opk_reduce_to_fwd_v1)
OPK_EMU_REGISTER(opk_reduce_to_fwd_v2)
OPK_EMU_REGISTER(opk_unary_fwd_v1)
OPK_EMU_REGISTER(opk_unary_bwd_v1)
OPK_EMU_REGISTER(opk_mul_acc_bwd_v1)
OPK_EMU_REGISTER(opk_div_den_bwd_v1)
