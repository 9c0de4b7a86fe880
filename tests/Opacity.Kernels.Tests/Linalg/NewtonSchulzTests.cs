// The CPU Newton-Schulz loop (Cpu/Linalg/NewtonSchulz.cs) on the calibration suite of FID_KID.md 8.3, against the
// eigen route of TraceSqrtProduct (the float64 reference): geometric spectra 1..1e-k for S1 and S2 (k = 2..14, d = 64,
// non-commuting: S1 rotated by the DCT, S2 by a random orthogonal Q), identical statistics, rank-deficient ones.
// Where every eigenvalue of M is above 1e-10 ||M||_F (converged within ~33 steps by the 5.4 table) NS must meet the
// 8.3 FP64 target |dFID| <= 1e-8 (tr S1 + tr S2) and stop on the tolerance; below that it must under-estimate, by no
// more than the truncation bound sum sqrt(mu) over those small eigenvalues. Identical statistics are scored against
// the closed form tr S instead (the eigen route's own error is printed beside). Plus: the loop equals the fixed-step
// scalar oracle, the loop's rules on scripted traces, the guard on a negative eigenvalue, M = 0 and d = 1.
// Each case prints its row of the table in
// kernels/README.md ("Newton-Schulz calibration").
using Opacity.Kernels.Cpu.Linalg;
using Opacity.Kernels.Cpu.Reference;
using Opacity.Kernels.Tests.Cuda.Emulator;

namespace Opacity.Kernels.Tests.Linalg;

public sealed class NewtonSchulzTests
{
    private const int D = 64;

    internal static (double[] S1, double[] S2) Case(string name, int d = D)
    {
        double[] Geometric(int k, bool reverse) => [.. Enumerable.Range(0, d).Select(i => Math.Pow(10, -k * (double)(reverse ? d - 1 - i : i) / (d - 1)))];
        if (name.StartsWith("geometric", StringComparison.Ordinal))
        {
            int k = int.Parse(name["geometric".Length..], System.Globalization.CultureInfo.InvariantCulture);
            return (LinalgTestData.Rotated(LinalgTestData.Dct(d), Geometric(k, false), d),
                EmulatorNewtonSchulzTests.SymmetricWithSpectrum(Geometric(k, true), seed: 11 + k));
        }
        return name switch
        {
            "identical6" => (LinalgTestData.Rotated(LinalgTestData.Dct(d), Geometric(6, false), d), LinalgTestData.Rotated(LinalgTestData.Dct(d), Geometric(6, false), d)),
            "identical-rank20" => (LinalgTestData.Psd(d, 20, 3), LinalgTestData.Psd(d, 20, 3)),
            "rank20-vs-full" => (LinalgTestData.Psd(d, 20, 4), LinalgTestData.Psd(d, 200, 5)),
            "full-vs-rank20" => (LinalgTestData.Psd(d, 200, 5), LinalgTestData.Psd(d, 20, 4)),
            _ => throw new ArgumentException(name),
        };
    }

    internal static readonly string[] Names =
        ["geometric2", "geometric4", "geometric6", "geometric8", "geometric10", "geometric12", "geometric14",
         "identical6", "identical-rank20", "rank20-vs-full", "full-vs-rank20"];

    [TestCaseSource(nameof(Names))]
    public void Calibration_against_the_eigen_route(string name)
    {
        (double[] s1, double[] s2) = Case(name);
        double traces = 0;
        for (int i = 0; i < D; i++) traces += s1[i * D + i] + s2[i * D + i];
        double eigen = TraceSqrtProduct.Compute(s1, s2, D, TraceSqrtRoute.Eigen).Value;
        // Identical statistics have the closed form tr sqrt(S S) = tr S (FID = 0), which also scores the eigen route.
        bool identical = name.StartsWith("identical", StringComparison.Ordinal);
        double exact = identical ? traces / 2 : eigen;
        SymmetricProductMatrix p = SymmetricProduct.Form(s1, s2, D);
        NewtonSchulzResult ns = NewtonSchulz.TraceSqrt(p.M, p.Order);
        // The eigenvalues of M (the one actually iterated) say which directions NS can converge in 45 steps.
        var mu = new double[p.Order];
        SymmetricEigen.Decompose(p.M, p.Order, mu, Span<double>.Empty);
        double aMin = mu.Where(v => v > 0).DefaultIfEmpty(0).Min() / ns.FrobeniusNorm;
        double slowMass = mu.Where(v => v > 0 && v / ns.FrobeniusNorm < 1e-10).Sum(Math.Sqrt);
        double dFid = 2 * (exact - ns.Value);
        TestContext.Out.WriteLine($"| {name} | {(p.Cholesky ? "Cholesky" : "eigen")} {p.Order} | {aMin:E1} | {ns.Iterations} | {ns.Stop} | " +
            $"{(ns.GuardTripped ? "yes" : "no")} | {ns.MaxRelativeDecrease:E1} | {ns.Residual:E1} | {(exact - ns.Value) / exact:E2} | {dFid:E2} | {Math.Abs(dFid) / traces:E2} | {(identical ? $"{(exact - eigen) / exact:E2}" : "-")} |");
        Assert.That(ns.Value, Is.LessThanOrEqualTo(exact * (1 + 1e-11)), "NS approaches tr sqrt from below (up to rounding)");
        if (aMin >= 1e-10)
        {
            Assert.That(Math.Abs(dFid), Is.LessThanOrEqualTo(1e-8 * traces), "FID_KID.md 8.3 FP64 target");
            Assert.That(ns.Stop, Is.EqualTo(NewtonSchulzStop.Converged));
            Assert.That(ns.GuardTripped, Is.False);
            Assert.That(ns.FallbackAdvised, Is.False, $"residual {ns.Residual}");
        }
        else
            Assert.That(exact - ns.Value, Is.LessThanOrEqualTo(slowMass + 5e-9 * traces), "truncation bound of 8.3");
    }

    [TestCase(7)]
    [TestCase(33)]
    public void Loop_equals_the_fixed_step_scalar_oracle(int d)
    {
        double[] m = EmulatorNewtonSchulzTests.SymmetricWithSpectrum([.. Enumerable.Range(0, d).Select(i => Math.Pow(10, -6.0 * i / Math.Max(d - 1, 1)))], seed: d);
        NewtonSchulzResult ns = NewtonSchulz.TraceSqrt(m, d, product: NewtonSchulz.ScalarReference);
        Assert.That(ns.Stop, Is.EqualTo(NewtonSchulzStop.Converged));
        Assert.That(ns.Value, Is.EqualTo(NewtonSchulzReference.TraceSqrt(m, d, ns.Iterations)).Within(1e-14).Percent);
        NewtonSchulzResult blocked = NewtonSchulz.TraceSqrt(m, d);
        Assert.That(blocked.Value, Is.EqualTo(ns.Value).Within(1e-11).Percent, "blocked Dgemm vs scalar GEMM");
    }

    [Test]
    public void Negative_eigenvalue_trips_the_guard_and_returns_the_last_good_trace()
    {
        const int d = 16;
        double[] lambda = [.. Enumerable.Range(0, d).Select(i => i == d - 1 ? -1e-7 : 1.0 - 0.05 * i)];
        double[] m = EmulatorNewtonSchulzTests.SymmetricWithSpectrum(lambda, seed: 5);
        NewtonSchulzResult ns = NewtonSchulz.TraceSqrt(m, d);
        double positive = lambda.Where(v => v > 0).Sum(Math.Sqrt);
        Assert.That(ns.GuardTripped, Is.True);
        Assert.That(ns.Stop, Is.EqualTo(NewtonSchulzStop.Diverged));
        Assert.That(ns.FallbackAdvised, Is.True);
        Assert.That(double.IsFinite(ns.Value), Is.True);
        // The negative mode adds a negative pseudo-root of size up to sqrt(1e-7) (FID_KID.md 5.4).
        Assert.That(ns.Value, Is.EqualTo(positive).Within(2 * Math.Sqrt(1e-7)));
        Assert.That(ns.Iterations, Is.LessThan(45));
    }

    /// <summary>Scripted traces and residuals: the loop's rules on their own.</summary>
    private sealed class Scripted(double start, double[] traces, Func<int, double> residual) : INewtonSchulzSteps
    {
        public int Steps { get; private set; }
        public double Start(double invNorm) => start;
        public double Step() => traces[Steps++];
        public double Residual(double invNorm) => residual(Steps);
    }

    [Test]
    public void Loop_rules_on_scripted_traces()
    {
        // Stops after the second consecutive increment below 1e-13 t; the small (1e-14) rounding decrease is no trip.
        var quiet = new Scripted(1, [2, 3, 3 + 1e-14, 3 - 1e-14, 4], _ => 1e-12);
        NewtonSchulzResult r = NewtonSchulz.Run(quiet, 4, NewtonSchulzOptions.Default);
        Assert.That((r.Stop, r.Iterations, r.GuardTripped, r.FallbackAdvised), Is.EqualTo((NewtonSchulzStop.Converged, 4, false, false)));
        Assert.That(r.Value, Is.EqualTo(2 * (3 - 1e-14)));
        Assert.That(r.MaxRelativeDecrease, Is.EqualTo(2e-14 / 3).Within(5e-16));
        // A real decrease returns the previous trace.
        r = NewtonSchulz.Run(new Scripted(1, [2, 3, 2.5, 4], _ => 0), 4, NewtonSchulzOptions.Default);
        Assert.That((r.Stop, r.Iterations, r.GuardTripped, r.FallbackAdvised, r.Value), Is.EqualTo((NewtonSchulzStop.Diverged, 2, true, true, 6.0)));
        // A non-finite trace likewise.
        r = NewtonSchulz.Run(new Scripted(1, [2, double.NaN], _ => 0), 4, NewtonSchulzOptions.Default);
        Assert.That((r.Stop, r.Iterations, r.Value), Is.EqualTo((NewtonSchulzStop.Diverged, 1, 4.0)));
        // A non-finite periodic residual (step 5) with a finite trace: diverged, value of step 4.
        r = NewtonSchulz.Run(new Scripted(1, [2, 3, 4, 5, 6, 7], k => k == 5 ? double.PositiveInfinity : 0), 4, NewtonSchulzOptions.Default);
        Assert.That((r.Stop, r.Iterations, r.GuardTripped, r.Value), Is.EqualTo((NewtonSchulzStop.Diverged, 4, true, 10.0)));
        // K_max, and a final residual above the limit advises the exact route.
        r = NewtonSchulz.Run(new Scripted(1, [2, 3, 4], _ => 2e-10), 1, new NewtonSchulzOptions { MaxIterations = 3 });
        Assert.That((r.Stop, r.Iterations, r.FallbackAdvised, r.Residual), Is.EqualTo((NewtonSchulzStop.MaxIterations, 3, true, 2e-10)));
    }

    [Test]
    public void Zero_matrix_and_order_one()
    {
        NewtonSchulzResult zero = NewtonSchulz.TraceSqrt(new double[9], 3);
        Assert.That((zero.Value, zero.Stop, zero.Iterations), Is.EqualTo((0.0, NewtonSchulzStop.ZeroMatrix, 0)));
        NewtonSchulzResult one = NewtonSchulz.TraceSqrt([2.25], 1);
        Assert.That(one.Value, Is.EqualTo(1.5).Within(1e-15));
        Assert.That(one.Stop, Is.EqualTo(NewtonSchulzStop.Converged));
        Assert.Throws<ArgumentException>(() => NewtonSchulz.TraceSqrt(new double[3], 2));
    }
}
