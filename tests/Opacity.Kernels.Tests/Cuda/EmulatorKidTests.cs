// kernels/cu/kid.cu in the host emulator: the unbiased MMD² assembled from Gram matrices (GemmReference
// standing in for DGEMM), the polynomial kernel and the off-diagonal/plain float64 sums, vs
// KidReference.Mmd2Unbiased computed straight from the definition.
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Cuda;

namespace Opacity.Kernels.Tests.Cuda.Emulator;

[TestFixture]
public sealed class EmulatorKidTests
{
    private static readonly EmulatorLauncher L = EmulatorLauncher.Instance;

    [TestCase(2, 1)]
    [TestCase(7, 9)]
    [TestCase(70, 33)]
    public void Unbiased_mmd_matches_reference(int m, int dim)
    {
        double[] x = Kit.ToDouble(Kit.Random(m * dim, 1)), y = Kit.ToDouble(Kit.Random(m * dim, 2, -1.5f, 2.5f));
        double gamma = 1.0 / dim;
        double expected = KidReference.Mmd2Unbiased(x, y, m, dim);

        double kxx = OffDiagonal(Gram(x, x, m, dim), m, gamma);
        double kyy = OffDiagonal(Gram(y, y, m, dim), m, gamma);
        double kxy = Full(Gram(x, y, m, dim), m, gamma);
        double mmd = kxx / (m * (m - 1.0)) + kyy / (m * (m - 1.0)) - 2 * kxy / ((double)m * m);
        Assert.That(mmd, Is.EqualTo(expected).Within(1e-9 * (Math.Abs(expected) + 1)));
    }

    [Test]
    public void Polynomial_kernel_matches_reference()
    {
        double[] g = Kit.ToDouble(Kit.Random(4097, 3)), expected = (double[])g.Clone();
        KidReference.PolynomialKernel<double>(expected, 0.3, 1.0);
        using PinnedF64 pg = new(g);
        KidCuda.PolynomialKernel(L, pg.Address, g.Length, 0.3, 1.0);
        Assert.That(g, Is.EqualTo(expected));
    }

    private static double[] Gram(double[] a, double[] b, int m, int dim)
    {
        var g = new double[m * m];
        GemmReference.Gemm(false, true, m, m, dim, 1.0, a, dim, b, dim, 0.0, g, m);
        return g;
    }

    private static double OffDiagonal(double[] g, int m, double gamma)
    {
        using PinnedF64 pg = new(g), partials = new(new double[ReduceCuda.PartialCount(m * m)]), result = new(new double[1]);
        KidCuda.PolynomialKernel(L, pg.Address, m * m, gamma, 1.0);
        KidCuda.OffDiagonalSum(L, pg.Address, m, partials.Address, result.Address);
        Assert.That(result.Data[0], Is.EqualTo(KidReference.OffDiagonalSum<double>(g, m)).Within(1e-10).Percent);
        return result.Data[0];
    }

    private static double Full(double[] g, int m, double gamma)
    {
        using PinnedF64 pg = new(g), partials = new(new double[ReduceCuda.PartialCount(m * m)]), result = new(new double[1]);
        KidCuda.PolynomialKernel(L, pg.Address, m * m, gamma, 1.0);
        ReduceCuda.SumF64(L, pg.Address, m * m, squared: false, partials.Address, result.Address);
        return result.Data[0];
    }
}
