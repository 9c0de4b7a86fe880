/* opk.cuh: the small CUDA dialect every kernels/cu .cu file is written in.
   One source, two targets:
   - NVPTX (clang -x cuda --cuda-device-only -nocudainc -nocudalib, see scripts/build-ptx.sh):
     no CUDA SDK headers, so the keywords, thread indices, barriers, shuffles and math are
     spelled here with clang builtins and libdevice (__nv_*) functions.
   - Host emulator (C++20, OPK_EMULATOR defined, see kernels/emu/ and scripts/build-emulator.sh):
     one fiber (default) or one OS thread per CUDA thread of a block, threadIdx/blockIdx/... as
     thread_locals set by the scheduler, __syncthreads as a block barrier, __shared__ as static
     storage (the emulator runs one block at a time and serialises launches, so static ==
     block-scoped), warp shuffles (float and double) through a per-block array of slots and a
     per-warp barrier.
   Kernels use only what is declared here: threadIdx/blockIdx/blockDim/gridDim (.x/.y/.z),
   __global__/__device__/__shared__/__forceinline__, __syncthreads(), opk_shfl_xor (float, double)/opk_shfl_down, opk_sqrt_d (double),
   opk_warp_sum, opk_block_sum, OPK_DYNAMIC_SHARED, and the opk_* math below.
   Every kernel entry point is `extern "C" __global__ void opk_<op>_<fwd|bwd>_v<N>(...)` and is
   listed once at the bottom of its file with OPK_EMU_REGISTER (nothing on NVPTX). */
#pragma once

#define OPK_WARP 32
#define OPK_FULL_MASK 0xffffffffu

#if defined(__CUDA__) && defined(__CUDA_ARCH__)
/* ---------------------------------------------------------------- NVPTX (device pass) */
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __forceinline__ __attribute__((always_inline)) inline
#include <__clang_cuda_builtin_vars.h>

/* libdevice (linked as builtin bitcode by build-ptx.sh); only used functions are kept. */
extern "C" __device__ float __nv_expf(float);
extern "C" __device__ float __nv_logf(float);
extern "C" __device__ float __nv_tanhf(float);
extern "C" __device__ float __nv_sqrtf(float);
extern "C" __device__ float __nv_rsqrtf(float);
extern "C" __device__ float __nv_powf(float, float);
extern "C" __device__ double __nv_sqrt(double);

#define OPK_DYNAMIC_SHARED(T, name) extern __shared__ T name[]
#define OPK_EMU_REGISTER(kernel)

static __device__ __forceinline__ float opk_expf(float x) { return __nv_expf(x); }
static __device__ __forceinline__ float opk_logf(float x) { return __nv_logf(x); }
static __device__ __forceinline__ float opk_tanhf(float x) { return __nv_tanhf(x); }
static __device__ __forceinline__ float opk_sqrtf(float x) { return __nv_sqrtf(x); }
static __device__ __forceinline__ float opk_powf(float x, float y) { return __nv_powf(x, y); }
static __device__ __forceinline__ double opk_sqrt_d(double x) { return __nv_sqrt(x); }

/* All 32 lanes must take part (full mask), as in any warp reduction. */
static __device__ __forceinline__ float opk_shfl_xor(float v, int laneMask)
{
    return __nvvm_shfl_sync_bfly_f32(OPK_FULL_MASK, v, laneMask, 0x1f);
}
static __device__ __forceinline__ float opk_shfl_down(float v, int delta)
{
    return __nvvm_shfl_sync_down_f32(OPK_FULL_MASK, v, delta, 0x1f);
}
/* A double moves as two 32-bit halves (shfl is 32-bit). */
static __device__ __forceinline__ double opk_shfl_xor(double v, int laneMask)
{
    long long bits = __builtin_bit_cast(long long, v);
    const int lo = __nvvm_shfl_sync_bfly_i32(OPK_FULL_MASK, (int)bits, laneMask, 0x1f);
    const int hi = __nvvm_shfl_sync_bfly_i32(OPK_FULL_MASK, (int)(bits >> 32), laneMask, 0x1f);
    bits = ((long long)hi << 32) | (unsigned)lo;
    return __builtin_bit_cast(double, bits);
}

#else
/* ---------------------------------------------------------------- host emulator (C++20) */
#ifndef OPK_EMULATOR
#error "opk.cuh: compile with clang -x cuda (device pass) or define OPK_EMULATOR for the host emulator"
#endif
#include <cmath>
#include <cstddef>
#include <utility>

#define __global__
#define __device__
#define __shared__ static
#define __forceinline__ inline

struct opk_dim3 { unsigned x, y, z; };
/* Set by the emulator's launcher in each of its threads before the kernel runs. */
inline thread_local opk_dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace opk_emu {
void sync_block();                       /* __syncthreads: all live threads of the block */
double shuffle(double v, int srcLane);  /* exchange through the block's slot array (float or double) */
void* dynamic_shared();                  /* the launch's dynamic shared memory */
using Invoker = void (*)(void* kernel, void** args);
void register_kernel(const char* name, void* kernel, Invoker invoke);

/* Unpacks cuLaunchKernel-style args (array of pointers to values) into a typed call. */
template <class... A> struct Typed {
    template <std::size_t... I> static void call(void* k, void** args, std::index_sequence<I...>)
    {
        reinterpret_cast<void (*)(A...)>(k)(*static_cast<A*>(args[I])...);
    }
    static void invoke(void* k, void** args) { call(k, args, std::index_sequence_for<A...>{}); }
};
template <class... A> struct Registrar {
    Registrar(const char* name, void (*k)(A...)) { register_kernel(name, reinterpret_cast<void*>(k), &Typed<A...>::invoke); }
};
} // namespace opk_emu

static inline void __syncthreads() { opk_emu::sync_block(); }
#define OPK_DYNAMIC_SHARED(T, name) T* name = static_cast<T*>(opk_emu::dynamic_shared())
#define OPK_EMU_REGISTER(kernel) static opk_emu::Registrar opk_emu_registrar_##kernel(#kernel, &kernel);

static inline float opk_expf(float x) { return std::exp(x); }
static inline float opk_logf(float x) { return std::log(x); }
static inline float opk_tanhf(float x) { return std::tanh(x); }
static inline float opk_sqrtf(float x) { return std::sqrt(x); }
static inline float opk_powf(float x, float y) { return std::pow(x, y); }
static inline double opk_sqrt_d(double x) { return std::sqrt(x); }

static inline float opk_shfl_xor(float v, int laneMask)
{
    return static_cast<float>(opk_emu::shuffle(v, static_cast<int>(threadIdx.x % OPK_WARP) ^ laneMask));
}
static inline double opk_shfl_xor(double v, int laneMask)
{
    return opk_emu::shuffle(v, static_cast<int>(threadIdx.x % OPK_WARP) ^ laneMask);
}
static inline float opk_shfl_down(float v, int delta)
{
    return static_cast<float>(opk_emu::shuffle(v, static_cast<int>(threadIdx.x % OPK_WARP) + delta));
}
#endif

/* ---------------------------------------------------------------- shared helpers (both targets) */

/* 16-byte vector of 4 floats: one ld/st.global.v4.f32 on the GPU when the address is 16-byte aligned. */
struct __attribute__((aligned(16))) opk_float4 { float x, y, z, w; };

static __device__ __forceinline__ bool opk_aligned16(const void* p) { return ((unsigned long long)p & 15u) == 0; }

/* Sum over the 32 lanes of a warp (butterfly: every lane gets the total). T = float or double. */
template <class T> static __device__ __forceinline__ T opk_warp_sum(T v)
{
    for (int m = OPK_WARP / 2; m > 0; m >>= 1) v += opk_shfl_xor(v, m);
    return v;
}

/* Sum over a 1-D block whose size is a multiple of 32 (at most 1024). Every thread of the block
   must call it; every thread gets the total. `scratch` is __shared__ T[32] owned by the
   caller; the leading barrier makes back-to-back calls with the same scratch safe. */
template <class T> static __device__ __forceinline__ T opk_block_sum(T v, T* scratch)
{
    const unsigned lane = threadIdx.x % OPK_WARP, warp = threadIdx.x / OPK_WARP;
    const unsigned warps = blockDim.x / OPK_WARP;
    v = opk_warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : T(0);
    return opk_warp_sum(total);
}

/* Global index and stride for grid-stride loops over a 1-D launch. */
static __device__ __forceinline__ long opk_global_index() { return (long)blockIdx.x * blockDim.x + threadIdx.x; }
static __device__ __forceinline__ long opk_grid_stride() { return (long)gridDim.x * blockDim.x; }
