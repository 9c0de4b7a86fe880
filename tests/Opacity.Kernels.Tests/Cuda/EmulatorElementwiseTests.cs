// kernels/cu/elementwise.cu in the host emulator vs ElementwiseReference: every forward and every
// backward (accumulating into random priors, and overwriting NaN priors) at 1, 7, 4097 and 3x5x17x19.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorElementwiseTests
{
    private const double Atol = 1e-6, Rtol = 1e-5;
    private const float Slope = 0.2f, Alpha = -1.75f;
    private static readonly int[] Sizes = [1, 7, 4097, 3 * 5 * 17 * 19];
    private static readonly EmulatorLauncher L = EmulatorLauncher.Instance;

    [TestCaseSource(nameof(Sizes))]
    public void Binary_and_scale_forward_match_reference(int count)
    {
        float[] a = Kit.Random(count, 1), b = Kit.Random(count, 2);
        double[] da = Kit.ToDouble(a), db = Kit.ToDouble(b), expected = new double[count];
        using Pinned pa = new(a), pb = new(b), py = new(new float[count]);

        ElementwiseReference.Add<double>(da, db, expected);
        ElementwiseCuda.Add(L, pa.Address, pb.Address, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "add");

        ElementwiseReference.Multiply<double>(da, db, expected);
        ElementwiseCuda.Multiply(L, pa.Address, pb.Address, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "mul");

        ElementwiseReference.Scale<double>(da, Alpha, expected);
        ElementwiseCuda.Scale(L, pa.Address, Alpha, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "scale");
    }

    [TestCaseSource(nameof(Sizes))]
    public void Activations_forward_match_reference(int count)
    {
        float[] x = Kit.AwayFromZero(count, 3);
        double[] dx = Kit.ToDouble(x), expected = new double[count];
        using Pinned px = new(x), py = new(new float[count]);

        ElementwiseReference.ReluForward<double>(dx, expected);
        ElementwiseCuda.ReluForward(L, px.Address, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "relu");

        ElementwiseReference.LeakyReluForward<double>(dx, Slope, expected);
        ElementwiseCuda.LeakyReluForward(L, px.Address, Slope, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "leaky relu");

        ElementwiseReference.TanhForward<double>(dx, expected);
        ElementwiseCuda.TanhForward(L, px.Address, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "tanh");

        ElementwiseReference.SigmoidForward<double>(dx, expected);
        ElementwiseCuda.SigmoidForward(L, px.Address, py.Address, count);
        Kit.Close(expected, py.Data, Atol, Rtol, "sigmoid");
    }

    [Test]
    public void Sigmoid_saturates_without_overflow()
    {
        float[] x = [-200f, -90f, 0f, 90f, 200f];
        using Pinned px = new(x), py = new(new float[x.Length]);
        ElementwiseCuda.SigmoidForward(L, px.Address, py.Address, x.Length);
        Assert.That(py.Data, Is.EqualTo(new[] { 0f, 0f, 0.5f, 1f, 1f }).Within(1e-30f));
    }

    [TestCaseSource(nameof(Sizes))]
    public void Backward_matches_reference_accumulating(int count) => Backward(count, accumulate: true);

    [TestCaseSource(nameof(Sizes))]
    public void Backward_matches_reference_overwriting(int count) => Backward(count, accumulate: false);

    private static void Backward(int count, bool accumulate)
    {
        float[] x = Kit.AwayFromZero(count, 4), b = Kit.Random(count, 5), dy = Kit.Random(count, 6);
        float[] y = new float[count];
        double[] xd = Kit.ToDouble(x), bd = Kit.ToDouble(b), dyd = Kit.ToDouble(dy);
        using Pinned px = new(x), pb = new(b), pdy = new(dy), py = new(y);

        Check("relu bwd", count, accumulate, 10, (p, e) =>
        {
            ElementwiseReference.ReluBackward<double>(xd, dyd, e, accumulate);
            ElementwiseCuda.ReluBackward(L, px.Address, pdy.Address, p, count, accumulate);
        });
        Check("leaky relu bwd", count, accumulate, 11, (p, e) =>
        {
            ElementwiseReference.LeakyReluBackward<double>(xd, dyd, Slope, e, accumulate);
            ElementwiseCuda.LeakyReluBackward(L, px.Address, pdy.Address, Slope, p, count, accumulate);
        });
        Check("scale bwd", count, accumulate, 12, (p, e) =>
        {
            ElementwiseReference.ScaleBackward<double>(dyd, Alpha, e, accumulate);
            ElementwiseCuda.ScaleBackward(L, pdy.Address, Alpha, p, count, accumulate);
        });

        // tanh and sigmoid backward read the forward output y.
        ElementwiseCuda.TanhForward(L, px.Address, py.Address, count);
        double[] yd = Kit.ToDouble(y);
        Check("tanh bwd", count, accumulate, 13, (p, e) =>
        {
            ElementwiseReference.TanhBackward<double>(yd, dyd, e, accumulate);
            ElementwiseCuda.TanhBackward(L, py.Address, pdy.Address, p, count, accumulate);
        });
        ElementwiseCuda.SigmoidForward(L, px.Address, py.Address, count);
        yd = Kit.ToDouble(y);
        Check("sigmoid bwd", count, accumulate, 14, (p, e) =>
        {
            ElementwiseReference.SigmoidBackward<double>(yd, dyd, e, accumulate);
            ElementwiseCuda.SigmoidBackward(L, py.Address, pdy.Address, p, count, accumulate);
        });

        float[] da = EmulatorMaskBlendTests.Prior(count, 15, accumulate), db = EmulatorMaskBlendTests.Prior(count, 16, accumulate);
        double[] eda = Kit.ToDouble(da), edb = Kit.ToDouble(db);
        ElementwiseReference.MultiplyBackward<double>(xd, bd, dyd, eda, edb, accumulate, accumulate);
        using Pinned pda = new(da), pdb = new(db);
        ElementwiseCuda.MultiplyBackward(L, px.Address, pb.Address, pdy.Address, pda.Address, pdb.Address, count, accumulate, accumulate);
        Kit.Close(eda, da, Atol, Rtol, "mul bwd da");
        Kit.Close(edb, db, Atol, Rtol, "mul bwd db");
    }

    /// <summary>Runs one backward on a prior gradient (random or NaN) and compares with the reference run on the same prior.</summary>
    private static void Check(string name, int count, bool accumulate, int seed, Action<ulong, double[]> run)
    {
        float[] grad = EmulatorMaskBlendTests.Prior(count, seed, accumulate);
        double[] expected = Kit.ToDouble(grad);
        using Pinned pg = new(grad);
        run(pg.Address, expected);
        Kit.Close(expected, grad, Atol, Rtol, name);
    }
}
