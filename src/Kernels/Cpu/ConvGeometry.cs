namespace Opacity.Kernels.Cpu;

/// <summary>Geometry of a 2-D convolution, NCHW, weight (OutChannels, InChannels, KernelH, KernelW), zero padding.</summary>
public readonly record struct ConvGeometry(int Batch, int InChannels, int InH, int InW, int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW)
{
    public int OutH => (InH + 2 * PadH - DilationH * (KernelH - 1) - 1) / StrideH + 1;
    public int OutW => (InW + 2 * PadW - DilationW * (KernelW - 1) - 1) / StrideW + 1;

    public void Validate()
    {
        if (Batch < 0 || InChannels <= 0 || OutChannels <= 0 || KernelH <= 0 || KernelW <= 0 || StrideH <= 0 || StrideW <= 0 || DilationH <= 0 || DilationW <= 0 || PadH < 0 || PadW < 0)
            throw new ArgumentException($"Invalid convolution geometry {this}.");
        if (OutH <= 0 || OutW <= 0)
            throw new ArgumentException($"Convolution output would be {OutH}x{OutW} for input {InH}x{InW}, kernel {KernelH}x{KernelW}, padding {PadH}x{PadW}.");
    }
}
