// 2-D convolution through cuDNN 9's legacy API (CuDnn.cs): one handle on the context's stream, and per
// ConvGeometry a cached plan (tensor/filter/convolution descriptors, FP32 compute, CUDNN_DEFAULT_MATH
// so no TF32) whose algorithms are chosen once per direction by cudnnGet*_v7, preferring a
// deterministic algorithm (bitwise-repeatable training). Workspace comes from the caching allocator
// and returns to it right after the enqueued call. accumulate is beta = 1 (STYLE.md G3).
// The default convolution on a GPU since it passed the selftest (forward and both gradients vs the CPU
// float64 reference) and memcheck on an H200, at 2.7x the hand kernels of dense.cu on a 3x3 64-channel
// conv (bench/results/nvidia-h200/). OPACITY_CUDNN=0 turns it off (then dense.cu's kernels run).
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cuda.Native;
using Opacity.Kernels.Cuda.Runtime;

namespace Opacity.Kernels.Cuda;

public sealed unsafe class CudnnConvolution : IDisposable
{
    private readonly CudaDevice _device;
    private readonly CachingAllocator _allocator;
    private readonly Dictionary<ConvGeometry, Plan> _plans = [];
    private nint _handle;

    public CudnnConvolution(CudaDevice device, nint stream, CachingAllocator allocator)
    {
        _device = device;
        _allocator = allocator;
        device.MakeCurrent();
        int status;
        try
        {
            status = CuDnn.Create(out _handle);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new CudaLibraryMissingException("cuDNN", "libcudnn.so.9 (with libcudnn_cnn/ops/graph.so.9)", CudaLibraryResolver.Diagnostics);
        }
        Check(status, "cudnnCreate");
        Check(CuDnn.SetStream(_handle, stream), "cudnnSetStream");
        Version = (long)CuDnn.GetVersion();
    }

    public long Version { get; }

    public void Forward(in ConvGeometry g, ulong x, ulong w, ulong y, bool accumulate)
    {
        Plan p = ForwardPlan(g);
        using DeviceBlock ws = _allocator.Allocate((long)p.FwdBytes);
        float alpha = 1, beta = accumulate ? 1 : 0;
        _device.MakeCurrent();
        Check(CuDnn.ConvolutionForward(_handle, &alpha, p.X, x, p.W, w, p.Conv, p.Fwd, ws.Pointer, p.FwdBytes, &beta, p.Y, y), "cudnnConvolutionForward");
    }

    /// <summary>The forward algorithm chosen for <paramref name="g"/> (cudnnConvolutionFwdAlgo_t) and its workspace, for benchmarks and logs.</summary>
    public (int Algorithm, long WorkspaceBytes) ForwardChoice(in ConvGeometry g)
    {
        Plan p = ForwardPlan(g);
        return (p.Fwd, (long)p.FwdBytes);
    }

    /// <summary>The plan for <paramref name="g"/> with its forward algorithm chosen (once).</summary>
    private Plan ForwardPlan(in ConvGeometry g)
    {
        Plan p = PlanFor(g);
        if (p.Fwd < 0) (p.Fwd, p.FwdBytes) = Choose(g, 0);
        return p;
    }

    public void BackwardData(in ConvGeometry g, ulong w, ulong dy, ulong dx, bool accumulate)
    {
        Plan p = PlanFor(g);
        if (p.Data < 0) (p.Data, p.DataBytes) = Choose(g, 1);
        using DeviceBlock ws = _allocator.Allocate((long)p.DataBytes);
        float alpha = 1, beta = accumulate ? 1 : 0;
        _device.MakeCurrent();
        Check(CuDnn.ConvolutionBackwardData(_handle, &alpha, p.W, w, p.Y, dy, p.Conv, p.Data, ws.Pointer, p.DataBytes, &beta, p.X, dx), "cudnnConvolutionBackwardData");
    }

    public void BackwardFilter(in ConvGeometry g, ulong x, ulong dy, ulong dw, bool accumulate)
    {
        Plan p = PlanFor(g);
        if (p.Filter < 0) (p.Filter, p.FilterBytes) = Choose(g, 2);
        using DeviceBlock ws = _allocator.Allocate((long)p.FilterBytes);
        float alpha = 1, beta = accumulate ? 1 : 0;
        _device.MakeCurrent();
        Check(CuDnn.ConvolutionBackwardFilter(_handle, &alpha, p.X, x, p.Y, dy, p.Conv, p.Filter, ws.Pointer, p.FilterBytes, &beta, p.W, dw), "cudnnConvolutionBackwardFilter");
    }

    public void BackwardBias(in ConvGeometry g, ulong dy, ulong db, bool accumulate)
    {
        Plan p = PlanFor(g);
        float alpha = 1, beta = accumulate ? 1 : 0;
        _device.MakeCurrent();
        Check(CuDnn.ConvolutionBackwardBias(_handle, &alpha, p.Y, dy, &beta, p.Bias, db), "cudnnConvolutionBackwardBias");
    }

    private Plan PlanFor(in ConvGeometry g)
    {
        if (_plans.TryGetValue(g, out Plan? plan)) return plan;
        _device.MakeCurrent();
        plan = new Plan();
        Check(CuDnn.CreateTensorDescriptor(out plan.X), "cudnnCreateTensorDescriptor");
        Check(CuDnn.SetTensor4dDescriptor(plan.X, CudnnConstants.TensorNchw, CudnnConstants.DataFloat, g.Batch, g.InChannels, g.InH, g.InW), "cudnnSetTensor4dDescriptor");
        Check(CuDnn.CreateTensorDescriptor(out plan.Y), "cudnnCreateTensorDescriptor");
        Check(CuDnn.SetTensor4dDescriptor(plan.Y, CudnnConstants.TensorNchw, CudnnConstants.DataFloat, g.Batch, g.OutChannels, g.OutH, g.OutW), "cudnnSetTensor4dDescriptor");
        Check(CuDnn.CreateTensorDescriptor(out plan.Bias), "cudnnCreateTensorDescriptor");
        Check(CuDnn.SetTensor4dDescriptor(plan.Bias, CudnnConstants.TensorNchw, CudnnConstants.DataFloat, 1, g.OutChannels, 1, 1), "cudnnSetTensor4dDescriptor");
        Check(CuDnn.CreateFilterDescriptor(out plan.W), "cudnnCreateFilterDescriptor");
        Check(CuDnn.SetFilter4dDescriptor(plan.W, CudnnConstants.DataFloat, CudnnConstants.TensorNchw, g.OutChannels, g.InChannels, g.KernelH, g.KernelW), "cudnnSetFilter4dDescriptor");
        Check(CuDnn.CreateConvolutionDescriptor(out plan.Conv), "cudnnCreateConvolutionDescriptor");
        Check(CuDnn.SetConvolution2dDescriptor(plan.Conv, g.PadH, g.PadW, g.StrideH, g.StrideW, g.DilationH, g.DilationW,
            CudnnConstants.CrossCorrelation, CudnnConstants.DataFloat), "cudnnSetConvolution2dDescriptor");
        Check(CuDnn.SetConvolutionMathType(plan.Conv, CudnnConstants.FmaMath), "cudnnSetConvolutionMathType");
        _plans[g] = plan;
        return plan;
    }

    /// <summary>direction 0 forward, 1 backward data, 2 backward filter: the first deterministic algorithm the heuristics rank, else the first usable one.</summary>
    private (int Algo, nuint Bytes) Choose(in ConvGeometry g, int direction)
    {
        Plan p = _plans[g];
        const int requested = 8;
        CuDnn.AlgoPerf* perf = stackalloc CuDnn.AlgoPerf[requested];
        int returned;
        _device.MakeCurrent();
        int status = direction switch
        {
            0 => CuDnn.GetForwardAlgorithmV7(_handle, p.X, p.W, p.Conv, p.Y, requested, out returned, perf),
            1 => CuDnn.GetBackwardDataAlgorithmV7(_handle, p.W, p.Y, p.Conv, p.X, requested, out returned, perf),
            _ => CuDnn.GetBackwardFilterAlgorithmV7(_handle, p.X, p.Y, p.Conv, p.W, requested, out returned, perf),
        };
        Check(status, "cudnnGetConvolution*Algorithm_v7");
        int pick = -1;
        for (int i = 0; i < returned && pick < 0; i++) if (perf[i].Status == 0 && perf[i].Determinism == CudnnConstants.Deterministic) pick = i;
        for (int i = 0; i < returned && pick < 0; i++) if (perf[i].Status == 0) pick = i;
        if (pick < 0) throw new CudaException($"cuDNN offers no usable algorithm for {g} (direction {direction}).");
        int algo = perf[pick].Algo;
        nuint bytes;
        status = direction switch
        {
            0 => CuDnn.GetForwardWorkspaceSize(_handle, p.X, p.W, p.Conv, p.Y, algo, out bytes),
            1 => CuDnn.GetBackwardDataWorkspaceSize(_handle, p.W, p.Y, p.Conv, p.X, algo, out bytes),
            _ => CuDnn.GetBackwardFilterWorkspaceSize(_handle, p.X, p.Y, p.Conv, p.W, algo, out bytes),
        };
        Check(status, "cudnnGetConvolution*WorkspaceSize");
        return (algo, bytes);
    }

    public void Dispose()
    {
        if (_handle == 0) return;
        _device.MakeCurrent();
        foreach (Plan p in _plans.Values)
        {
            Check(CuDnn.DestroyTensorDescriptor(p.X), "cudnnDestroyTensorDescriptor");
            Check(CuDnn.DestroyTensorDescriptor(p.Y), "cudnnDestroyTensorDescriptor");
            Check(CuDnn.DestroyTensorDescriptor(p.Bias), "cudnnDestroyTensorDescriptor");
            Check(CuDnn.DestroyFilterDescriptor(p.W), "cudnnDestroyFilterDescriptor");
            Check(CuDnn.DestroyConvolutionDescriptor(p.Conv), "cudnnDestroyConvolutionDescriptor");
        }
        _plans.Clear();
        int status = CuDnn.Destroy(_handle);
        _handle = 0;
        Check(status, "cudnnDestroy");
    }

    private static void Check(int status, string call)
    {
        if (status != CudnnConstants.StatusSuccess)
            throw new CudaException($"{call} failed with cuDNN status {status} ({System.Runtime.InteropServices.Marshal.PtrToStringUTF8(CuDnn.GetErrorString(status))}).");
    }

    private sealed class Plan
    {
        public nint X, Y, W, Bias, Conv;
        public int Fwd = -1, Data = -1, Filter = -1;
        public nuint FwdBytes, DataBytes, FilterBytes;
    }
}
