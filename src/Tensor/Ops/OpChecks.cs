namespace Opacity.Tensors.Ops;

/// <summary>Argument checks shared by the ops: one clear sentence naming the op, the tensor and the shapes.</summary>
internal static class OpChecks
{
    public static void SameKind(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new TensorMixException($"{op}: {a.Describe()} and {b.Describe()} have different dtypes ({a.DType.Name()} vs {b.DType.Name()}).");
        if (a.Device != b.Device)
            throw new TensorMixException($"{op}: {a.Describe()} is on {a.Device} but {b.Describe()} is on {b.Device}.");
    }

    public static void Rank(string op, Tensor t, int rank, string layout)
    {
        if (t.Rank != rank)
            throw new ShapeMismatchException($"{op}: expected a rank-{rank} {layout} tensor, got {t.Describe()}.");
    }

    /// <summary>Strides of <paramref name="input"/> read through a broadcast to <paramref name="output"/> (0 on broadcast dims).</summary>
    public static int[] BroadcastStrides(Shape input, Shape output)
    {
        var strides = new int[output.Rank];
        int[] own = input.Strides();
        int shift = output.Rank - input.Rank;
        for (int i = 0; i < input.Rank; i++)
            strides[i + shift] = input[i] == 1 && output[i + shift] != 1 ? 0 : own[i];
        for (int i = 0; i < output.Rank; i++) if (output[i] == 1) strides[i] = 0;
        return strides;
    }
}
