/* Spatial kernels of the CUDA tensor backend (CudaBackend): softmax / log-softmax, average and max
   pooling (square window, zero padding on every side, floor output; average with or without the padding
   in the divisor, max with padding as -inf), nearest and bilinear upsampling (half-pixel, clamped, as
   Opacity.Kernels.Cpu.Upsample), zero / reflection padding, and the statistics, apply and backward of
   instance norm (perInstance = 1) and batch norm (perInstance = 0).
   v1  forward: one thread per output element (softmax: per row; norm statistics: one block per
       group with a double block sum); backward scatters (max pool, upsample, padding) run one thread
       per plane in the CPU's loop order, so no atomics and the same summation order  <- default
   v2  softmax forward, norm statistics, norm apply, padding, resize and max-pool backward only (the launchers pick them; measured on an H200,
       bench/results/nvidia-h200/): softmax: one warp per row, its lanes across the axis (coalesced
       when inner = 1, the launcher's case; v1's thread walks its row alone); norm statistics: one
       pass (double sum and sum of squares, var = E[x^2] - mean^2: float data cannot cancel that in
       double), a plane loop outside so no division per element, up to 1024 threads a group;
       norm apply: a 2-D grid of (pixels, planes), scale and shift computed once per plane;
       padding backward: a gather, one thread per input pixel summing the (at most 3 x 3) output
       gradients that read it (v1's scatter runs one thread per plane: 38 % of a GAN step's device
       time on an H200). Needs every pad < its side (one reflection); the launcher checks.
       resize backward: the same gather, one thread per input pixel over the window of outputs
       that can read it, with the forward's own weights (opk_linear / opk_nearest); not yet timed on
       a GPU (the anchor GAN step has no upsampling), picked for the same reason as padding's.
       max-pool backward: the same gather, one thread per input pixel over the windows that can hold
       it (at most ceil(k/s)^2), adding dy where the window's argmax is that pixel, in v1's order, so
       bit-identical to v1; not yet timed on a GPU, picked for the same reason as padding's.
   Norm layout: group g, plane i starts at ((perInstance ? g : i*c + g) * hw); groups = n*c or c.
   Backward contract (STYLE.md G3): dx = (accumulate ? dx : 0) + local.
   Entry points: opk_softmax_fwd_v1, opk_softmax_fwd_v2, opk_softmax_bwd_v1, opk_avg_pool_fwd_v1, opk_avg_pool_bwd_v1,
   opk_max_pool_fwd_v1, opk_max_pool_bwd_v1, opk_max_pool_bwd_v2, opk_resize_fwd_v1, opk_resize_bwd_v1, opk_resize_bwd_v2, opk_pad_fwd_v1,
   opk_pad_bwd_v1, opk_pad_bwd_v2, opk_norm_stats_fwd_v1, opk_norm_stats_fwd_v2, opk_norm_apply_fwd_v1, opk_norm_apply_fwd_v2,
   opk_norm_sums_bwd_v1,
   opk_norm_params_bwd_v1, opk_norm_dx_bwd_v1
   Tested: through CudaBackend by tests/Opacity.Tensor.Tests/DeviceCatalogTests.cs ("emulated-cuda") vs the CPU
   float64 reference; every v2 vs v1 and the scalar references by tests/Opacity.Kernels.Tests/Cuda/EmulatorVersion2Tests.cs. */
#include "opk.cuh"

#define OPK_FOR_EACH(i, n) for (long i = opk_global_index(); i < (long)(n); i += opk_grid_stride())

extern "C" __global__ void opk_softmax_fwd_v1(int log, const float* x, int outer, int axis, int inner, float* y)
{
    OPK_FOR_EACH(t, (long)outer * inner)
    {
        const long b = (t / inner) * axis * inner + t % inner;
        float mx = -__builtin_huge_valf();
        for (int a = 0; a < axis; a++) { const float v = x[b + (long)a * inner]; mx = v > mx ? v : mx; }
        double sum = 0.0;
        for (int a = 0; a < axis; a++) sum += opk_expf(x[b + (long)a * inner] - mx);
        const float logSum = opk_logf((float)sum);
        for (int a = 0; a < axis; a++)
        {
            const float z = x[b + (long)a * inner] - mx - logSum;
            y[b + (long)a * inner] = log ? z : opk_expf(z);
        }
    }
}

/* v2: warp w of the grid (grid-stride) owns row t = (outer, inner); lanes take axis entries a = lane,
   lane + 32, ...; max and sum by butterfly shuffles, the sum in double. blockDim.x: a multiple of 32. */
extern "C" __global__ void opk_softmax_fwd_v2(int log, const float* x, int outer, int axis, int inner, float* y)
{
    const unsigned lane = threadIdx.x % OPK_WARP, warps = blockDim.x / OPK_WARP;
    const unsigned rows = (unsigned)outer * (unsigned)inner;
    for (unsigned t = blockIdx.x * warps + threadIdx.x / OPK_WARP; t < rows; t += gridDim.x * warps)
    {
        const float* xr = x + (long)(t / (unsigned)inner) * axis * inner + t % (unsigned)inner;
        float* yr = y + (xr - x);
        float mx = -__builtin_huge_valf();
        for (int a = lane; a < axis; a += OPK_WARP) { const float v = xr[(long)a * inner]; mx = v > mx ? v : mx; }
        for (int m = OPK_WARP / 2; m > 0; m >>= 1) { const float o = opk_shfl_xor(mx, m); mx = o > mx ? o : mx; }
        double sum = 0.0;
        for (int a = lane; a < axis; a += OPK_WARP) sum += opk_expf(xr[(long)a * inner] - mx);
        const float logSum = opk_logf((float)opk_warp_sum(sum));
        for (int a = lane; a < axis; a += OPK_WARP)
        {
            const float z = xr[(long)a * inner] - mx - logSum;
            yr[(long)a * inner] = log ? z : opk_expf(z);
        }
    }
}

extern "C" __global__ void opk_softmax_bwd_v1(int log, const float* y, const float* dy, int outer, int axis, int inner,
    float* dx, int accumulate)
{
    OPK_FOR_EACH(t, (long)outer * inner)
    {
        const long b = (t / inner) * axis * inner + t % inner;
        double s = 0.0;
        for (int a = 0; a < axis; a++)
        {
            const long k = b + (long)a * inner;
            s += log ? (double)dy[k] : (double)(dy[k] * y[k]);
        }
        const float st = (float)s;
        for (int a = 0; a < axis; a++)
        {
            const long k = b + (long)a * inner;
            const float g = log ? dy[k] - opk_expf(y[k]) * st : y[k] * (dy[k] - st);
            dx[k] = accumulate ? dx[k] + g : g;
        }
    }
}

/* Window of output o along one axis: first and end (exclusive) input index clipped to [0, size), and the
   extent clipped to [-pad, size + pad) that PyTorch divides by when padding counts. */
static __device__ __forceinline__ void opk_pool_window(int o, int size, int k, int s, int pad, int* start, int* end, int* padded)
{
    const int a = o * s - pad;
    const int pe = a + k < size + pad ? a + k : size + pad;
    *padded = pe - a;
    *start = a > 0 ? a : 0;
    *end = a + k < size ? a + k : size;
}

extern "C" __global__ void opk_avg_pool_fwd_v1(const float* x, int planes, int h, int w, int k, int s, int pad, int countIncludePad, float* y)
{
    const int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    OPK_FOR_EACH(o, (long)planes * oh * ow)
    {
        const long p = o / ((long)oh * ow);
        const int r = (int)(o / ow % oh), q = (int)(o % ow);
        int r0, r1, rp, c0, c1, cp;
        opk_pool_window(r, h, k, s, pad, &r0, &r1, &rp);
        opk_pool_window(q, w, k, s, pad, &c0, &c1, &cp);
        float sum = 0.0f;
        for (int i = r0; i < r1; i++)
            for (int j = c0; j < c1; j++) sum += x[(p * h + i) * w + j];
        const int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
        y[o] = sum / (float)count;
    }
}

/* Gather: input pixel (i, j) collects every window that covers it. */
extern "C" __global__ void opk_avg_pool_bwd_v1(const float* dy, int planes, int h, int w, int k, int s, int pad, int countIncludePad,
    float* dx, int accumulate)
{
    const int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    OPK_FOR_EACH(e, (long)planes * h * w)
    {
        const long p = e / ((long)h * w);
        const int i = (int)(e / w % h), j = (int)(e % w);
        float g = 0.0f;
        for (int r = 0; r < oh; r++)
        {
            int r0, r1, rp;
            opk_pool_window(r, h, k, s, pad, &r0, &r1, &rp);
            if (i < r0 || i >= r1) continue;
            for (int q = 0; q < ow; q++)
            {
                int c0, c1, cp;
                opk_pool_window(q, w, k, s, pad, &c0, &c1, &cp);
                if (j < c0 || j >= c1) continue;
                const int count = countIncludePad ? rp * cp : (r1 - r0) * (c1 - c0);
                g += dy[(p * oh + r) * ow + q] / (float)count;
            }
        }
        dx[e] = accumulate ? dx[e] + g : g;
    }
}

/* argmax holds the flat input index of each window's maximum over the real pixels (padding is -inf;
   NaN wins, first maximum on ties). */
extern "C" __global__ void opk_max_pool_fwd_v1(const float* x, int planes, int h, int w, int k, int s, int pad, float* y, int* argmax)
{
    const int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    OPK_FOR_EACH(o, (long)planes * oh * ow)
    {
        const long p = o / ((long)oh * ow);
        const int r = (int)(o / ow % oh), q = (int)(o % ow);
        int r0, r1, rp, c0, c1, cp;
        opk_pool_window(r, h, k, s, pad, &r0, &r1, &rp);
        opk_pool_window(q, w, k, s, pad, &c0, &c1, &cp);
        long best = (p * h + r0) * w + c0;
        for (int i = r0; i < r1; i++)
            for (int j = c0; j < c1; j++)
            {
                const long idx = (p * h + i) * w + j;
                if (x[idx] > x[best] || x[idx] != x[idx]) best = idx;
            }
        y[o] = x[best];
        argmax[o] = (int)best;
    }
}

/* One thread per plane: its outputs scatter into its own input plane in output order. */
extern "C" __global__ void opk_max_pool_bwd_v1(const float* dy, const int* argmax, int planes, int outPerPlane, int inPerPlane,
    float* dx, int accumulate)
{
    OPK_FOR_EACH(p, planes)
    {
        if (!accumulate) for (long e = p * inPerPlane; e < (p + 1) * (long)inPerPlane; e++) dx[e] = 0.0f;
        for (long o = p * outPerPlane; o < (p + 1) * (long)outPerPlane; o++) dx[argmax[o]] += dy[o];
    }
}

/* Outputs along one axis whose window holds input i: o*s - pad <= i < o*s - pad + k, clipped to [0, out)
   (lo > hi when a stride longer than the window skips i). */
static __device__ __forceinline__ void opk_pool_cover(int i, int out, int k, int s, int pad, int* lo, int* hi)
{
    const int a = i + pad - k, b = (i + pad) / s;   // o*s > a and o*s <= i + pad
    *lo = a < 0 ? 0 : a / s + 1;
    *hi = b < out - 1 ? b : out - 1;
}

/* v2: the gather. Input pixel e visits the outputs whose window holds it in increasing output index, the
   order in which v1 adds them into dx[e], and keeps those whose argmax is e: the same float additions in
   the same order, so dx is v1's bit for bit. Needs each argmax inside its own window (the forward's). */
extern "C" __global__ void opk_max_pool_bwd_v2(const float* dy, const int* argmax, int planes, int h, int w, int k, int s, int pad,
    float* dx, int accumulate)
{
    const int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    const unsigned total = (unsigned)planes * (unsigned)h * (unsigned)w;
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x)
    {
        const unsigned p = e / ((unsigned)h * (unsigned)w);
        const int i = (int)(e / (unsigned)w % (unsigned)h), j = (int)(e % (unsigned)w);
        int r0, r1, c0, c1;
        opk_pool_cover(i, oh, k, s, pad, &r0, &r1);
        opk_pool_cover(j, ow, k, s, pad, &c0, &c1);
        const long plane = (long)p * oh * ow;
        float g = accumulate ? dx[e] : 0.0f;
        for (int r = r0; r <= r1; r++)
            for (int q = c0; q <= c1; q++)
            {
                const long o = plane + (long)r * ow + q;
                if (argmax[o] == (int)e) g += dy[o];
            }
        dx[e] = g;
    }
}

static __device__ __forceinline__ int opk_nearest(int o, int in, int out)
{
    const int i = (int)((double)o * ((double)in / out));
    return i < in - 1 ? i : in - 1;
}

static __device__ __forceinline__ void opk_linear(int o, int in, int out, int* i0, int* i1, double* w1)
{
    double src = (o + 0.5) * ((double)in / out) - 0.5;
    if (src < 0.0) src = 0.0;
    *i0 = (int)src < in - 1 ? (int)src : in - 1;
    *i1 = *i0 + 1 < in - 1 ? *i0 + 1 : in - 1;
    *w1 = src - *i0;
}

extern "C" __global__ void opk_resize_fwd_v1(int bilinear, const float* x, int planes, int h, int w, int oh, int ow, float* y)
{
    OPK_FOR_EACH(o, (long)planes * oh * ow)
    {
        const long p = o / ((long)oh * ow);
        const int r = (int)(o / ow % oh), c = (int)(o % ow);
        const float* b = x + p * h * w;
        if (!bilinear) { y[o] = b[opk_nearest(r, h, oh) * w + opk_nearest(c, w, ow)]; continue; }
        int r0, r1, c0, c1; double wr, wc;
        opk_linear(r, h, oh, &r0, &r1, &wr);
        opk_linear(c, w, ow, &c0, &c1, &wc);
        const double v = (1 - wr) * ((1 - wc) * (double)b[r0 * w + c0] + wc * (double)b[r0 * w + c1])
                       + wr * ((1 - wc) * (double)b[r1 * w + c0] + wc * (double)b[r1 * w + c1]);
        y[o] = (float)v;
    }
}

extern "C" __global__ void opk_resize_bwd_v1(int bilinear, const float* dy, int planes, int h, int w, int oh, int ow,
    float* dx, int accumulate)
{
    OPK_FOR_EACH(p, planes)
    {
        float* b = dx + p * h * w;
        if (!accumulate) for (long e = 0; e < (long)h * w; e++) b[e] = 0.0f;
        for (int r = 0; r < oh; r++)
            for (int c = 0; c < ow; c++)
            {
                const float g = dy[(p * oh + r) * ow + c];
                if (!bilinear) { b[opk_nearest(r, h, oh) * w + opk_nearest(c, w, ow)] += g; continue; }
                int r0, r1, c0, c1; double wr, wc;
                opk_linear(r, h, oh, &r0, &r1, &wr);
                opk_linear(c, w, ow, &c0, &c1, &wc);
                b[r0 * w + c0] += g * (float)((1 - wr) * (1 - wc));
                b[r0 * w + c1] += g * (float)((1 - wr) * wc);
                b[r1 * w + c0] += g * (float)(wr * (1 - wc));
                b[r1 * w + c1] += g * (float)(wr * wc);
            }
    }
}

/* Weight with which output coordinate o reads input coordinate i along one axis (0: it does not). At a
   clamped border i0 == i1 and both terms count, as in the forward. */
static __device__ __forceinline__ double opk_resize_weight(int bilinear, int o, int i, int in, int out)
{
    if (!bilinear) return opk_nearest(o, in, out) == i ? 1.0 : 0.0;
    int i0, i1; double w1;
    opk_linear(o, in, out, &i0, &i1, &w1);
    return (i0 == i ? 1.0 - w1 : 0.0) + (i1 == i ? w1 : 0.0);
}

/* Outputs along one axis that can read input i: those whose source lies in [i - 1, i + 1], widened by
   two for the half-pixel shift and the border clamps (the extra ones weigh 0). */
static __device__ __forceinline__ void opk_resize_window(int i, int in, int out, int* lo, int* hi)
{
    const double scale = (double)out / in;
    const int a = (int)((i - 1) * scale) - 2, b = (int)((i + 2) * scale) + 2;
    *lo = a < 0 ? 0 : a;
    *hi = b > out - 1 ? out - 1 : b;
}

extern "C" __global__ void opk_resize_bwd_v2(int bilinear, const float* dy, int planes, int h, int w, int oh, int ow,
    float* dx, int accumulate)
{
    const unsigned total = (unsigned)planes * (unsigned)h * (unsigned)w;
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x)
    {
        const unsigned p = e / ((unsigned)h * (unsigned)w);
        const int r = (int)(e / (unsigned)w % (unsigned)h), c = (int)(e % (unsigned)w);
        int r0, r1, c0, c1;
        opk_resize_window(r, h, oh, &r0, &r1);
        opk_resize_window(c, w, ow, &c0, &c1);
        const float* plane = dy + (long)p * oh * ow;
        double s = 0.0;
        for (int orow = r0; orow <= r1; orow++)
        {
            const double wr = opk_resize_weight(bilinear, orow, r, h, oh);
            if (wr == 0.0) continue;
            double row = 0.0;
            for (int ocol = c0; ocol <= c1; ocol++)
            {
                const double wc = opk_resize_weight(bilinear, ocol, c, w, ow);
                if (wc != 0.0) row += wc * plane[(long)orow * ow + ocol];
            }
            s += wr * row;
        }
        dx[e] = accumulate ? dx[e] + (float)s : (float)s;
    }
}

/* Source index of padded coordinate o (mode 0 zero -> -1 outside, 1 reflect). */
static __device__ __forceinline__ int opk_pad_source(int reflect, int o, int pad, int size)
{
    int i = o - pad;
    if (i >= 0 && i < size) return i;
    if (!reflect) return -1;
    if (i < 0) i = -i;
    if (i >= size) i = 2 * (size - 1) - i;
    return i;
}

extern "C" __global__ void opk_pad_fwd_v1(int reflect, const float* x, int planes, int h, int w, int top, int left,
    int oh, int ow, float* y)
{
    OPK_FOR_EACH(o, (long)planes * oh * ow)
    {
        const long p = o / ((long)oh * ow);
        const int sr = opk_pad_source(reflect, (int)(o / ow % oh), top, h), sc = opk_pad_source(reflect, (int)(o % ow), left, w);
        y[o] = sr < 0 || sc < 0 ? 0.0f : x[(p * h + sr) * w + sc];
    }
}

extern "C" __global__ void opk_pad_bwd_v1(int reflect, const float* dy, int planes, int h, int w, int top, int left,
    int oh, int ow, float* dx, int accumulate)
{
    OPK_FOR_EACH(p, planes)
    {
        float* b = dx + p * h * w;
        if (!accumulate) for (long e = 0; e < (long)h * w; e++) b[e] = 0.0f;
        for (int r = 0; r < oh; r++)
        {
            const int sr = opk_pad_source(reflect, r, top, h);
            if (sr < 0) continue;
            const float* row = dy + (p * oh + r) * ow;
            for (int c = 0; c < w; c++) b[sr * w + c] += row[left + c];
            for (int c = 0; c < ow; c++)
            {
                if (c >= left && c < left + w) continue;
                const int sc = opk_pad_source(reflect, c, left, w);
                if (sc >= 0) b[sr * w + sc] += row[c];
            }
        }
    }
}

/* Output positions along one axis whose opk_pad_source is i (pad < size: one reflection at most):
   o = i + pad, and with reflection o = pad - i (left/top mirror) and o = pad + 2(size-1) - i (right/bottom). */
static __device__ __forceinline__ int opk_pad_preimages(int reflect, int i, int pad, int size, int outSize, int* o)
{
    int k = 0;
    o[k++] = i + pad;
    if (reflect)
    {
        const int mirrorLow = pad - i, mirrorHigh = pad + 2 * (size - 1) - i;
        if (i > 0 && mirrorLow >= 0) o[k++] = mirrorLow;
        if (i < size - 1 && mirrorHigh < outSize) o[k++] = mirrorHigh;
    }
    return k;
}

extern "C" __global__ void opk_pad_bwd_v2(int reflect, const float* dy, int planes, int h, int w, int top, int left,
    int oh, int ow, float* dx, int accumulate)
{
    const unsigned total = (unsigned)planes * (unsigned)h * (unsigned)w;
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x)
    {
        const unsigned p = e / ((unsigned)h * (unsigned)w), r = e / (unsigned)w % (unsigned)h, c = e % (unsigned)w;
        int rows[3], cols[3];
        const int nr = opk_pad_preimages(reflect, (int)r, top, h, oh, rows);
        const int nc = opk_pad_preimages(reflect, (int)c, left, w, ow, cols);
        const float* plane = dy + (long)p * oh * ow;
        float s = 0.0f;
        for (int a = 0; a < nr; a++)
            for (int b = 0; b < nc; b++) s += plane[(long)rows[a] * ow + cols[b]];
        dx[e] = accumulate ? dx[e] + s : s;
    }
}

static __device__ __forceinline__ long opk_plane(int perInstance, int c, int g, int i) { return perInstance ? g : (long)i * c + g; }

/* One block per group: mean and rstd = 1/sqrt(biased var + eps), two passes in double. */
extern "C" __global__ void opk_norm_stats_fwd_v1(const float* x, int n, int c, int hw, int perInstance, float eps,
    float* mean, float* rstd)
{
    __shared__ double scratch[32];
    const int g = blockIdx.x, planes = perInstance ? 1 : n;
    const long m = (long)planes * hw;
    double s = 0.0;
    for (long e = threadIdx.x; e < m; e += blockDim.x) s += x[opk_plane(perInstance, c, g, (int)(e / hw)) * hw + e % hw];
    const double mu = opk_block_sum(s, scratch) / (double)m;
    double q = 0.0;
    for (long e = threadIdx.x; e < m; e += blockDim.x)
    {
        const double d = x[opk_plane(perInstance, c, g, (int)(e / hw)) * hw + e % hw] - mu;
        q += d * d;
    }
    const double var = opk_block_sum(q, scratch) / (double)m;
    if (threadIdx.x == 0) { mean[g] = (float)mu; rstd[g] = (float)(1.0 / opk_sqrt_d(var + eps)); }
}

/* v2: one block per group, one pass over the group's planes (each contiguous, hw elements). */
extern "C" __global__ void opk_norm_stats_fwd_v2(const float* x, int n, int c, int hw, int perInstance, float eps,
    float* mean, float* rstd)
{
    __shared__ double scratch[32];
    const int g = blockIdx.x, planes = perInstance ? 1 : n;
    double s = 0.0, q = 0.0;
    for (int i = 0; i < planes; i++)
    {
        const float* p = x + opk_plane(perInstance, c, g, i) * hw;
        for (int e = threadIdx.x; e < hw; e += blockDim.x) { const double v = p[e]; s += v; q += v * v; }
    }
    const double m = (double)planes * hw;
    const double mu = opk_block_sum(s, scratch) / m;
    const double ex2 = opk_block_sum(q, scratch) / m;
    const double var = ex2 - mu * mu > 0.0 ? ex2 - mu * mu : 0.0;
    if (threadIdx.x == 0) { mean[g] = (float)mu; rstd[g] = (float)(1.0 / opk_sqrt_d(var + eps)); }
}

/* y = x * (rstd*gamma) + (beta - mean*rstd*gamma); gamma/beta may be null. */
extern "C" __global__ void opk_norm_apply_fwd_v1(const float* x, int n, int c, int hw, int perInstance, const float* mean,
    const float* rstd, const float* gamma, const float* beta, float* y)
{
    OPK_FOR_EACH(e, (long)n * c * hw)
    {
        const long plane = e / hw;
        const int ch = (int)(plane % c);
        const long g = perInstance ? plane : ch;
        const float scale = rstd[g] * (gamma ? gamma[ch] : 1.0f);
        const float shift = (beta ? beta[ch] : 0.0f) - mean[g] * scale;
        y[e] = x[e] * scale + shift;
    }
}

/* v2: gridDim.y strides over the n*c planes, gridDim.x * blockDim.x over the plane's hw pixels. */
extern "C" __global__ void opk_norm_apply_fwd_v2(const float* x, int n, int c, int hw, int perInstance, const float* mean,
    const float* rstd, const float* gamma, const float* beta, float* y)
{
    const unsigned planes = (unsigned)n * (unsigned)c;
    for (unsigned plane = blockIdx.y; plane < planes; plane += gridDim.y)
    {
        const unsigned ch = plane % (unsigned)c, g = perInstance ? plane : ch;
        const float scale = rstd[g] * (gamma ? gamma[ch] : 1.0f);
        const float shift = (beta ? beta[ch] : 0.0f) - mean[g] * scale;
        const float* xp = x + (long)plane * hw;
        float* yp = y + (long)plane * hw;
        for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < hw; e += gridDim.x * blockDim.x) yp[e] = xp[e] * scale + shift;
    }
}

/* One block per group: sums[2g] = sum(dy), sums[2g+1] = sum(dy * xhat) (xhat from mean/rstd). */
extern "C" __global__ void opk_norm_sums_bwd_v1(const float* x, const float* dy, int n, int c, int hw, int perInstance,
    const float* mean, const float* rstd, double* sums)
{
    __shared__ double scratch[32];
    const int g = blockIdx.x, planes = perInstance ? 1 : n;
    const long m = (long)planes * hw;
    double sd = 0.0, sdx = 0.0;
    for (long e = threadIdx.x; e < m; e += blockDim.x)
    {
        const long k = opk_plane(perInstance, c, g, (int)(e / hw)) * hw + e % hw;
        sd += dy[k];
        sdx += (double)dy[k] * x[k];
    }
    const double totalDy = opk_block_sum(sd, scratch);
    const double totalDyX = opk_block_sum(sdx, scratch);
    if (threadIdx.x == 0)
    {
        sums[2 * g] = totalDy;
        sums[2 * g + 1] = (double)rstd[g] * (totalDyX - (double)mean[g] * totalDy);
    }
}

/* One thread per channel: dGamma[ch] (+)= sum_g sum(dy*xhat), dBeta[ch] (+)= sum_g sum(dy), g in fixed order. */
extern "C" __global__ void opk_norm_params_bwd_v1(const double* sums, int n, int c, int perInstance, float* dGamma,
    int accumulateGamma, float* dBeta, int accumulateBeta)
{
    OPK_FOR_EACH(ch, c)
    {
        double sd = 0.0, sdx = 0.0;
        for (int i = 0; i < (perInstance ? n : 1); i++)
        {
            const long g = perInstance ? (long)i * c + ch : ch;
            sd += sums[2 * g];
            sdx += sums[2 * g + 1];
        }
        if (dGamma) dGamma[ch] = (accumulateGamma ? dGamma[ch] : 0.0f) + (float)sdx;
        if (dBeta) dBeta[ch] = (accumulateBeta ? dBeta[ch] : 0.0f) + (float)sd;
    }
}

/* dx = k1*dy + k2*x + k3 per group; k2 = k3 = 0 with running statistics (batchStatistics = 0). */
extern "C" __global__ void opk_norm_dx_bwd_v1(const float* x, const float* dy, int n, int c, int hw, int perInstance,
    int batchStatistics, const float* mean, const float* rstd, const float* gamma, const double* sums, float* dx, int accumulate)
{
    const double m = perInstance ? (double)hw : (double)n * hw;
    OPK_FOR_EACH(e, (long)n * c * hw)
    {
        const long plane = e / hw;
        const int ch = (int)(plane % c);
        const long g = perInstance ? plane : ch;
        const double rs = rstd[g], mu = mean[g], gm = gamma ? (double)gamma[ch] : 1.0;
        const double k1 = rs * gm;
        double k2 = 0.0, k3 = 0.0;
        if (batchStatistics)
        {
            k2 = -rs * rs * gm * sums[2 * g + 1] / m;
            k3 = -rs * gm * sums[2 * g] / m - k2 * mu;
        }
        const float v = (float)k1 * dy[e] + (float)k2 * x[e] + (float)k3;
        dx[e] = accumulate ? dx[e] + v : v;
    }
}

OPK_EMU_REGISTER(opk_softmax_fwd_v1)
OPK_EMU_REGISTER(opk_softmax_fwd_v2)
OPK_EMU_REGISTER(opk_softmax_bwd_v1)
OPK_EMU_REGISTER(opk_avg_pool_fwd_v1)
OPK_EMU_REGISTER(opk_avg_pool_bwd_v1)
OPK_EMU_REGISTER(opk_max_pool_fwd_v1)
OPK_EMU_REGISTER(opk_max_pool_bwd_v1)
OPK_EMU_REGISTER(opk_max_pool_bwd_v2)
OPK_EMU_REGISTER(opk_resize_fwd_v1)
OPK_EMU_REGISTER(opk_resize_bwd_v1)
OPK_EMU_REGISTER(opk_resize_bwd_v2)
OPK_EMU_REGISTER(opk_pad_fwd_v1)
OPK_EMU_REGISTER(opk_pad_bwd_v1)
OPK_EMU_REGISTER(opk_pad_bwd_v2)
OPK_EMU_REGISTER(opk_norm_stats_fwd_v1)
OPK_EMU_REGISTER(opk_norm_stats_fwd_v2)
OPK_EMU_REGISTER(opk_norm_apply_fwd_v1)
OPK_EMU_REGISTER(opk_norm_apply_fwd_v2)
OPK_EMU_REGISTER(opk_norm_sums_bwd_v1)
OPK_EMU_REGISTER(opk_norm_params_bwd_v1)
OPK_EMU_REGISTER(opk_norm_dx_bwd_v1)
