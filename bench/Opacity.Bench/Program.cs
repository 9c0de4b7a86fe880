using BenchmarkDotNet.Running;

namespace Opacity.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["quick-gemm-conv"]) { Cpu.QuickAnchors.Run(); return; }
        if (args is ["quick-conv-shapes"]) { Cpu.QuickAnchors.ConvShapes(); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
