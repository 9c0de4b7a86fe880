/* KID pieces (FID_KID.md section 8.4), float64: the polynomial kernel k(x, y) = (gamma x.y + coef0)^3
   applied in place to a Gram matrix G = X Y^T (a cuBLAS DGEMM), and the off-diagonal sum that the
   unbiased MMD^2 estimator needs:
     MMD^2 = offdiag(Kxx)/(m(m-1)) + offdiag(Kyy)/(m(m-1)) - 2 sum(Kxy)/m^2
   Legend: count = elements of the Gram matrix, m = order of a square Gram matrix.
   offdiag: G block partials like reduce.cu (pass 2: opk_sum_f64_fwd_v1 with squared = 0).
   v1  one thread per element, grid-stride; block reduction for the sum                <- default
   Entry points: opk_kid_poly_fwd_v1, opk_kid_offdiag_sum_fwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorKidTests.cs vs Cpu/Reference/KidReference.cs */
#include "opk.cuh"

extern "C" __global__ void opk_kid_poly_fwd_v1(double* g, int count, double gamma, double coef0)
{
    for (long i = opk_global_index(); i < count; i += opk_grid_stride()) {
        const double b = gamma * g[i] + coef0;
        g[i] = b * b * b;
    }
}

extern "C" __global__ void opk_kid_offdiag_sum_fwd_v1(const double* k, double* partial, int m)
{
    __shared__ double scratch[OPK_WARP];
    const long total = (long)m * m;
    double acc = 0.0;
    for (long i = opk_global_index(); i < total; i += opk_grid_stride())
        if (i / m != i % m) acc += k[i];
    const double sum = opk_block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = sum;
}

OPK_EMU_REGISTER(opk_kid_poly_fwd_v1)
OPK_EMU_REGISTER(opk_kid_offdiag_sum_fwd_v1)
