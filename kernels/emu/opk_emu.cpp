/* Host emulator runtime for kernels/cu: runs a kernel's blocks one after another, each with one OS
   thread per CUDA thread, so the same .cu logic that ptxas assembles for the GPU can be checked
   against the C# reference on a machine with no GPU (DESIGN.md, "The CUDA pipeline", point 3).
   Two schedulers for the CUDA threads of a block (opk_emu_set_mode):
   - fibers (default): one ucontext fiber per CUDA thread on the calling OS thread; each runs until it
     reaches a barrier (__syncthreads or a shuffle's warp barrier) or returns, then the next one runs.
     Deterministic, about 100x faster here than OS threads, and a missing __syncthreads shows up
     every time (the other threads have not run yet). A barrier no live thread can pass (e.g.
     __syncthreads inside divergent code) is reported as a deadlock instead of hanging.
   - threads: one OS thread per CUDA thread, real concurrency, the design's original form.
   - threadIdx/blockIdx/blockDim/gridDim are thread_locals (opk.cuh), set per thread and block.
   - __syncthreads is a barrier over the live threads of the block; a thread that returns from the
     kernel drops out of it, so early-exit threads never deadlock the others. The barrier blocks on a
     condition variable: libstdc++'s std::barrier spins, and 256 spinning threads on 2 cores made a
     17-block reduction take 2 s instead of a few ms.
   - __shared__ is `static` (opk.cuh): one block runs at a time and launches are serialised by a
     mutex, so a static is exactly block-scoped storage. Dynamic shared memory is a per-launch buffer.
   - Warp shuffles go through a per-block array of slots and a per-warp barrier (write, wait,
     read the source lane, wait). A source lane outside the warp returns the caller's own value.
   C API (cuLaunchKernel-shaped, so C# packs arguments the same way for both backends):
     int opk_emu_launch(name, gx, gy, gz, bx, by, bz, sharedBytes, void** args)   0 = success
     const char* opk_emu_last_error(); int opk_emu_kernel_count(); const char* opk_emu_kernel_name(i)
   Tested by tests/Opacity.Kernels.Tests/Cuda/Emulator*.cs. Built by scripts/build-emulator.sh. */
#include "../cu/opk.cuh"

#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <stdexcept>
#include <thread>
#include <csetjmp>
#include <setjmp.h>
#include <ucontext.h>
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

/* A reusable barrier (std::barrier's arrive_and_wait/arrive_and_drop) that sleeps instead of spinning.
   The optional completion runs once per phase, under the lock, before anyone is released. */
class Barrier {
public:
    explicit Barrier(long expected, void (*completion)() = nullptr) : expected_(expected), completion_(completion) {}

    void arrive_and_wait()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        const unsigned long generation = generation_;
        if (++arrived_ >= expected_) { complete(); return; }
        released_.wait(lock, [&] { return generation_ != generation; });
    }

    void arrive_and_drop()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--expected_ > 0 && arrived_ >= expected_) complete();
    }

private:
    void complete()
    {
        if (completion_) completion_();
        arrived_ = 0;
        generation_++;
        released_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable released_;
    long expected_, arrived_ = 0;
    unsigned long generation_ = 0;
    void (*completion_)();
};

enum Wait { Running = 0, AtBlockBarrier = 1, AtWarpBarrier = 2 };

struct Fiber {
    ucontext_t context;          /* only to start the fiber on its own stack (makecontext/setcontext) */
    jmp_buf resume;              /* where it continues after a barrier */
    bool started = false;
    std::unique_ptr<char[]> stack; /* uninitialised: only the used top of each stack is touched */
    Wait wait = Running;
    bool done = false;
};

struct Block {
    unsigned threads = 0;
    opk_dim3 dim{}, grid{}, index{};
    Kernel kernel{};
    void** args = nullptr;
    std::vector<Fiber> fibers;   /* fiber mode only */
    jmp_buf scheduler;
    std::unique_ptr<Barrier> sync;
    std::vector<std::unique_ptr<Barrier>> warps;
    std::vector<double> slots;    /* one per thread; double holds a float or a double exactly */
    std::vector<unsigned char> dynamicShared;

    void reset() /* fresh barriers for the next block: dropped threads come back */
    {
        sync = std::make_unique<Barrier>(threads);
        warps.clear();
        for (unsigned w = 0; w * OPK_WARP < threads; w++) {
            const unsigned lanes = threads - w * OPK_WARP < OPK_WARP ? threads - w * OPK_WARP : OPK_WARP;
            warps.push_back(std::make_unique<Barrier>(lanes));
        }
    }
};

Block* current = nullptr;       /* the running launch's block state (launches are serialised) */
std::mutex launchMutex;
int mode = 0;                   /* 0 fibers, 1 OS threads */
constexpr std::size_t FiberStack = 64 * 1024;
thread_local std::string lastError;
thread_local unsigned linearThread = 0;

void resetBlock() { current->reset(); }

void setThreadIndices(unsigned t)
{
    const opk_dim3 d = current->dim;
    linearThread = t;
    threadIdx = opk_dim3{t % d.x, (t / d.x) % d.y, t / (d.x * d.y)};
    blockDim = d;
    gridDim = current->grid;
    blockIdx = current->index;
}

void fiberWait(Wait what)
{
    Fiber& f = current->fibers[linearThread];
    f.wait = what;
    /* _setjmp/_longjmp switch without the two sigprocmask system calls of swapcontext (10x fewer
       cycles per switch; a block reduction switches ~20 times per thread). */
    if (!_setjmp(f.resume)) _longjmp(current->scheduler, 1); /* the scheduler clears f.wait when the barrier opens */
}

void fiberEntry()
{
    current->kernel.invoke(current->kernel.fn, current->args);
    current->fibers[linearThread].done = true;
    _longjmp(current->scheduler, 1); /* never return: uc_link would resume a stale scheduler context */
}

/* Runs one block: every runnable fiber until it waits or returns, then opens the barriers that all of
   their live threads have reached (warp barriers first), until every fiber has returned. */
/* Runs fiber f until it waits at a barrier or returns. A function of its own so that no local that
   changes after _setjmp (like runBlockFibers' loop counter) lives in the frame that _longjmp returns
   to: such a local is indeterminate after the jump, and newer GCCs refuse it (-Werror=clobbered). */
[[gnu::noinline]] void resumeFiber(Block& b, Fiber& f)
{
    if (!_setjmp(b.scheduler)) {
        if (!f.started) { f.started = true; setcontext(&f.context); }
        _longjmp(f.resume, 1);
    }
}

void runBlockFibers(Block& b)
{
    for (unsigned t = 0; t < b.threads; t++) {
        Fiber& f = b.fibers[t];
        f.wait = Running;
        f.done = false;
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.get();
        f.context.uc_stack.ss_size = FiberStack;
        f.context.uc_link = nullptr;
        f.started = false;
        makecontext(&f.context, fiberEntry, 0);
    }
    for (;;) {
        for (unsigned t = 0; t < b.threads; t++) {
            if (b.fibers[t].done || b.fibers[t].wait != Running) continue;
            setThreadIndices(t);
            resumeFiber(b, b.fibers[t]);
        }
        unsigned live = 0, atBlock = 0;
        bool opened = false;
        for (unsigned w = 0; w * OPK_WARP < b.threads; w++) {
            unsigned lanes = 0, atWarp = 0;
            for (unsigned t = w * OPK_WARP; t < b.threads && t < (w + 1) * OPK_WARP; t++) {
                if (b.fibers[t].done) continue;
                lanes++;
                atWarp += b.fibers[t].wait == AtWarpBarrier;
                atBlock += b.fibers[t].wait == AtBlockBarrier;
            }
            live += lanes;
            if (lanes > 0 && atWarp == lanes) {
                for (unsigned t = w * OPK_WARP; t < b.threads && t < (w + 1) * OPK_WARP; t++) b.fibers[t].wait = Running;
                opened = true;
            }
        }
        if (live == 0) return;
        if (opened) continue;
        if (atBlock == live) {
            for (auto& f : b.fibers) f.wait = Running;
            continue;
        }
        throw std::runtime_error("deadlock: " + std::to_string(atBlock) + " of " + std::to_string(live) +
                                 " live threads wait at __syncthreads and the rest at a warp shuffle of a partly "
                                 "waiting warp (a barrier in divergent code?)");
    }
}
} // namespace

void register_kernel(const char* name, void* kernel, Invoker invoke) { registry()[name] = Kernel{kernel, invoke}; }

void sync_block()
{
    if (mode == 0) fiberWait(AtBlockBarrier);
    else current->sync->arrive_and_wait();
}

static void warpWait(unsigned warp)
{
    if (mode == 0) fiberWait(AtWarpBarrier);
    else current->warps[warp]->arrive_and_wait();
}

double shuffle(double v, int srcLane)
{
    const unsigned warp = linearThread / OPK_WARP;
    const unsigned src = warp * OPK_WARP + static_cast<unsigned>(srcLane);
    current->slots[linearThread] = v;
    warpWait(warp);
    const double r = (srcLane >= 0 && srcLane < OPK_WARP && src < current->threads) ? current->slots[src] : v;
    warpWait(warp); /* nobody overwrites a slot before every lane has read */
    return r;
}

void* dynamic_shared() { return current->dynamicShared.data(); }
} // namespace opk_emu

using namespace opk_emu;

OPK_EMU_API const char* opk_emu_last_error() { return lastError.c_str(); }

/* 0: fibers (default), 1: one OS thread per CUDA thread. Returns the previous mode. */
OPK_EMU_API int opk_emu_set_mode(int newMode)
{
    std::lock_guard<std::mutex> lock(launchMutex);
    const int previous = mode;
    mode = newMode == 1 ? 1 : 0;
    return previous;
}

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
    block.slots.assign(threads, 0.0);
    block.dynamicShared.assign(sharedBytes, 0);
    block.reset();
    current = &block;
    block.kernel = it->second;
    block.args = args;
    block.dim = opk_dim3{bx, by, bz};
    block.grid = opk_dim3{gx, gy, gz};
    const unsigned long blocks = static_cast<unsigned long>(gx) * gy * gz;
    auto blockIndex = [&](unsigned long b) {
        return opk_dim3{static_cast<unsigned>(b % gx), static_cast<unsigned>((b / gx) % gy),
                        static_cast<unsigned>(b / (static_cast<unsigned long>(gx) * gy))};
    };

    try {
        if (mode == 0) {
            block.fibers.resize(threads);
            for (auto& f : block.fibers) f.stack.reset(new char[FiberStack]);
            for (unsigned long b = 0; b < blocks; b++) {
                block.index = blockIndex(b);
                runBlockFibers(block);
            }
        } else {
            Barrier betweenBlocks(static_cast<long>(threads), &resetBlock);
            std::vector<std::thread> pool;
            pool.reserve(threads);
            for (unsigned t = 0; t < threads; t++) {
                pool.emplace_back([&, t] {
                    for (unsigned long b = 0; b < blocks; b++) {
                        if (t == 0) block.index = blockIndex(b); /* published by the previous betweenBlocks phase */
                        block.sync->arrive_and_wait();           /* everyone sees this block's index */
                        setThreadIndices(t);
                        block.kernel.invoke(block.kernel.fn, block.args);
                        block.sync->arrive_and_drop();
                        block.warps[t / OPK_WARP]->arrive_and_drop();
                        betweenBlocks.arrive_and_wait(); /* the last arrival resets the block's barriers */
                    }
                });
            }
            for (auto& th : pool) th.join();
        }
    } catch (const std::exception& e) {
        current = nullptr;
        lastError = "opk_emu_launch(" + it->first + "): " + e.what();
        return 999;
    }
    current = nullptr;
    lastError.clear();
    return 0;
}
