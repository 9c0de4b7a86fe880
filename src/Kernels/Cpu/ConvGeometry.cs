// Geometry of a 2-D convolution in NCHW with weight (OutChannels, InChannels, KernelH, KernelW), zero padding.
// Shared by Conv2d (fast) and ConvReference (oracle); tested by ConvGeometryTests.
namespace Opacity.Kernels.Cpu;

/// <summary>Sizes of a 2-D convolution: x is (Batch, InChannels, InH, InW), weight is
/// (OutChannels, InChannels, KernelH, KernelW), y is (Batch, OutChannels, OutH, OutW).</summary>
public readonly record struct ConvGeometry(int Batch, int InChannels, int InH, int InW, int OutChannels,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW)
{
    /// <summary><c>(InH + 2*PadH - DilationH*(KernelH-1) - 1) / StrideH + 1</c></summary>
    public int OutH => (InH + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;

    /// <summary><c>(InW + 2*PadW - DilationW*(KernelW-1) - 1) / StrideW + 1</c></summary>
    public int OutW => (InW + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;

    public long XLength => (long)Batch * InChannels * InH * InW;
    public long YLength => (long)Batch * OutChannels * OutH * OutW;
    public long WLength => (long)OutChannels * InChannels * KernelH * KernelW;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value when the geometry is unusable.</summary>
    public void Validate()
    {
        if (Batch < 0) Fail($"batch must be non-negative, got {Batch}");
        if (InChannels <= 0 || OutChannels <= 0)
            Fail($"channel counts must be positive, got in={InChannels}, out={OutChannels}");
        if (InH <= 0 || InW <= 0) Fail($"input size must be positive, got {InH}x{InW}");
        if (KernelH <= 0 || KernelW <= 0) Fail($"kernel size must be positive, got {KernelH}x{KernelW}");
        if (StrideH <= 0 || StrideW <= 0) Fail($"stride must be positive, got {StrideH}x{StrideW}");
        if (DilationH <= 0 || DilationW <= 0) Fail($"dilation must be positive, got {DilationH}x{DilationW}");
        if (PadH < 0 || PadW < 0) Fail($"padding must be non-negative, got {PadH}x{PadW}");
        int spanH = DilationH * (KernelH - 1) + 1, spanW = DilationW * (KernelW - 1) + 1;
        if (InH + 2 * PadH < spanH || InW + 2 * PadW < spanW)
            Fail($"the padded input {InH + 2 * PadH}x{InW + 2 * PadW} is smaller than the dilated kernel {spanH}x{spanW}, so the output would be empty");
        if (XLength > int.MaxValue || YLength > int.MaxValue || WLength > int.MaxValue)
            Fail("a tensor of this geometry has more than 2^31-1 elements");
    }

    /// <summary>Validates and checks that the spans have exactly the lengths this geometry implies.</summary>
    internal void Check(int xLen, int wLen, int yLen)
    {
        Validate();
        if (xLen != XLength) Fail($"x has {xLen} elements, the geometry needs {XLength}");
        if (wLen != WLength) Fail($"weight has {wLen} elements, the geometry needs {WLength}");
        if (yLen != YLength) Fail($"y has {yLen} elements, the geometry needs {YLength}");
    }

    /// <summary>All sizes, readable in error messages; never evaluates OutH/OutW, which divide by the stride.</summary>
    public override string ToString() =>
        $"(batch {Batch}, {InChannels}->{OutChannels} channels, input {InH}x{InW}, kernel {KernelH}x{KernelW}, " +
        $"stride {StrideH}x{StrideW}, pad {PadH}x{PadW}, dilation {DilationH}x{DilationW})";

    private void Fail(string why) => throw new ArgumentException($"Invalid conv geometry {this}: {why}.");
}
