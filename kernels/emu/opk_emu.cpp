/* Host emulator runtime for kernels/cu: runs a kernel's blocks one after another, each with one OS
   thread per CUDA thread, so the same .cu logic that ptxas assembles for the GPU can be checked
   against the C# reference on a machine with no GPU (DESIGN.md, "The CUDA pipeline", point 3).
   - threadIdx/blockIdx/blockDim/gridDim are thread_locals (opk.cuh), set per thread and block.
   - __syncthreads is a std::barrier over the live threads of the block; a thread that returns
     from the kernel drops out of it, so early-exit threads never deadlock the others.
   - __shared__ is `static` (opk.cuh): one block runs at a time and launches are serialised by a
     mutex, so a static is exactly block-scoped storage. Dynamic shared memory is a per-launch buffer.
   - Warp shuffles go through a per-block array of slots and a per-warp barrier (write, wait,
     read the source lane, wait). A source lane outside the warp returns the caller's own value.
   C API (cuLaunchKernel-shaped, so C# packs arguments the same way for both backends):
     int opk_emu_launch(name, gx, gy, gz, bx, by, bz, sharedBytes, void** args)   0 = success
     const char* opk_emu_last_error(); int opk_emu_kernel_count(); const char* opk_emu_kernel_name(i)
   Tested by tests/Opacity.Kernels.Tests/Cuda/Emulator*.cs. Built by scripts/build-emulator.sh. */
#include "../cu/opk.cuh"

#include <barrier>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#define OPK_EMU_API extern "C" __attribute__((visibility("default")))

namespace opk_emu {
namespace {
struct Kernel { void* fn; Invoker invoke; };

std::map<std::string, Kernel>& registry()
{
    static std::map<std::string, Kernel> kernels; /* filled by static registrars before main/dlopen returns */
    return kernels;
}

struct Block {
    unsigned threads = 0;
    std::unique_ptr<std::barrier<>> sync;
    std::vector<std::unique_ptr<std::barrier<>>> warps;
    std::vector<float> slots;
    std::vector<unsigned char> dynamicShared;

    void reset() /* fresh barriers for the next block: dropped threads come back */
    {
        sync = std::make_unique<std::barrier<>>(threads);
        warps.clear();
        for (unsigned w = 0; w * OPK_WARP < threads; w++) {
            const unsigned lanes = threads - w * OPK_WARP < OPK_WARP ? threads - w * OPK_WARP : OPK_WARP;
            warps.push_back(std::make_unique<std::barrier<>>(lanes));
        }
    }
};

Block* current = nullptr;       /* the running launch's block state (launches are serialised) */
std::mutex launchMutex;
thread_local std::string lastError;
thread_local unsigned linearThread = 0;

struct ResetBlock {
    void operator()() noexcept { current->reset(); }
};
} // namespace

void register_kernel(const char* name, void* kernel, Invoker invoke) { registry()[name] = Kernel{kernel, invoke}; }

void sync_block() { current->sync->arrive_and_wait(); }

float shuffle(float v, int srcLane)
{
    const unsigned warp = linearThread / OPK_WARP;
    const unsigned src = warp * OPK_WARP + static_cast<unsigned>(srcLane);
    current->slots[linearThread] = v;
    current->warps[warp]->arrive_and_wait();
    const float r = (srcLane >= 0 && srcLane < OPK_WARP && src < current->threads) ? current->slots[src] : v;
    current->warps[warp]->arrive_and_wait(); /* nobody overwrites a slot before every lane has read */
    return r;
}

void* dynamic_shared() { return current->dynamicShared.data(); }
} // namespace opk_emu

using namespace opk_emu;

OPK_EMU_API const char* opk_emu_last_error() { return lastError.c_str(); }

OPK_EMU_API int opk_emu_kernel_count() { return static_cast<int>(registry().size()); }

OPK_EMU_API const char* opk_emu_kernel_name(int index)
{
    if (index < 0 || index >= static_cast<int>(registry().size())) return nullptr;
    auto it = registry().begin();
    std::advance(it, index);
    return it->first.c_str();
}

/* Return codes follow CUresult where one fits: 1 INVALID_VALUE, 500 NOT_FOUND, 999 UNKNOWN. */
OPK_EMU_API int opk_emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned sharedBytes, void** args)
{
    auto it = name ? registry().find(name) : registry().end();
    if (it == registry().end()) {
        lastError = std::string("opk_emu_launch: no kernel named '") + (name ? name : "(null)") + "' in the emulator";
        return 500;
    }
    const unsigned long threads = static_cast<unsigned long>(bx) * by * bz;
    if (gx == 0 || gy == 0 || gz == 0 || threads == 0 || threads > 1024 || sharedBytes > 48 * 1024) {
        lastError = "opk_emu_launch(" + it->first + "): grid and block must be non-empty, block <= 1024 threads, "
                    "dynamic shared memory <= 48 KiB";
        return 1;
    }
    std::lock_guard<std::mutex> lock(launchMutex);
    Block block;
    block.threads = static_cast<unsigned>(threads);
    block.slots.assign(threads, 0.0f);
    block.dynamicShared.assign(sharedBytes, 0);
    block.reset();
    current = &block;
    const Kernel kernel = it->second;
    const unsigned long blocks = static_cast<unsigned long>(gx) * gy * gz;
    std::barrier<ResetBlock> betweenBlocks(static_cast<std::ptrdiff_t>(threads), ResetBlock{});

    try {
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (unsigned t = 0; t < threads; t++) {
            pool.emplace_back([&, t] {
                linearThread = t;
                threadIdx = opk_dim3{t % bx, (t / bx) % by, t / (bx * by)};
                blockDim = opk_dim3{bx, by, bz};
                gridDim = opk_dim3{gx, gy, gz};
                for (unsigned long b = 0; b < blocks; b++) {
                    blockIdx = opk_dim3{static_cast<unsigned>(b % gx), static_cast<unsigned>((b / gx) % gy),
                                        static_cast<unsigned>(b / (static_cast<unsigned long>(gx) * gy))};
                    kernel.invoke(kernel.fn, args);
                    block.sync->arrive_and_drop();
                    block.warps[t / OPK_WARP]->arrive_and_drop();
                    betweenBlocks.arrive_and_wait(); /* the last arrival resets the block's barriers */
                }
            });
        }
        for (auto& th : pool) th.join();
    } catch (const std::exception& e) {
        current = nullptr;
        lastError = "opk_emu_launch(" + it->first + "): " + e.what();
        return 999;
    }
    current = nullptr;
    lastError.clear();
    return 0;
}
