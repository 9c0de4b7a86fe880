// One line per op (STYLE.md G9, PyTorch's OpInfo): how to make sample inputs and how to call the op.
// Generic tests iterate the catalog: float64 gradient check, float32 fast path vs the float64
// reference path, run-twice determinism, and every op on each device vs the CPU (DeviceCatalogTests,
// `opacity selftest`). Adding an op adds a line here, not a test file. It lives in product code so the
// CLI self-test runs exactly the tests' list. Ops that make tensors of their own make them on the
// device of their first input.
namespace Opacity.Tensors.Diagnostics;

public enum Sample
{
    Normal,
    Positive,       // |x| + 0.5: log, sqrt, division denominators
    AwayFromZero,   // |x| >= 0.1: kinks of relu, abs, clamp, max pool ties
}

public sealed record InputSpec(int[] Shape, Sample Kind = Sample.Normal, bool RequiresGrad = true);

public sealed record OpCase(string Name, InputSpec[] Inputs, Func<Tensor[], Tensor> Fn,
    double Atol32 = 1e-5, double Rtol32 = 1e-4, bool Differentiable = true)
{
    public override string ToString() => Name;

    /// <summary>Inputs with deterministic values (drawn in float64, then cast) so float32 and float64 runs see the same numbers.</summary>
    public Tensor[] MakeInputs(DType dtype, ulong seed = 1, Device device = default)
    {
        var rng = new Rng(seed);
        var result = new Tensor[Inputs.Length];
        for (int i = 0; i < Inputs.Length; i++)
        {
            InputSpec spec = Inputs[i];
            var shape = new Shape(spec.Shape);
            var v = new double[shape.Numel];
            for (int j = 0; j < v.Length; j++)
            {
                double z = rng.NextNormal();
                v[j] = spec.Kind switch
                {
                    Sample.Positive => Math.Abs(z) + 0.5,
                    Sample.AwayFromZero => z >= 0 ? z + 0.1 : z - 0.1,
                    _ => z,
                };
            }
            Tensor t = Tensor.FromArray(v, spec.Shape).To(dtype).To(device);
            t.RequiresGrad = spec.RequiresGrad;
            result[i] = t;
        }
        return result;
    }
}

public static class OpCatalog
{
    private static InputSpec In(params int[] s) => new(s);
    private static InputSpec Pos(params int[] s) => new(s, Sample.Positive);
    private static InputSpec Away(params int[] s) => new(s, Sample.AwayFromZero);
    private static InputSpec Const(params int[] s) => new(s, Sample.Normal, false);

    public static IEnumerable<OpCase> All() =>
    [
        new("add", [In(2, 3, 4, 5), In(2, 3, 4, 5)], x => x[0] + x[1]),
        new("add_bias_broadcast", [In(2, 3, 4, 5), In(1, 3, 1, 1)], x => x[0] + x[1]),
        new("sub_batch_broadcast", [In(2, 3, 4, 5), In(3, 4, 5)], x => x[0] - x[1]),
        new("mul", [In(2, 3, 5, 7), In(2, 3, 5, 7)], x => x[0] * x[1]),
        new("mul_channel_broadcast", [In(2, 3, 5, 7), In(1, 3, 1, 1)], x => x[0] * x[1]),
        new("div", [In(2, 3, 5, 7), Pos(2, 3, 5, 7)], x => x[0] / x[1]),
        new("div_broadcast", [In(2, 3, 5, 7), Pos(1, 3, 1, 7)], x => x[0] / x[1]),
        new("scalar_ops", [In(2, 3, 5, 7)], x => (x[0] * 3.0 + 1.5) / 2.0 - 0.25),
        new("neg", [In(2, 3, 5, 7)], x => -x[0]),
        new("exp", [In(2, 3, 5, 7)], x => F.Exp(x[0])),
        new("log", [Pos(2, 3, 5, 7)], x => F.Log(x[0])),
        new("sqrt", [Pos(2, 3, 5, 7)], x => F.Sqrt(x[0])),
        new("abs", [Away(2, 3, 5, 7)], x => F.Abs(x[0])),
        new("pow", [Pos(2, 3, 5, 7)], x => F.Pow(x[0], 2.5)),
        new("clamp", [Away(2, 3, 5, 7)], x => F.Clamp(x[0] * 0.5, -0.55, 0.45)),
        new("relu", [Away(2, 3, 5, 7)], x => F.Relu(x[0])),
        new("leaky_relu", [Away(2, 3, 5, 7)], x => F.LeakyRelu(x[0], 0.2)),
        new("tanh", [In(2, 3, 5, 7)], x => F.Tanh(x[0])),
        new("sigmoid", [In(2, 3, 5, 7)], x => F.Sigmoid(x[0])),
        new("softmax_channels", [In(2, 5, 3, 4)], x => F.Softmax(x[0], 1)),
        new("log_softmax_last", [In(4, 7)], x => F.LogSoftmax(x[0], -1)),
        new("matmul", [In(5, 7), In(7, 3)], x => F.MatMul(x[0], x[1])),
        new("matmul_transposed_b", [In(5, 7), In(3, 7)], x => F.MatMul(x[0], x[1], transposeB: true)),
        new("linear", [In(4, 6), In(3, 6), In(3)], x => F.Linear(x[0], x[1], x[2])),
        new("conv2d_3x3_pad1_bias", [In(2, 3, 7, 6), In(4, 3, 3, 3), In(4)], x => F.Conv2d(x[0], x[1], x[2], stride: 1, padding: 1)),
        new("conv2d_4x4_stride2", [In(1, 2, 9, 8), In(3, 2, 4, 4)], x => F.Conv2d(x[0], x[1], null, stride: 2, padding: 1)),
        new("conv2d_dilation2", [In(1, 2, 8, 9), In(2, 2, 3, 3), In(2)], x => F.Conv2d(x[0], x[1], x[2], stride: 1, padding: 2, dilation: 2)),
        new("conv2d_1x7_pad_0_3", [In(1, 3, 5, 9), In(2, 3, 1, 7), In(2)], x => F.Conv2d(x[0], x[1], x[2], 1, (0, 3))),
        new("conv2d_7x1_pad_3_0_stride2", [In(1, 2, 9, 5), In(3, 2, 7, 1)], x => F.Conv2d(x[0], x[1], null, 2, (3, 0))),
        new("conv2d_7x7_nopad", [In(1, 1, 10, 11), In(3, 1, 7, 7), In(3)], x => F.Conv2d(x[0], x[1], x[2])),
        new("conv_transpose2d_s2_outpad1", [In(1, 3, 4, 5), In(3, 2, 3, 3), In(2)], x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1)),
        new("conv_transpose2d_4x4_s2", [In(2, 2, 3, 3), In(2, 3, 4, 4)], x => F.ConvTranspose2d(x[0], x[1], null, stride: 2, padding: 1)),
        new("reflection_pad", [In(2, 3, 5, 6)], x => F.ReflectionPad2d(x[0], 3)),
        new("zero_pad", [In(2, 3, 5, 6)], x => F.ZeroPad2d(x[0], 1, 2, 0, 3)),
        new("instance_norm", [In(2, 3, 5, 6)], x => F.InstanceNorm(x[0]), 1e-4, 1e-4),
        new("instance_norm_affine", [In(2, 3, 5, 6), In(3), In(3)], x => F.InstanceNorm(x[0], x[1], x[2]), 1e-4, 1e-4),
        new("batch_norm_train", [In(3, 2, 4, 5), In(2), In(2)], x => F.BatchNorm(x[0], Tensor.Zeros(new Shape(2), x[0].DType, x[0].Device), Tensor.Ones(new Shape(2), x[0].DType, x[0].Device), x[1], x[2], training: true), 1e-4, 1e-4),
        new("batch_norm_eval", [In(3, 2, 4, 5), In(2), In(2), Const(2), new InputSpec([2], Sample.Positive, false)], x => F.BatchNorm(x[0], x[3], x[4], x[1], x[2], training: false)),
        new("avg_pool", [In(2, 3, 6, 7)], x => F.AvgPool2d(x[0], 2)),
        new("max_pool", [Away(2, 3, 6, 7)], x => F.MaxPool2d(x[0], 3, 2)),
        new("avg_pool_3x3_pad1_exclude_pad", [In(2, 3, 6, 7)], x => F.AvgPool2d(x[0], 3, 1, padding: 1, countIncludePad: false)),
        new("avg_pool_3x3_s2_pad1_include_pad", [In(1, 2, 7, 6)], x => F.AvgPool2d(x[0], 3, 2, padding: 1)),
        new("max_pool_3x3_pad1", [Away(2, 3, 6, 7)], x => F.MaxPool2d(x[0], 3, 1, padding: 1)),
        new("global_avg_pool", [In(2, 3, 5, 6)], x => F.GlobalAvgPool2d(x[0])),
        new("upsample_nearest", [In(1, 2, 3, 4)], x => F.UpsampleNearest(x[0], 6, 8)),
        new("upsample_bilinear", [In(1, 2, 3, 4)], x => F.UpsampleBilinear(x[0], 7, 9)),
        new("concat_channels", [In(2, 3, 4, 5), In(2, 2, 4, 5)], x => F.Concat([x[0], x[1], x[0]], 1)),
        new("slice_channels", [In(2, 5, 4, 3)], x => F.Slice(x[0], 1, 1, 3)),
        new("sum_dims", [In(2, 3, 4, 5)], x => F.Sum(x[0], [1, 3])),
        new("mean_keepdims", [In(2, 3, 4, 5)], x => F.Mean(x[0], [0, 2], keepDims: true)),
        new("reshape", [In(2, 3, 4)], x => x[0].Reshape(6, -1) * x[0].Reshape(6, 4)),
        new("fan_out_residual", [In(1, 2, 5, 5), In(2, 2, 3, 3)], x => x[0] + F.Conv2d(F.ReflectionPad2d(F.Relu(x[0] * x[0]), 1), x[1])),
    ];

}
