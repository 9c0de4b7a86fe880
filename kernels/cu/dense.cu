/* Dense kernels of the CUDA tensor backend: a plain row-major SGEMM and direct 2-D convolution
   (forward, backward-input, backward-weight, backward-bias), NCHW, OIHW weights, any stride,
   padding and dilation. On a real GPU the backend uses cuBLAS for GEMM (CublasGemm.cs); these
   kernels are the emulated-device path, the fallback when cuBLAS is missing, and the conv path
   (v0 of conv is these kernels; cuDNN is not wired yet).
   v1  one thread per output element, double accumulation, fixed summation order        <- default
   Backward contract (STYLE.md G3): out = (accumulate ? out : 0) + local.
   Entry points: opk_gemm_fwd_v1, opk_conv_fwd_v1, opk_conv_input_bwd_v1, opk_conv_weight_bwd_v1,
   opk_conv_bias_bwd_v1
   Tested: tests/Opacity.Kernels.Tests/Cuda/EmulatorDenseKernelTests.cs vs Gemm/ConvReference. */
#include "opk.cuh"

#define OPK_FOR_EACH(i, n) for (long i = opk_global_index(); i < (long)(n); i += opk_grid_stride())

/* C[m x n] (+)= op(A) op(B); A is m x k (k x m when transA), B is k x n (n x k when transB). */
extern "C" __global__ void opk_gemm_fwd_v1(int transA, int transB, int m, int n, int k, const float* a, const float* b,
    float* c, int accumulate)
{
    OPK_FOR_EACH(e, (long)m * n)
    {
        const long i = e / n, j = e % n;
        double s = 0.0;
        for (int p = 0; p < k; p++)
        {
            const float va = transA ? a[(long)p * m + i] : a[i * k + p];
            const float vb = transB ? b[j * k + p] : b[(long)p * n + j];
            s += (double)va * vb;
        }
        c[e] = accumulate ? c[e] + (float)s : (float)s;
    }
}

/* Geometry packed as ints: g[0..12] = N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW. */
#define OPK_CONV_ARGS int N, int C, int H, int W, int O, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW
#define OPK_OUT_H ((H + 2 * PH - DH * (KH - 1) - 1) / SH + 1)
#define OPK_OUT_W ((W + 2 * PW - DW * (KW - 1) - 1) / SW + 1)

extern "C" __global__ void opk_conv_fwd_v1(const float* x, const float* w, const float* bias, float* y, int accumulate, OPK_CONV_ARGS)
{
    const int OH = OPK_OUT_H, OW = OPK_OUT_W;
    OPK_FOR_EACH(e, (long)N * O * OH * OW)
    {
        const int ow = (int)(e % OW), oh = (int)(e / OW % OH), o = (int)(e / ((long)OW * OH) % O);
        const long nb = e / ((long)OW * OH * O);
        double s = bias ? (double)bias[o] : 0.0;
        for (int ci = 0; ci < C; ci++)
            for (int r = 0; r < KH; r++)
            {
                const int ih = oh * SH - PH + r * DH;
                if (ih < 0 || ih >= H) continue;
                for (int q = 0; q < KW; q++)
                {
                    const int iw = ow * SW - PW + q * DW;
                    if (iw < 0 || iw >= W) continue;
                    s += (double)x[((nb * C + ci) * H + ih) * W + iw] * w[(((long)o * C + ci) * KH + r) * KW + q];
                }
            }
        y[e] = accumulate ? y[e] + (float)s : (float)s;
    }
}

/* Gather: input pixel (ih, iw) of channel ci collects every (o, oh, ow, r, q) that reads it. */
extern "C" __global__ void opk_conv_input_bwd_v1(const float* w, const float* dy, float* dx, int accumulate, OPK_CONV_ARGS)
{
    const int OH = OPK_OUT_H, OW = OPK_OUT_W;
    OPK_FOR_EACH(e, (long)N * C * H * W)
    {
        const int iw = (int)(e % W), ih = (int)(e / W % H), ci = (int)(e / ((long)W * H) % C);
        const long nb = e / ((long)W * H * C);
        double s = 0.0;
        for (int o = 0; o < O; o++)
            for (int r = 0; r < KH; r++)
            {
                const int th = ih + PH - r * DH;
                if (th < 0 || th % SH != 0 || th / SH >= OH) continue;
                for (int q = 0; q < KW; q++)
                {
                    const int tw = iw + PW - q * DW;
                    if (tw < 0 || tw % SW != 0 || tw / SW >= OW) continue;
                    s += (double)dy[((nb * O + o) * OH + th / SH) * OW + tw / SW] * w[(((long)o * C + ci) * KH + r) * KW + q];
                }
            }
        dx[e] = accumulate ? dx[e] + (float)s : (float)s;
    }
}

extern "C" __global__ void opk_conv_weight_bwd_v1(const float* x, const float* dy, float* dw, int accumulate, OPK_CONV_ARGS)
{
    const int OH = OPK_OUT_H, OW = OPK_OUT_W;
    OPK_FOR_EACH(e, (long)O * C * KH * KW)
    {
        const int q = (int)(e % KW), r = (int)(e / KW % KH), ci = (int)(e / ((long)KW * KH) % C);
        const int o = (int)(e / ((long)KW * KH * C));
        double s = 0.0;
        for (int nb = 0; nb < N; nb++)
            for (int oh = 0; oh < OH; oh++)
            {
                const int ih = oh * SH - PH + r * DH;
                if (ih < 0 || ih >= H) continue;
                for (int ow = 0; ow < OW; ow++)
                {
                    const int iw = ow * SW - PW + q * DW;
                    if (iw < 0 || iw >= W) continue;
                    s += (double)x[(((long)nb * C + ci) * H + ih) * W + iw] * dy[(((long)nb * O + o) * OH + oh) * OW + ow];
                }
            }
        dw[e] = accumulate ? dw[e] + (float)s : (float)s;
    }
}

extern "C" __global__ void opk_conv_bias_bwd_v1(const float* dy, float* db, int accumulate, int N, int O, int planeSize)
{
    OPK_FOR_EACH(o, O)
    {
        double s = 0.0;
        for (int nb = 0; nb < N; nb++)
            for (long e = 0; e < planeSize; e++) s += dy[((long)nb * O + o) * planeSize + e];
        db[o] = accumulate ? db[o] + (float)s : (float)s;
    }
}

OPK_EMU_REGISTER(opk_gemm_fwd_v1)
OPK_EMU_REGISTER(opk_conv_fwd_v1)
OPK_EMU_REGISTER(opk_conv_input_bwd_v1)
OPK_EMU_REGISTER(opk_conv_weight_bwd_v1)
OPK_EMU_REGISTER(opk_conv_bias_bwd_v1)
