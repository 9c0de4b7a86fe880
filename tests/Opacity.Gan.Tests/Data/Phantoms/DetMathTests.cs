// DetMath (deterministic exp/log/pow/sin/cos) against System.Math, and DetRandom's moments.
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class DetMathTests
{
    [Test]
    public void Elementary_functions_match_System_Math()
    {
        for (double x = -30; x <= 30; x += 0.0137)
        {
            Assert.That(Math.Abs(DetMath.Exp(x) - Math.Exp(x)), Is.LessThanOrEqualTo(1e-14 * Math.Exp(x)), $"exp {x}");
            double s = DetMath.Sin(x), c = DetMath.Cos(x);
            Assert.That(s, Is.EqualTo(Math.Sin(x)).Within(1e-13), $"sin {x}");
            Assert.That(c, Is.EqualTo(Math.Cos(x)).Within(1e-13), $"cos {x}");
        }
        foreach (double x in new[] { 1e-300, 1e-10, 0.001, 0.5, 0.7071, 1, 1.5, 2, 10, 12345.678, 1e200 })
            Assert.That(DetMath.Log(x), Is.EqualTo(Math.Log(x)).Within(1e-13 * Math.Max(1, Math.Abs(Math.Log(x)))), $"log {x}");
        Assert.That(DetMath.Pow(2.5, 0.45), Is.EqualTo(Math.Pow(2.5, 0.45)).Within(1e-14));
    }

    [Test]
    public void Random_streams_have_plausible_moments_and_are_independent()
    {
        var r = new DetRandom(1, 0, RandomStream.Noise);
        int n = 200_000;
        double s = 0, s2 = 0, u = 0;
        for (int i = 0; i < n; i++)
        {
            double z = r.Normal();
            s += z;
            s2 += z * z;
            u += r.NextDouble();
        }
        Assert.That(s / n, Is.EqualTo(0).Within(0.01));
        Assert.That(s2 / n, Is.EqualTo(1).Within(0.02));
        Assert.That(u / n, Is.EqualTo(0.5).Within(0.005));
        Assert.That(new DetRandom(1, 0, RandomStream.Anatomy).NextUInt64(), Is.Not.EqualTo(new DetRandom(1, 1, RandomStream.Anatomy).NextUInt64()));
        Assert.That(new DetRandom(1, 0, RandomStream.Anatomy).NextUInt64(), Is.Not.EqualTo(new DetRandom(1, 0, RandomStream.Noise).NextUInt64()));
    }
}
