// [LibraryImport] declarations for cuDNN 9's legacy convolution API (libcudnn.so.9, logical name
// "cudnn", resolved with its sub-libraries by CudaLibraryResolver): handle, tensor / filter /
// convolution descriptors, forward, backward-data, backward-filter, backward-bias, and algorithm
// choice (cudnnGet*_v7 heuristics, cudnnFind* measurements) with workspace sizes. Imports only; the
// wrapper is CudnnConvolution.cs. Nothing here has run on a GPU yet.
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cuda.Native;

internal static unsafe partial class CuDnn
{
    public const string Library = "cudnn";

    static CuDnn() => CudaLibraryResolver.EnsureRegistered();

    [LibraryImport(Library, EntryPoint = "cudnnGetVersion")] public static partial nuint GetVersion();
    [LibraryImport(Library, EntryPoint = "cudnnGetErrorString")] public static partial nint GetErrorString(int status);
    [LibraryImport(Library, EntryPoint = "cudnnCreate")] public static partial int Create(out nint handle);
    [LibraryImport(Library, EntryPoint = "cudnnDestroy")] public static partial int Destroy(nint handle);
    [LibraryImport(Library, EntryPoint = "cudnnSetStream")] public static partial int SetStream(nint handle, nint stream);

    [LibraryImport(Library, EntryPoint = "cudnnCreateTensorDescriptor")] public static partial int CreateTensorDescriptor(out nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnDestroyTensorDescriptor")] public static partial int DestroyTensorDescriptor(nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnSetTensor4dDescriptor")]
    public static partial int SetTensor4dDescriptor(nint desc, int format, int dataType, int n, int c, int h, int w);

    [LibraryImport(Library, EntryPoint = "cudnnCreateFilterDescriptor")] public static partial int CreateFilterDescriptor(out nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnDestroyFilterDescriptor")] public static partial int DestroyFilterDescriptor(nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnSetFilter4dDescriptor")]
    public static partial int SetFilter4dDescriptor(nint desc, int dataType, int format, int k, int c, int h, int w);

    [LibraryImport(Library, EntryPoint = "cudnnCreateConvolutionDescriptor")] public static partial int CreateConvolutionDescriptor(out nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnDestroyConvolutionDescriptor")] public static partial int DestroyConvolutionDescriptor(nint desc);
    [LibraryImport(Library, EntryPoint = "cudnnSetConvolution2dDescriptor")]
    public static partial int SetConvolution2dDescriptor(nint desc, int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
        int mode, int computeType);
    [LibraryImport(Library, EntryPoint = "cudnnSetConvolutionMathType")] public static partial int SetConvolutionMathType(nint desc, int mathType);

    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionForwardAlgorithm_v7")]
    public static partial int GetForwardAlgorithmV7(nint handle, nint x, nint w, nint conv, nint y, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnFindConvolutionForwardAlgorithm")]
    public static partial int FindForwardAlgorithm(nint handle, nint x, nint w, nint conv, nint y, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionForwardWorkspaceSize")]
    public static partial int GetForwardWorkspaceSize(nint handle, nint x, nint w, nint conv, nint y, int algo, out nuint bytes);
    [LibraryImport(Library, EntryPoint = "cudnnConvolutionForward")]
    public static partial int ConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint conv, int algo,
        ulong workspace, nuint workspaceBytes, float* beta, nint yDesc, ulong y);

    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionBackwardDataAlgorithm_v7")]
    public static partial int GetBackwardDataAlgorithmV7(nint handle, nint w, nint dy, nint conv, nint dx, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnFindConvolutionBackwardDataAlgorithm")]
    public static partial int FindBackwardDataAlgorithm(nint handle, nint w, nint dy, nint conv, nint dx, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionBackwardDataWorkspaceSize")]
    public static partial int GetBackwardDataWorkspaceSize(nint handle, nint w, nint dy, nint conv, nint dx, int algo, out nuint bytes);
    [LibraryImport(Library, EntryPoint = "cudnnConvolutionBackwardData")]
    public static partial int ConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy, nint conv, int algo,
        ulong workspace, nuint workspaceBytes, float* beta, nint dxDesc, ulong dx);

    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionBackwardFilterAlgorithm_v7")]
    public static partial int GetBackwardFilterAlgorithmV7(nint handle, nint x, nint dy, nint conv, nint dw, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnFindConvolutionBackwardFilterAlgorithm")]
    public static partial int FindBackwardFilterAlgorithm(nint handle, nint x, nint dy, nint conv, nint dw, int requested, out int returned, AlgoPerf* results);
    [LibraryImport(Library, EntryPoint = "cudnnGetConvolutionBackwardFilterWorkspaceSize")]
    public static partial int GetBackwardFilterWorkspaceSize(nint handle, nint x, nint dy, nint conv, nint dw, int algo, out nuint bytes);
    [LibraryImport(Library, EntryPoint = "cudnnConvolutionBackwardFilter")]
    public static partial int ConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy, nint conv, int algo,
        ulong workspace, nuint workspaceBytes, float* beta, nint dwDesc, ulong dw);

    [LibraryImport(Library, EntryPoint = "cudnnConvolutionBackwardBias")]
    public static partial int ConvolutionBackwardBias(nint handle, float* alpha, nint dyDesc, ulong dy, float* beta, nint dbDesc, ulong db);

    /// <summary>cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (identical layouts): 48 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct AlgoPerf
    {
        public int Algo;
        public int Status;
        public float Time;
        public nuint Memory;
        public int Determinism;
        public int MathType;
        public int Reserved0, Reserved1, Reserved2;
    }
}

/// <summary>cuDNN enum values used with the declarations above (cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h of cuDNN 9).</summary>
internal static class CudnnConstants
{
    public const int StatusSuccess = 0;
    public const int TensorNchw = 0;
    public const int DataFloat = 0;
    public const int CrossCorrelation = 1;
    public const int DefaultMath = 0, TensorOpMath = 1, FmaMath = 3;
    public const int Deterministic = 1;
}
