using BenchmarkDotNet.Running;

namespace Opacity.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["quick-gemm-conv"]) { Cpu.QuickAnchors.Run(); return; }
        if (args is ["quick-conv-shapes"]) { Cpu.QuickAnchors.ConvShapes(null); return; }
        if (args is ["quick-conv-shapes", var filter]) { Cpu.QuickAnchors.ConvShapes(filter); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
