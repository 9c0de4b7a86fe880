// A failed CUDA driver call: names the call, the CUresult (name, number, text when the driver can give
// it) and where it was made, as llm.c's cudaCheck does (STYLE.md G11).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Opacity.Kernels.Cuda.Native;

namespace Opacity.Kernels.Cuda;

public sealed class CudaException : Exception
{
    public CudaException() { }

    public CudaException(string message) : base(message) { }

    public CudaException(string message, Exception inner) : base(message, inner) { }

    public CudaException(string call, int status, string? detail = null, string file = "", int line = 0)
        : base($"{call} failed with {Describe(status)}{(string.IsNullOrEmpty(detail) ? "" : ": " + detail)}" +
               (file.Length > 0 ? $" (at {Path.GetFileName(file)}:{line})" : ""))
    {
        Call = call;
        Status = status;
    }

    /// <summary>The driver function that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
    public string Call { get; } = "";

    /// <summary>The CUresult it returned.</summary>
    public int Status { get; }

    internal static void Check(int status, string call, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (status != CudaResult.Success) throw new CudaException(call, status, null, file, line);
    }

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY (2, out of memory)", or just the number if the driver is unusable.</summary>
    public static string Describe(int status)
    {
        try
        {
            string name = CudaDriver.GetErrorName(status, out nint n) == 0 && n != 0 ? Marshal.PtrToStringUTF8(n) ?? "" : "";
            string text = CudaDriver.GetErrorString(status, out nint t) == 0 && t != 0 ? Marshal.PtrToStringUTF8(t) ?? "" : "";
            return name.Length > 0 ? $"{name} ({status}{(text.Length > 0 ? ", " + text : "")})" : $"CUresult {status}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"CUresult {status}";
        }
    }
}
