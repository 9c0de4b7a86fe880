// Sum over a set of axes (all when none given), keeping them as size 1 or dropping them.
// Backward broadcasts dy back over the summed axes. Mean is Sum times 1/count (a composite in F).
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Sum(Tensor x, Shape kept) : Node(x)
{
    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var reduce = new bool[x.Rank];
        if (axes is null || axes.Length == 0) Array.Fill(reduce, true);
        else foreach (int a in axes) reduce[x.Shape.NormalizeAxis(a)] = true;
        int[] keptDims = x.Shape.ToArray();
        var outDims = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (reduce[d]) keptDims[d] = 1;
            if (!reduce[d] || keepDims) outDims.Add(keptDims[d]);
        }
        var kept = new Shape(keptDims);
        Tensor y = Tensor.Empty(kept, x.DType, x.Device);
        using (Profiler.Scope("Sum"))
            x.Backend.ReduceTo(x, y, OpChecks.BroadcastStrides(kept, x.Shape), accumulate: false);
        Tensor result = Record(new Sum(x, kept), y);
        return keepDims ? result : result.Reshape([.. outDims]);
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0];
        if (GradTarget(x, out bool acc) is not { } dx) return;
        int[] strides = OpChecks.BroadcastStrides(kept, x.Shape);
        if (acc) dx.Backend.Binary(BinaryKind.Add, dx, x.Shape.Strides(), dy, strides, dx);
        else dx.Backend.Expand(dy, strides, dx);
    }
}
