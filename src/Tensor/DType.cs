namespace Opacity.Tensors;

/// <summary>Element type. Float32 is the working type; Float64 exists on the CPU for gradient checks.</summary>
public enum DType
{
    F32,
    F64,
}

public static class DTypeExtensions
{
    public static int ElementSize(this DType dtype) => dtype == DType.F32 ? 4 : 8;
    public static string Name(this DType dtype) => dtype == DType.F32 ? "float32" : "float64";
}
