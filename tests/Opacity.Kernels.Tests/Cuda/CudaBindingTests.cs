// GPU-free checks of the CUDA bindings: versioned entry points (CUDA.md pitfall 1: the unsuffixed
// legacy symbols bind silently with the old ABI), the packed launch arguments, the embedded PTX, and
// that opening a device on a machine without one yields one clear sentence instead of an exception.
using System.Reflection;
using System.Runtime.InteropServices;
using Opacity.Kernels.Cuda;
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Tests.Cuda;

[TestFixture]
public sealed class CudaBindingTests
{
    // Symbols whose current ABI lives under a _v2 name; binding the bare name is a memory-corruption bug.
    private static readonly string[] LegacyNames =
    [
        "cuMemAlloc", "cuMemFree", "cuMemGetInfo", "cuMemcpyHtoD", "cuMemcpyDtoH", "cuMemcpyDtoD", "cuMemcpyHtoDAsync",
        "cuMemcpyDtoHAsync", "cuMemcpyDtoDAsync", "cuMemsetD32", "cuDeviceTotalMem", "cuCtxDestroy", "cuStreamDestroy",
        "cuEventDestroy", "cuDevicePrimaryCtxRelease",
    ];

    [Test]
    public void Driver_imports_use_the_versioned_entry_points()
    {
        var entryPoints = typeof(CudaDriver).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>())
            .Where(a => a != null)
            .ToDictionary(a => a!.EntryPoint!, a => a!.LibraryName);
        Assert.That(entryPoints, Has.Count.GreaterThanOrEqualTo(30), "the LibraryImport attributes must be visible to reflection");
        Assert.That(entryPoints.Values, Is.All.EqualTo(CudaDriver.Library));
        Assert.That(entryPoints.Keys, Has.None.AnyOf(LegacyNames));
        Assert.That(entryPoints.Keys, Is.SupersetOf(new[]
        {
            "cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2", "cuMemsetD32_v2",
            "cuDevicePrimaryCtxRelease_v2", "cuStreamDestroy_v2", "cuEventDestroy_v2", "cuDeviceTotalMem_v2", "cuLaunchKernel",
            "cuModuleLoadDataEx", "cuModuleGetFunction",
        }));
    }

    [Test]
    public void CuBlas_imports_use_the_v2_entry_points()
    {
        var entryPoints = typeof(CuBlas).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()).Where(a => a != null).Select(a => a!.EntryPoint!).ToList();
        // The legacy cublas.h API shares these names without the suffix and has a different ABI.
        string[] legacy = ["cublasCreate", "cublasDestroy", "cublasSetStream", "cublasSgemm", "cublasDgemm", "cublasGetVersion"];
        Assert.That(entryPoints, Has.Count.GreaterThanOrEqualTo(10));
        Assert.That(entryPoints, Has.None.AnyOf(legacy));
        Assert.That(entryPoints, Is.SupersetOf(new[] { "cublasCreate_v2", "cublasSgemm_v2", "cublasDgemm_v2", "cublasSetStream_v2", "cublasGemmEx" }));
    }

    [Test]
    public unsafe void Kernel_args_point_at_their_values()
    {
        var args = new KernelArgs();
        args.Add(0x1234_5678_9abc_def0UL);
        args.Add(-7);
        args.Add(1.5f);
        args.Add(true);
        void** p = args.Bind();
        Assert.That(args.Count, Is.EqualTo(4));
        Assert.That(*(ulong*)p[0], Is.EqualTo(0x1234_5678_9abc_def0UL));
        Assert.That(*(int*)p[1], Is.EqualTo(-7));
        Assert.That(*(float*)p[2], Is.EqualTo(1.5f));
        Assert.That(*(int*)p[3], Is.EqualTo(1));
    }

    [Test]
    public void Kernel_args_refuse_too_many_arguments()
    {
        var args = new KernelArgs();
        for (int i = 0; i < KernelArgs.MaxArgs; i++) args.Add(i);
        try
        {
            args.Add(99);
            Assert.Fail("the 25th argument must be refused");
        }
        catch (InvalidOperationException e)
        {
            Assert.That(e.Message, Does.Contain(KernelArgs.MaxArgs.ToString()));
        }
    }

    [Test]
    public void Embedded_PTX_modules_are_NUL_terminated_sm80_images()
    {
        Assert.That(PtxModules.Names, Is.EquivalentTo(new[] { "adam", "broadcast", "concat", "dense", "elementwise", "instance_norm", "kid", "mask_blend", "newton_schulz", "reduce", "reflection_pad", "spatial", "upsample" }));
        foreach (string module in PtxModules.Names)
        {
            byte[] image = PtxModules.Bytes(module);
            Assert.That(image[^1], Is.Zero, module);
            string text = PtxModules.Text(module);
            Assert.That(text, Does.Contain(".target sm_80").And.Contain(".version 7.0").And.Not.Contain(".extern"), module);
        }
        Assert.Throws<ArgumentException>(() => PtxModules.Bytes("no_such_module"));
    }

    [Test]
    public void Every_launcher_kernel_exists_in_the_embedded_PTX()
    {
        // The launchers build entry-point names from op names; a typo would fail only on a GPU.
        var names = new HashSet<string>(PtxModules.Names.SelectMany(m =>
            PtxModules.Text(m).Split('\n').Where(l => l.StartsWith(".visible .entry ", StringComparison.Ordinal))
                .Select(l => m + ":" + l[16..l.IndexOf('(', StringComparison.Ordinal)])));
        var recorder = new RecordingLauncher();
        MaskBlendCuda.Forward(recorder, 0, 0, 0, 0, 1, 1, 1, 1);
        MaskBlendCuda.Forward(recorder, 0, 0, 0, 0, 1, 1, 1, 1, version: 2);
        MaskBlendCuda.Backward(recorder, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, false, false, false);
        ReduceCuda.Sum(recorder, 0, 1, 0, 0);
        InstanceNormCuda.Forward(recorder, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1e-5f);
        InstanceNormCuda.Backward(recorder, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, false, false);
        ReflectionPadCuda.Forward(recorder, 0, 0, 1, 1, 1, 0, 0, 0, 0);
        ReflectionPadCuda.Backward(recorder, 0, 0, 1, 1, 1, 0, 0, 0, 0, false);
        AdamCuda.Step(recorder, 0, 0, 0, 0, 1, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f);
        ReduceCuda.SumF64(recorder, 0, 1, true, 0, 0);
        NewtonSchulzCuda.Init(recorder, 0, 0, 0, 1, 1.0);
        NewtonSchulzCuda.HalfThreeMinus(recorder, 0, 0, 1);
        NewtonSchulzCuda.Trace(recorder, 0, 1, 0);
        KidCuda.PolynomialKernel(recorder, 0, 1, 1.0, 1.0);
        KidCuda.OffDiagonalSum(recorder, 0, 1, 0, 0);
        UpsampleCuda.NearestForward(recorder, 0, 0, 1, 1, 1, 2);
        UpsampleCuda.NearestBackward(recorder, 0, 0, 1, 1, 1, 2, false);
        ConcatCuda.ChannelsForward(recorder, 0, 0, 0, 1, 1, 1, 1);
        ElementwiseCuda.Add(recorder, 0, 0, 0, 1);
        ElementwiseCuda.Multiply(recorder, 0, 0, 0, 1);
        ElementwiseCuda.MultiplyBackward(recorder, 0, 0, 0, 0, 0, 1, false, false);
        ElementwiseCuda.Scale(recorder, 0, 1f, 0, 1);
        ElementwiseCuda.ScaleBackward(recorder, 0, 1f, 0, 1, false);
        ElementwiseCuda.ReluForward(recorder, 0, 0, 1);
        ElementwiseCuda.ReluBackward(recorder, 0, 0, 0, 1, false);
        ElementwiseCuda.LeakyReluForward(recorder, 0, 0.2f, 0, 1);
        ElementwiseCuda.LeakyReluBackward(recorder, 0, 0, 0.2f, 0, 1, false);
        ElementwiseCuda.TanhForward(recorder, 0, 0, 1);
        ElementwiseCuda.TanhBackward(recorder, 0, 0, 0, 1, false);
        ElementwiseCuda.SigmoidForward(recorder, 0, 0, 1);
        ElementwiseCuda.SigmoidBackward(recorder, 0, 0, 0, 1, false);
        BroadcastCuda.Fill(recorder, 0, 0f, 1);
        BroadcastCuda.CopyBlocks(recorder, 0, 0, 1, 0, 0, 1, 1, 1, false);
        BroadcastCuda.Binary(recorder, 0, 0, [1], 0, [1], 0, [1], version: 1);
        BroadcastCuda.Binary(recorder, 0, 0, [1], 0, [1], 0, [1], version: 2);
        BroadcastCuda.ReduceTo(recorder, 0, [2], 0, [0], false, version: 1);
        BroadcastCuda.ReduceTo(recorder, 0, [2], 0, [0], false, version: 2);
        BroadcastCuda.Unary(recorder, 1, 0, 0, 1, 0f, 0f);
        BroadcastCuda.UnaryBackward(recorder, 1, 0, 0, 0, 0, 1, false, 0f, 0f);
        BroadcastCuda.MulAccumulate(recorder, 0, 0, 0, 1, false);
        BroadcastCuda.DivDenominatorGrad(recorder, 0, 0, 0, 0, 1, false);
        SpatialCuda.Softmax(recorder, false, 0, 1, 2, 1, 0, version: 1);
        SpatialCuda.Softmax(recorder, false, 0, 1, 2, 1, 0, version: 2);
        SpatialCuda.SoftmaxBackward(recorder, false, 0, 0, 1, 2, 1, 0, false);
        SpatialCuda.AvgPool(recorder, 0, 1, 2, 2, 2, 2, 0, true, 0);
        SpatialCuda.AvgPoolBackward(recorder, 0, 1, 2, 2, 2, 2, 0, true, 0, false);
        SpatialCuda.MaxPool(recorder, 0, 1, 2, 2, 2, 2, 0, 0, 0);
        SpatialCuda.MaxPoolBackward(recorder, 0, 0, 1, 2, 2, 2, 2, 0, 0, false, version: 1);
        SpatialCuda.MaxPoolBackward(recorder, 0, 0, 1, 2, 2, 2, 2, 0, 0, false, version: 2);
        SpatialCuda.Resize(recorder, true, 0, 1, 1, 1, 2, 2, 0);
        SpatialCuda.ResizeBackward(recorder, true, 0, 1, 1, 1, 2, 2, 0, false, version: 1);
        SpatialCuda.ResizeBackward(recorder, true, 0, 1, 1, 1, 2, 2, 0, false, version: 2);
        SpatialCuda.Pad(recorder, true, 0, 1, 2, 2, 1, 1, 1, 1, 0);
        SpatialCuda.PadBackward(recorder, true, 0, 1, 2, 2, 1, 1, 1, 1, 0, false, version: 1);
        SpatialCuda.PadBackward(recorder, true, 0, 1, 2, 2, 1, 1, 1, 1, 0, false, version: 2);
        SpatialCuda.NormStatistics(recorder, 0, 1, 1, 4, true, 1e-5f, 0, 0, version: 1);
        SpatialCuda.NormStatistics(recorder, 0, 1, 1, 4, true, 1e-5f, 0, 0, version: 2);
        SpatialCuda.NormApply(recorder, 0, 1, 1, 4, true, 0, 0, 0, 0, 0, version: 1);
        SpatialCuda.NormApply(recorder, 0, 1, 1, 4, true, 0, 0, 0, 0, 0, version: 2);
        SpatialCuda.NormBackward(recorder, 0, 0, 1, 1, 4, true, true, 0, 0, 0, 0, 1, false, 1, false, 0, false);
        var g = new Opacity.Kernels.Cpu.ConvGeometry(1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
        DenseCuda.Gemm(recorder, false, false, 1, 1, 1, 0, 0, 0, false);
        DenseCuda.ConvForward(recorder, g, 0, 0, 0, 0, false);
        DenseCuda.ConvBackwardInput(recorder, g, 0, 0, 0, false);
        DenseCuda.ConvBackwardWeight(recorder, g, 0, 0, 0, false);
        DenseCuda.ConvBackwardBias(recorder, g, 0, 0, false);
        Assert.That(new HashSet<string>(recorder.Launched), Is.EquivalentTo(names), "every PTX entry point has a launcher");
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskBlendCuda.Forward(recorder, 0, 0, 0, 0, 1, 1, 1, 1, version: 3));
    }

    [Test]
    public void TryOpen_returns_a_device_or_one_sentence()
    {
        using CudaDevice? device = CudaDevice.TryOpen(out string reason);
        if (device == null)
        {
            TestContext.Out.WriteLine($"TryOpen: {reason}");
            Assert.That(reason, Is.Not.Empty.And.EndsWith("."));
        }
        else
        {
            Assert.That(reason, Is.Empty);
            Assert.That(device.Name, Is.Not.Empty);
        }
    }

    private sealed class RecordingLauncher : IKernelLauncher
    {
        public List<string> Launched { get; } = [];

        public void Launch(KernelId kernel, Dim3 grid, Dim3 block, uint sharedBytes, ref KernelArgs args)
        {
            Assert.That(grid.X, Is.GreaterThan(0u));
            Assert.That(block.X % 32, Is.Zero, $"{kernel.Name}: block size must be a multiple of 32");
            Launched.Add(kernel.Module + ":" + kernel.Name);
        }
    }
}
