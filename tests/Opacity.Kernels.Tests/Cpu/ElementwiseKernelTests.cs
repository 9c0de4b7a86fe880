// SIMD elementwise kernels against their scalar bodies (STYLE.md G5): lengths 0..257 (every tail),
// offsets 0..7 into a larger buffer (misalignment), and a canary region that must stay untouched.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cpu.Simd;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Kernels.Tests.Cpu;

[TestFixture]
public sealed class ElementwiseKernelTests
{
    private const float Canary = 12345.678f;

    private static float[] Values(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextNormal() * 2);
        return v;
    }

    private static void Sweep(Action<float[], float[], int, int> simd, Action<float[], float[], int, int> scalar, string name)
    {
        for (int n = 0; n <= 257; n++)
            for (int offset = 0; offset < 8; offset += n < 40 ? 1 : 7)
            {
                float[] x = Values(n + offset + 16, (ulong)(n * 8 + offset));
                float[] got = Enumerable.Repeat(Canary, n + offset + 16).ToArray();
                float[] want = (float[])got.Clone();
                simd(x, got, offset, n);
                scalar(x, want, offset, n);
                TensorAssert.Close(want, got, 1e-6, 4 * float.Epsilon + 4 * 1.19e-7, $"{name} n={n} offset={offset}");
                for (int i = offset + n; i < got.Length; i++)
                    Assert.That(got[i], Is.EqualTo(Canary), $"{name}: wrote past the end at n={n}, offset={offset}");
            }
    }

    private static void UnaryCase<TOp>(TOp op, string name) where TOp : struct, IUnaryOp<float>
        => Sweep((x, y, o, n) => SimdMap.Unary<float, TOp>(x.AsSpan(o, n), y.AsSpan(o, n), op),
                 (x, y, o, n) => SimdMap.UnaryScalar<float, TOp>(x.AsSpan(o, n), y.AsSpan(o, n), op), name);

    private static void TernaryCase<TOp>(TOp op, string name) where TOp : struct, ITernaryOp<float>
    {
        foreach (bool acc in new[] { false, true })
            Sweep((x, y, o, n) => SimdMap.Ternary<float, TOp>(x.AsSpan(o, n), x.AsSpan(o + 1, n), x.AsSpan(o + 2, n), y.AsSpan(o, n), acc, op),
                  (x, y, o, n) => SimdMap.TernaryScalar<float, TOp>(x.AsSpan(o, n), x.AsSpan(o + 1, n), x.AsSpan(o + 2, n), y.AsSpan(o, n), acc, op),
                  $"{name} accumulate={acc}");
    }

    [Test] public void Relu() => UnaryCase(new ReluOp<float>(), "relu");
    [Test] public void LeakyRelu() => UnaryCase(new LeakyReluOp<float>(0.2f), "leaky_relu");
    [Test] public void Clamp() => UnaryCase(new ClampOp<float>(-0.5f, 0.7f), "clamp");
    [Test] public void LeakyReluGrad() => TernaryCase(new LeakyReluGradOp<float>(0.2f), "leaky_relu_grad");
    [Test] public void ClampGrad() => TernaryCase(new ClampGradOp<float>(-0.5f, 0.7f), "clamp_grad");
    [Test] public void TanhGrad() => TernaryCase(new TanhGradOp<float>(), "tanh_grad");
    [Test] public void SigmoidGrad() => TernaryCase(new SigmoidGradOp<float>(), "sigmoid_grad");
    [Test] public void AbsGrad() => TernaryCase(new AbsGradOp<float>(), "abs_grad");
    [Test] public void MulGrad() => TernaryCase(new MulGradOp<float>(), "mul_grad");
    [Test] public void DivDenominatorGrad() => TernaryCase(new DivDenominatorGradOp<float>(), "div_denominator_grad");
}

[TestFixture]
public sealed class StructuredKernelTests
{
    private static float[] Values(int n, ulong seed) { var r = new Rng(seed); return Enumerable.Range(0, n).Select(_ => (float)r.NextNormal()).ToArray(); }

    private static readonly int[][] Shapes = [[1, 1, 1, 1], [1, 1, 128, 128], [2, 3, 5, 7], [3, 5, 17, 19]];

    [TestCaseSource(nameof(Shapes))]
    public void Broadcast_binary_expand_and_reduce_match_reference(int[] shape)
    {
        int[][] operandShapes = [shape, [1, shape[1], 1, 1], [shape[0], 1, shape[2], shape[3]], [1, 1, 1, 1], [1, 1, 1, shape[3]]];
        foreach (int[] bShape in operandShapes)
        {
            int n = shape.Aggregate(1, (a, d) => a * d), nb = bShape.Aggregate(1, (a, d) => a * d);
            float[] a = Values(n, 1), b = Values(nb, 2);
            for (int i = 0; i < b.Length; i++) b[i] = Math.Abs(b[i]) + 0.5f;
            int[] sa = Broadcast.Contiguous(shape), sb = BroadcastStrides(bShape);
            foreach (BinaryKind kind in Enum.GetValues<BinaryKind>())
            {
                float[] got = new float[n], want = new float[n];
                Broadcast.Binary(kind, a, sa, b, sb, got, shape);
                BroadcastReference.Binary<float>(kind, a, sa, b, sb, want, shape);
                TensorAssert.Close(want, got, 1e-6, 1e-6, $"{kind} {string.Join("x", shape)} by {string.Join("x", bShape)}");
            }
            // The broadcast copy, exactly: 1 * b by the reference is b itself; y starts as NaN.
            float[] ones = Enumerable.Repeat(1f, n).ToArray(), copied = Enumerable.Repeat(float.NaN, n).ToArray(), expanded = new float[n];
            BroadcastReference.Binary<float>(BinaryKind.Mul, ones, sa, b, sb, expanded, shape);
            Broadcast.Expand<float>(b, sb, copied, shape);
            Assert.That(copied, Is.EqualTo(expanded), $"expand {string.Join("x", bShape)} to {string.Join("x", shape)}");
            foreach (bool acc in new[] { false, true })
            {
                float[] got = Values(nb, 3), want = (float[])got.Clone();
                Broadcast.ReduceTo<float>(a, shape, got, sb, acc);
                BroadcastReference.ReduceTo<float>(a, shape, want, sb, acc);
                TensorAssert.Close(want, got, 1e-4, 1e-5, $"reduce {string.Join("x", shape)} onto {string.Join("x", bShape)} acc={acc}");
            }
        }
    }

    private static int[] BroadcastStrides(int[] s)
    {
        var st = new int[4];
        int acc = 1;
        for (int i = 3; i >= 0; i--) { st[i] = s[i] == 1 ? 0 : acc; acc *= s[i]; }
        return st;
    }

    [TestCaseSource(nameof(Shapes))]
    public void Padding_matches_reference(int[] shape)
    {
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3];
        float[] x = Values(planes * h * w, 4);
        foreach (PadMode mode in Enum.GetValues<PadMode>())
        {
            int t = Math.Min(3, h - 1), b = Math.Min(1, h - 1), l = Math.Min(2, w - 1), r = Math.Min(3, w - 1);
            if (mode == PadMode.Zero) { t = 3; b = 1; l = 2; r = 3; }
            int oh = h + t + b, ow = w + l + r;
            float[] got = new float[planes * oh * ow], want = new float[planes * oh * ow];
            Padding2d.Forward<float>(mode, x, planes, h, w, t, b, l, r, got);
            PaddingReference.Forward<float>(mode, x, planes, h, w, t, b, l, r, want);
            TensorAssert.Close(want, got, 0, 0, $"{mode} pad forward");
            float[] dy = Values(got.Length, 5);
            foreach (bool acc in new[] { false, true })
            {
                float[] dGot = Values(x.Length, 6), dWant = (float[])dGot.Clone();
                Padding2d.Backward<float>(mode, dy, planes, h, w, t, b, l, r, dGot, acc);
                PaddingReference.Backward<float>(mode, dy, planes, h, w, t, b, l, r, dWant, acc);
                TensorAssert.Close(dWant, dGot, 1e-6, 1e-6, $"{mode} pad backward acc={acc}");
            }
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void Instance_and_batch_norm_match_reference(int[] shape)
    {
        int n = shape[0], c = shape[1], hw = shape[2] * shape[3];
        foreach (bool perInstance in new[] { true, false })
        {
            if (!perInstance && n * hw < 2) continue;
            float[] x = Values(n * c * hw, 7).Select(v => v * 3 + 2).ToArray(), dy = Values(x.Length, 8);
            float[] gamma = Values(c, 9), beta = Values(c, 10);
            int groups = perInstance ? n * c : c;
            float[] mean = new float[groups], rstd = new float[groups], y = new float[x.Length];
            float[] rm = new float[groups], rr = new float[groups], ry = new float[x.Length];
            Normalization.Statistics<float>(x, n, c, hw, perInstance, 1e-5, mean, rstd);
            Normalization.Apply<float>(x, n, c, hw, perInstance, mean, rstd, gamma, beta, y);
            NormalizationReference.Forward<float>(x, n, c, hw, perInstance, 1e-5, gamma, beta, ry, rm, rr);
            string what = $"{(perInstance ? "instance" : "batch")} norm {string.Join("x", shape)}";
            TensorAssert.Close(ry, y, 1e-5, 1e-5, what + " forward");
            float[] dx = new float[x.Length], dg = new float[c], db = new float[c];
            float[] rdx = new float[x.Length], rdg = new float[c], rdb = new float[c];
            Normalization.Backward<float>(x, dy, n, c, hw, perInstance, true, mean, rstd, gamma, dx, false, dg, db, false);
            NormalizationReference.Backward<float>(x, dy, n, c, hw, perInstance, rm, rr, gamma, rdx, rdg, rdb);
            // A single-element group has xhat = 0 and a gradient that is pure rounding noise: compare loosely there.
            double atol = hw * (perInstance ? 1 : n) == 1 ? 1e-2 : 1e-4;
            TensorAssert.Close(rdx, dx, atol, 1e-4, what + " dx");
            TensorAssert.Close(rdg, dg, 1e-3, 1e-4, what + " dgamma");
            TensorAssert.Close(rdb, db, 1e-3, 1e-4, what + " dbeta");
        }
    }
}
