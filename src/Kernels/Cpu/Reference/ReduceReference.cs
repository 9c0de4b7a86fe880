// Scalar oracle for reductions (kernels/cu/reduce.cu): a left-to-right sum in double (STYLE.md G4).
// Tested against the CUDA kernel by tests/Opacity.Kernels.Tests/Cuda/EmulatorReduceTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ReduceReference
{
    /// <summary><c>Σ x[i]</c>, accumulated in double; 0 for an empty span.</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T v in x) sum += double.CreateTruncating(v);
        return T.CreateTruncating(sum);
    }
}
