// IKernelLauncher on a real GPU: loads each embedded PTX module on first use, caches CUfunctions, and
// enqueues cuLaunchKernel on one stream with the packed argument array (no boxing, no per-launch
// allocation after warm-up). Launch errors surface at the next synchronisation (CUDA.md pitfall 6).
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CudaLauncher : IKernelLauncher, IDisposable
{
    private readonly CudaDevice _device;
    private readonly Dictionary<string, CudaModule> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<KernelId, nint> _functions = [];

    public CudaLauncher(CudaDevice device, CudaStream stream)
    {
        _device = device;
        Stream = stream;
    }

    public CudaStream Stream { get; }

    public unsafe void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args)
    {
        _device.MakeCurrent();
        if (!_functions.TryGetValue(kernel, out nint function))
        {
            if (!_modules.TryGetValue(kernel.Module, out CudaModule? module))
                _modules[kernel.Module] = module = CudaModule.LoadEmbedded(_device, kernel.Module);
            _functions[kernel] = function = module.Function(kernel.Name);
        }
        int status = CudaDriver.LaunchKernel(function, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedBytes,
            Stream.Handle, args.Bind(), null);
        if (status != CudaResult.Success) throw new CudaException("cuLaunchKernel", status, kernel.Name);
    }

    public void Dispose()
    {
        foreach (CudaModule module in _modules.Values) module.Dispose();
        _modules.Clear();
        _functions.Clear();
    }
}
