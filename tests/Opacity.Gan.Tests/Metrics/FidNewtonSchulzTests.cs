// FID with the square-root step as FP64 Newton-Schulz on Device.Cuda (FID_KID.md 8.3): on the committed scipy
// fixtures (tests/fixtures/fidkid) the NS value must agree with the CPU route (Auto) within the 8.3 FP64 target
// |dFID| <= 1e-8 (tr S1 + tr S2), without the exact fallback, and with scipy's sqrtm value to the 1e-6 bar of FidTests.
// "emulated-cuda": the host emulator (host Dgemm for the GEMMs); "cuda": a real GPU with cuBLAS DGEMM, Ignored with
// the reason where there is none. Plus: the fallback on a guard trip, and a missing GPU is one sentence.
using System.Text.Json;
using Opacity.Gan.Data;
using Opacity.Gan.Metrics;
using Opacity.Tensors;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Metrics;

[TestFixture("emulated-cuda")]
[TestFixture("cuda", Category = "Cuda")]
[NonParallelizable]
public sealed class FidNewtonSchulzTests(string device)
{
    [OneTimeSetUp]
    public void Select() => DeviceFixture.Select(device);

    [OneTimeTearDown]
    public void Restore() => CudaRuntime.UseHardware();

    [TestCaseSource(typeof(FidKidFixtures), nameof(FidKidFixtures.Cases))]
    public void Newton_schulz_on_the_device_meets_the_fp64_target(string name)
    {
        JsonElement c = FidKidFixtures.Case(name);
        NpyMatrix r = Npy.Read(FidKidFixtures.Path_(c.GetProperty("real").GetString()!));
        NpyMatrix f = Npy.Read(FidKidFixtures.Path_(c.GetProperty("fake").GetString()!));
        var s1 = FeatureStatistics.FromFeatures(r.Data, r.Rows, r.Cols, "real");
        var s2 = FeatureStatistics.FromFeatures(f.Data, f.Rows, f.Cols, "fake");
        FidResult cpu = Fid.Compute(s1, s2);
        FidResult ns = Fid.Compute(s1, s2, Device.Cuda, fallbackToExact: false);
        double traces = cpu.TraceTerm;
        NewtonSchulzReport rep = ns.NewtonSchulz!;
        TestContext.Out.WriteLine($"{name} on {device}: NS {ns.Fid:R} vs CPU {cpu.Detail.Method} {cpu.Fid:R}, |dFID|/(trS1+trS2) " +
            $"{Math.Abs(ns.Fid - cpu.Fid) / traces:E2}; {rep.Iterations} it, {rep.Stop}, guard {rep.GuardTripped}, residual {rep.Residual:E1}, " +
            $"M {rep.Order} ({(rep.CholeskyProduct ? "Cholesky" : "eigen")})");
        Assert.That(ns.Detail.Method, Is.EqualTo(TraceSqrtMethod.NewtonSchulz));
        Assert.That(ns.FellBackToExact, Is.False);
        Assert.That(rep.GuardTripped, Is.False);
        Assert.That(ns.TraceTerm, Is.EqualTo(cpu.TraceTerm));
        Assert.That(ns.Fid, Is.EqualTo(cpu.Fid).Within(1e-8 * traces), "FID_KID.md 8.3 FP64 target");
        double sqrtm = c.GetProperty("fid_sqrtm").GetDouble();
        Assert.That(ns.Fid, Is.EqualTo(sqrtm).Within(1e-6 * Math.Abs(sqrtm) + 1e-8 * traces), "vs scipy.linalg.sqrtm");
    }

    [Test]
    public void Fallback_replaces_a_diverged_step_with_the_exact_route()
    {
        // S1 = I and S2 = Q diag(1 .. 0.3, -1e-7) Q^T (DCT Q): a slightly indefinite "covariance" as rounding makes of
        // a singular one. M = S2 then has a negative eigenvalue, NS blows up on it (FID_KID.md 5.4), the guard trips,
        // and the exact route (which clamps it to 0) takes over.
        const int d = 24;
        var s1 = new double[d * d];
        var s2 = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            s1[i * d + i] = 1;
            double lambda = i == d - 1 ? -1e-7 : 1.0 - 0.03 * i;
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++)
                    s2[j * d + k] += Dct(j, i, d) * lambda * Dct(k, i, d);
        }
        var a = new FeatureStatistics { Mean = new double[d], Covariance = s1, Count = 1000, Dimension = d };
        var b = new FeatureStatistics { Mean = new double[d], Covariance = s2, Count = 1000, Dimension = d };
        FidResult raw = Fid.Compute(a, b, Device.Cuda, fallbackToExact: false);
        FidResult safe = Fid.Compute(a, b, Device.Cuda);
        FidResult exact = Fid.Compute(a, b);
        Assert.That(raw.NewtonSchulz!.GuardTripped, Is.True);
        Assert.That(raw.NewtonSchulz.FallbackAdvised, Is.True);
        Assert.That(raw.FellBackToExact, Is.False);
        Assert.That(safe.FellBackToExact, Is.True);
        Assert.That(safe.Fid, Is.EqualTo(exact.Fid));
        Assert.That(safe.NewtonSchulz!.GuardTripped, Is.True, "the report is kept after the fallback");
    }

    /// <summary>Orthonormal DCT-II basis, entry (j, k) (FID_KID.md 8.5 test 4).</summary>
    private static double Dct(int j, int k, int d)
        => Math.Sqrt(2.0 / d) * (k == 0 ? 1 / Math.Sqrt(2) : 1) * Math.Cos(Math.PI * (2 * j + 1) * k / (2.0 * d));
}

public sealed class FidNewtonSchulzNoGpuTests
{
    [Test]
    public void Missing_gpu_is_one_sentence()
    {
        CudaRuntime.UseHardware();
        if (CudaRuntime.IsAvailable(out _)) Assert.Ignore("a CUDA device is present; this test is for machines without one.");
        var s = new FeatureStatistics { Mean = new double[2], Covariance = [1, 0, 0, 1], Count = 10, Dimension = 2 };
        var e = Assert.Throws<DeviceUnavailableException>(() => Fid.Compute(s, s, Device.Cuda));
        Assert.That(e!.Message, Does.Not.Contain("\n"));
        Assert.That(e.Message, Is.Not.Empty);
    }
}
