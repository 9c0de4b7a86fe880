// kernels/cu/newton_schulz.cu (+ the float64 sum/trace reductions) in the host emulator: each piece vs
// NewtonSchulzReference, and a whole NS run (GemmReference standing in for cuBLAS DGEMM) whose
// sqrt(||M||_F)*tr(Y_K) must match Σ√λ of a symmetric matrix built with a known spectrum.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorNewtonSchulzTests
{
    private static readonly EmulatorLauncher L = EmulatorLauncher.Instance;

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(33)]
    public void Pieces_match_reference(int d)
    {
        double[] m = Kit.ToDouble(Kit.Random(d * d, d));
        double[] ey = new double[d * d], ez = new double[d * d], et = new double[d * d];
        NewtonSchulzReference.Init<double>(m, ey, ez, d, 0.25);
        NewtonSchulzReference.HalfThreeMinus<double>(m, et, d);
        using PinnedF64 pm = new(m), py = new(new double[d * d]), pz = new(new double[d * d]), pt = new(new double[d * d]),
            trace = new(new double[1]), partials = new(new double[ReduceCuda.PartialCount(d * d)]), norm2 = new(new double[1]);
        NewtonSchulzCuda.Init(L, pm.Address, py.Address, pz.Address, d, 0.25);
        NewtonSchulzCuda.HalfThreeMinus(L, pm.Address, pt.Address, d);
        NewtonSchulzCuda.Trace(L, pm.Address, d, trace.Address);
        ReduceCuda.SumF64(L, pm.Address, d * d, squared: true, partials.Address, norm2.Address);
        Assert.That(py.Data, Is.EqualTo(ey));
        Assert.That(pz.Data, Is.EqualTo(ez));
        Assert.That(pt.Data, Is.EqualTo(et));
        Assert.That(trace.Data[0], Is.EqualTo(NewtonSchulzReference.Trace<double>(m, d)).Within(1e-12).Percent);
        double f = NewtonSchulzReference.FrobeniusNorm<double>(m);
        Assert.That(norm2.Data[0], Is.EqualTo(f * f).Within(1e-12).Percent);
    }

    [TestCase(7)]
    [TestCase(33)]
    public void Iteration_reaches_the_trace_of_the_square_root(int d)
    {
        // M = Q diag(λ) Qᵀ with λ from 1 down to 0.05 (κ = 20) and Q from Gram-Schmidt on random columns.
        double[] lambda = [.. Enumerable.Range(0, d).Select(i => 1.0 - 0.95 * i / Math.Max(d - 1, 1))];
        double[] m = SymmetricWithSpectrum(lambda, seed: d);
        double exact = lambda.Sum(Math.Sqrt);
        const int iterations = 40;

        double[] y = new double[d * d], z = new double[d * d], t = new double[d * d], tmp = new double[d * d];
        using PinnedF64 pm = new(m), py = new(y), pz = new(z), pt = new(t), ptmp = new(tmp), norm2 = new(new double[1]),
            partials = new(new double[ReduceCuda.PartialCount(d * d)]), trace = new(new double[1]);
        ReduceCuda.SumF64(L, pm.Address, d * d, squared: true, partials.Address, norm2.Address);
        double norm = Math.Sqrt(norm2.Data[0]);
        NewtonSchulzCuda.Init(L, pm.Address, py.Address, pz.Address, d, 1 / norm);
        for (int k = 0; k < iterations; k++)
        {
            GemmReference.Gemm(false, false, d, d, d, 1.0, z, d, y, d, 0.0, tmp, d);   // ZY (DGEMM stand-in)
            NewtonSchulzCuda.HalfThreeMinus(L, ptmp.Address, pt.Address, d);
            GemmReference.Gemm(false, false, d, d, d, 1.0, y, d, t, d, 0.0, tmp, d);
            tmp.CopyTo(y, 0);
            GemmReference.Gemm(false, false, d, d, d, 1.0, t, d, z, d, 0.0, tmp, d);
            tmp.CopyTo(z, 0);
        }
        NewtonSchulzCuda.Trace(L, py.Address, d, trace.Address);
        double emulated = Math.Sqrt(norm) * trace.Data[0];
        Assert.That(emulated, Is.EqualTo(exact).Within(1e-10).Percent, "NS vs Σ√λ");
        Assert.That(emulated, Is.EqualTo(NewtonSchulzReference.TraceSqrt(m, d, iterations)).Within(1e-12).Percent, "vs reference");
    }

    internal static double[] SymmetricWithSpectrum(double[] lambda, int seed)
    {
        int d = lambda.Length;
        double[] q = Kit.ToDouble(Kit.Random(d * d, seed));   // columns q[:, j], orthonormalised below
        for (int j = 0; j < d; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += q[i * d + j] * q[i * d + k];
                for (int i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + k];
            }
            double n = Math.Sqrt(Enumerable.Range(0, d).Sum(i => q[i * d + j] * q[i * d + j]));
            for (int i = 0; i < d; i++) q[i * d + j] /= n;
        }
        var m = new double[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                for (int k = 0; k < d; k++) m[r * d + c] += q[r * d + k] * lambda[k] * q[c * d + k];
        return m;
    }
}
