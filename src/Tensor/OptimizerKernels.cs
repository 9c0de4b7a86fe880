// Tensor-level entry to the fused optimiser updates, so that Nn's optimisers never touch Kernels
// directly (layering: Nn -> Tensor -> Kernels). In-place, outside the graph.
using Opacity.Kernels.Cpu;

namespace Opacity.Tensors;

public static class OptimizerKernels
{
    public static void Adam(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, long step)
    {
        if (!p.Device.IsCpu)
        {
            // the fused kernel of kernels/cu/adam.cu, on the parameter's stream
            ((Backends.CudaBackend)p.Backend).Adam(p, g, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            return;
        }
        if (p.DType == DType.F32) AdamUpdate.StepSimd(p.AsSpan(), g.AsSpan(), m.AsSpan(), v.AsSpan(), lr, beta1, beta2, eps, weightDecay, decoupled, step);
        else AdamUpdate.Step(p.AsSpanF64(), g.AsSpanF64(), m.AsSpanF64(), v.AsSpanF64(), lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    public static void Sgd(Tensor p, Tensor g, Tensor buffer, double lr, double momentum, double weightDecay, bool firstStep)
    {
        if (!p.Device.IsCpu) throw new NotSupportedException($"SGD update for {p.Describe()} on {p.Device}: there is no CUDA SGD kernel yet; use Adam or the CPU.");
        if (p.DType == DType.F32) AdamUpdate.Sgd(p.AsSpan(), g.AsSpan(), buffer.AsSpan(), lr, momentum, weightDecay, firstStep);
        else AdamUpdate.Sgd(p.AsSpanF64(), g.AsSpanF64(), buffer.AsSpanF64(), lr, momentum, weightDecay, firstStep);
    }

    /// <summary>avg = d avg + (1 - d) theta in place, computed in double per element and stored as float
    /// (a float32 CPU tensor; WeightAverage handles the other cases).</summary>
    public static void MovingAverage(Tensor average, Tensor theta, double decay)
    {
        if (!average.Device.IsCpu || average.DType != DType.F32 || theta.DType != DType.F32)
            throw new NotSupportedException($"MovingAverage runs on float32 CPU tensors; got {average.Describe()} and {theta.Describe()}.");
        AdamUpdate.MovingAverageSimd(average.AsSpan(), theta.AsSpan(), decay);
    }

    /// <summary>Sum of squares of all elements, in double (for gradient-norm clipping).</summary>
    public static double SumOfSquares(Tensor t)
    {
        double s = 0;
        foreach (double v in t.ToArrayF64()) s += v * v;
        return s;
    }

    /// <summary>t *= factor in place.</summary>
    public static void Scale(Tensor t, double factor)
    {
        if (!t.Device.IsCpu) { ((Backends.CudaBackend)t.Backend).Scale(t, factor); return; }
        if (t.DType == DType.F32) System.Numerics.Tensors.TensorPrimitives.Multiply(t.AsSpan(), (float)factor, t.AsSpan());
        else System.Numerics.Tensors.TensorPrimitives.Multiply(t.AsSpanF64(), factor, t.AsSpanF64());
    }
}
