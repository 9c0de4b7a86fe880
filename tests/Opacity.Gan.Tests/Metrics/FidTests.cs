// FID against scipy (pytorch-fid's sqrtm route), numpy eigvals (torch-fidelity/torchmetrics) and numpy eigh
// (the same symmetric route in LAPACK) on the fixtures of tests/fixtures/fidkid: full rank, N < d,
// identical sets, float32 Inception-like features, each through the default route (Auto: Cholesky where a
// covariance is positive definite, the eigen reference where both are singular) and the eigen route itself;
// plus closed forms and bad input.
using System.Text.Json;
using Opacity.Gan.Data;
using Opacity.Gan.Metrics;
using Opacity.Tensors;

namespace Opacity.Gan.Tests.Metrics;

public sealed class FidTests
{
    private static IEnumerable<TestCaseData> CasesByMethod()
    {
        foreach (TestCaseData c in FidKidFixtures.Cases())
            foreach (TraceSqrtMethod method in new[] { TraceSqrtMethod.Auto, TraceSqrtMethod.Eigen })
                yield return new TestCaseData(c.Arguments[0], method).SetName($"{{m}}({c.Arguments[0]},{method})");
    }

    [TestCaseSource(nameof(CasesByMethod))]
    public void Fid_matches_scipy_sqrtm_within_1e6_relative(string name, TraceSqrtMethod method)
    {
        JsonElement c = FidKidFixtures.Case(name);
        NpyMatrix r = Npy.Read(FidKidFixtures.Path_(c.GetProperty("real").GetString()!));
        NpyMatrix f = Npy.Read(FidKidFixtures.Path_(c.GetProperty("fake").GetString()!));
        Assert.That(r.SourceDType, Is.EqualTo(c.GetProperty("dtype").GetString()));
        var s1 = FeatureStatistics.FromFeatures(r.Data, r.Rows, r.Cols, "real");
        var s2 = FeatureStatistics.FromFeatures(f.Data, f.Rows, f.Cols, "fake");
        // Statistics agree with np.mean / np.cov.
        Assert.That(s1.Mean[0], Is.EqualTo(c.GetProperty("mean_real_first").GetDouble()).Within(1e-13));
        Assert.That(s1.Covariance[0], Is.EqualTo(c.GetProperty("cov_real_00").GetDouble()).Within(1e-13));
        Assert.That(s1.Covariance[1], Is.EqualTo(c.GetProperty("cov_real_01").GetDouble()).Within(1e-13));
        FidResult fid = Fid.Compute(s1, s2, method: method);
        bool rankDeficient = s1.RankDeficient || s2.RankDeficient;
        // Auto takes the Cholesky route unless both covariances are singular by construction (N - 1 < d).
        Assert.That(fid.Detail.Method, Is.EqualTo(method == TraceSqrtMethod.Auto && !rankDeficient ? TraceSqrtMethod.Cholesky : TraceSqrtMethod.Eigen));
        double sqrtm = c.GetProperty("fid_sqrtm").GetDouble();
        double eigvals = c.GetProperty("fid_eigvals").GetDouble();
        double eigh = c.GetProperty("fid_eigh").GetDouble();
        double traces = c.GetProperty("trace_sigma_real").GetDouble() + c.GetProperty("trace_sigma_fake").GetDouble();
        Assert.That(fid.TraceTerm, Is.EqualTo(traces).Within(1e-12 * traces));
        // Identical sets: FID is 0 up to rounding, so the bar is relative to the trace scale there.
        double atol = 1e-10 * traces;
        TestContext.Out.WriteLine($"{name} ({fid.Detail.Method}): ours {fid.Fid:R}, scipy sqrtm {sqrtm:R} (rel {Math.Abs(fid.Fid - sqrtm) / Math.Abs(sqrtm):E2}), " +
            $"eigvals {eigvals:R}, eigh {eigh:R}; clamped {fid.Detail.ClampedSigma1}/{fid.Detail.ClampedProduct}");
        Assert.That(fid.Fid, Is.EqualTo(sqrtm).Within(1e-6 * Math.Abs(sqrtm) + atol), "vs scipy.linalg.sqrtm route");
        Assert.That(fid.Fid, Is.EqualTo(eigvals).Within(1e-6 * Math.Abs(eigvals) + atol), "vs eigvals route");
        // Same algorithm as ours in LAPACK: full rank agrees to rounding. With N - 1 < d the null space of each
        // covariance holds eigenvalues of rounding size (+-1e-16 lambda_max) whose square roots (~1e-8) survive
        // the clamp or not depending on summation order, so the two routes agree only to ~1e-8 there.
        Assert.That(fid.Fid, Is.EqualTo(eigh).Within((rankDeficient ? 1e-7 : 1e-10) * Math.Abs(eigh) + atol), "vs numpy eigh route");
        Assert.That(fid.PytorchFidMightRaise, Is.EqualTo(c.GetProperty("pytorch_fid_would_raise").GetBoolean()));
    }

    [TestCaseSource(typeof(FidKidFixtures), nameof(FidKidFixtures.Cases))]
    public void Fid_from_features_matches_scipy_and_takes_the_thin_route_for_few_samples(string name)
    {
        JsonElement c = FidKidFixtures.Case(name);
        NpyMatrix r = Npy.Read(FidKidFixtures.Path_(c.GetProperty("real").GetString()!));
        NpyMatrix f = Npy.Read(FidKidFixtures.Path_(c.GetProperty("fake").GetString()!));
        FidResult fid = Fid.Compute(r.Data, r.Rows, f.Data, f.Rows, r.Cols);
        bool few = Math.Min(r.Rows, f.Rows) - 1 < r.Cols;
        Assert.That(fid.Detail.Method, Is.EqualTo(few ? TraceSqrtMethod.Thin : TraceSqrtMethod.Cholesky));
        double sqrtm = c.GetProperty("fid_sqrtm").GetDouble();
        double traces = c.GetProperty("trace_sigma_real").GetDouble() + c.GetProperty("trace_sigma_fake").GetDouble();
        Assert.That(fid.Fid, Is.EqualTo(sqrtm).Within(1e-6 * Math.Abs(sqrtm) + 1e-10 * traces));
        // Same statistics as the covariance overload; the traces agree to rounding.
        FidResult fromStats = Fid.Compute(FeatureStatistics.FromFeatures(r.Data, r.Rows, r.Cols, "real"),
            FeatureStatistics.FromFeatures(f.Data, f.Rows, f.Cols, "fake"), method: TraceSqrtMethod.Eigen);
        Assert.That(fid.TraceTerm, Is.EqualTo(fromStats.TraceTerm));
        Assert.That(fid.Fid, Is.EqualTo(fromStats.Fid).Within((few ? 1e-7 : 1e-10) * Math.Abs(fromStats.Fid) + 1e-10 * traces));
    }

    [Test]
    public void Mean_shift_only_gives_squared_distance()
    {
        // pytorch-fid's own test at d = 64: equal covariances (identity), means 0 and 1 -> FID = d.
        const int d = 64;
        var cov = new double[d * d];
        for (int i = 0; i < d; i++)
            cov[i * d + i] = 1;
        var a = new FeatureStatistics { Mean = new double[d], Covariance = cov, Count = 100, Dimension = d };
        var b = new FeatureStatistics { Mean = Enumerable.Repeat(1.0, d).ToArray(), Covariance = cov, Count = 100, Dimension = d };
        Assert.That(Fid.Compute(a, b).Fid, Is.EqualTo(d).Within(1e-12 * d));
        // Scaled: S2 = 4 S1 = 4 I -> FID = (1 - 2)^2 tr S1 + ||dmu||^2 = 2d.
        var c = new FeatureStatistics { Mean = b.Mean, Covariance = cov.Select(x => 4 * x).ToArray(), Count = 100, Dimension = d };
        Assert.That(Fid.Compute(a, c).Fid, Is.EqualTo(2 * d).Within(1e-12 * d));
    }

    [Test]
    public void Worked_2x2_example_through_the_metric()
    {
        var a = new FeatureStatistics { Mean = [0, 0], Covariance = [2, 1, 1, 2], Count = 10, Dimension = 2 };
        var b = new FeatureStatistics { Mean = [0, 0], Covariance = [1, 0, 0, 4], Count = 10, Dimension = 2 };
        Assert.That(Fid.Compute(a, b).Fid, Is.EqualTo(0.7712204476543416).Within(1e-14));
    }

    [Test]
    public void Bad_input_is_one_clear_sentence()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        var e1 = Assert.Throws<MetricInputException>(() => FeatureStatistics.FromFeatures(x.AsSpan(0, 3), 1, 3, "one.npy"));
        Assert.That(e1!.Message, Does.Contain("one.npy").And.Contain("at least 2"));
        double[] bad = [1, 2, double.NaN, 4, 5, 6];
        var e2 = Assert.Throws<MetricInputException>(() => FeatureStatistics.FromFeatures(bad, 2, 3, "nan.npy"));
        Assert.That(e2!.Message, Does.Contain("nan.npy").And.Contain("row 0, column 2"));
        var s3 = FeatureStatistics.FromFeatures(x, 2, 3, "a");
        var s2 = FeatureStatistics.FromFeatures(x, 3, 2, "b");
        var e3 = Assert.Throws<MetricInputException>(() => Fid.Compute(s3, s2));
        Assert.That(e3!.Message, Does.Contain("d = 3").And.Contain("d = 2"));
    }
}
