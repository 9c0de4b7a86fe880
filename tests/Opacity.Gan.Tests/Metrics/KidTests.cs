// KID: the fixtures (same subsets as make_vectors.py's Python sampler, float64), the sampler itself, the closed
// forms of FID_KID.md 8.5, seed determinism, full-permutation invariance, and bad input.
using System.Text.Json;
using Opacity.Gan.Data;
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Tests.Metrics;

public sealed class KidTests
{
    [TestCaseSource(typeof(FidKidFixtures), nameof(FidKidFixtures.Cases))]
    public void Kid_matches_python_on_the_same_subsets(string name)
    {
        JsonElement c = FidKidFixtures.Case(name);
        JsonElement k = c.GetProperty("kid");
        NpyMatrix r = Npy.Read(FidKidFixtures.Path_(c.GetProperty("real").GetString()!));
        NpyMatrix f = Npy.Read(FidKidFixtures.Path_(c.GetProperty("fake").GetString()!));
        int subsets = k.GetProperty("subsets").GetInt32(), m = k.GetProperty("subset_size").GetInt32();
        ulong seed = k.GetProperty("seed").GetUInt64();
        // The sampler draws the same first subsets as the Python port.
        var sampler = new KidSampler(seed);
        Assert.That(sampler.Subset(r.Rows, m), Is.EqualTo(k.GetProperty("first_real_indices").EnumerateArray().Select(e => e.GetInt32())));
        Assert.That(sampler.Subset(f.Rows, m), Is.EqualTo(k.GetProperty("first_fake_indices").EnumerateArray().Select(e => e.GetInt32())));
        KidResult kid = Kid.Compute(r.Data, r.Rows, f.Data, f.Rows, r.Cols, subsets, m, seed);
        double mean = k.GetProperty("mean").GetDouble(), std = k.GetProperty("std").GetDouble();
        double[] values = k.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        TestContext.Out.WriteLine($"{name}: KID ours {kid.Mean:R} +- {kid.Std:R}, python {mean:R} +- {std:R}");
        for (int s = 0; s < subsets; s++)
            Assert.That(kid.Values[s], Is.EqualTo(values[s]).Within(1e-9 * Math.Abs(values[s])), $"subset {s}");
        Assert.That(kid.Mean, Is.EqualTo(mean).Within(1e-9 * Math.Abs(mean)));
        // The std of the identical-set case is rounding noise around 0 (every subset is a permutation).
        Assert.That(kid.Std, Is.EqualTo(std).Within(1e-6 * Math.Abs(std) + 1e-12 * Math.Abs(mean)));
        KidResult again = Kid.Compute(r.Data, r.Rows, f.Data, f.Rows, r.Cols, subsets, m, seed);
        Assert.That(again.Values, Is.EqualTo(kid.Values), "same seed, same KID");
    }

    [Test]
    public void Sampler_matches_the_python_port()
    {
        JsonElement check = FidKidFixtures.Expected().GetProperty("sampler_check");
        var s = new KidSampler(check.GetProperty("seed").GetUInt64());
        foreach (JsonElement e in check.GetProperty("first_uint64").EnumerateArray())
            Assert.That(s.NextUInt64(), Is.EqualTo(ulong.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(s.Subset(1000, 10), Is.EqualTo(check.GetProperty("subset_10_of_1000").EnumerateArray().Select(e => e.GetInt32())));
    }

    [Test]
    public void Closed_forms()
    {
        // d = 1, x = {0, 1}, y = {0, 2}: off-diagonal sums 2 and 2, cross sum 30 -> 4/2 - 60/4 = -13.
        KidResult a = Kid.ComputeWithSubsets([0, 1], 2, [0, 2], 2, 1, [[0, 1]], [[0, 1]]);
        Assert.That(a.Mean, Is.EqualTo(-13).Within(1e-14));
        // Identical sets x = y = {0, 1}: K = [[1, 1], [1, 8]] -> 2 (11/4 - 9/2) = -3.5.
        KidResult b = Kid.ComputeWithSubsets([0, 1], 2, [0, 1], 2, 1, [[0, 1]], [[1, 0]]);
        Assert.That(b.Mean, Is.EqualTo(-3.5).Within(1e-14));
        // gamma = 1/d, not 1/N: d = 2, x = {(1, 1), (2, 2)}, y = {(1, -1), (1, -1)}.
        // k(x1,x2) = (4/2 + 1)^3 = 27; k(y1,y2) = (2/2 + 1)^3 = 8; k(x_i, y_j) = 1 -> (54 + 16)/2 - 2 * 4/4 = 33.
        KidResult g = Kid.ComputeWithSubsets([1, 1, 2, 2], 2, [1, -1, 1, -1], 2, 2, [[0, 1]], [[0, 1]]);
        Assert.That(g.Mean, Is.EqualTo(33).Within(1e-13));
    }

    [Test]
    public void Full_permutation_subsets_give_one_value()
    {
        var rng = new Random(5);
        double[] x = Enumerable.Range(0, 40 * 6).Select(_ => rng.NextDouble()).ToArray();
        double[] y = Enumerable.Range(0, 40 * 6).Select(_ => rng.NextDouble() + 0.2).ToArray();
        KidResult a = Kid.Compute(x, 40, y, 40, 6, subsets: 7, subsetSize: 40, seed: 1);
        KidResult b = Kid.Compute(x, 40, y, 40, 6, subsets: 3, subsetSize: 40, seed: 99);
        Assert.That(a.Mean, Is.EqualTo(b.Mean).Within(1e-13 * Math.Abs(a.Mean)));
        Assert.That(a.Std, Is.LessThan(1e-13 * Math.Abs(a.Mean)));
        KidResult c = Kid.Compute(x, 40, y, 40, 6, subsets: 5, subsetSize: 20, seed: 1);
        KidResult d = Kid.Compute(x, 40, y, 40, 6, subsets: 5, subsetSize: 20, seed: 2);
        Assert.That(c.Values, Is.Not.EqualTo(d.Values), "different seeds draw different subsets");
    }

    [Test]
    public void Subset_larger_than_a_set_is_refused()
    {
        double[] x = new double[10 * 3];
        var e = Assert.Throws<MetricInputException>(() => Kid.Compute(x, 10, x, 10, 3, 2, 11, 1, "r.npy", "f.npy"));
        Assert.That(e!.Message, Does.Contain("11").And.Contain("r.npy").And.Contain("10 samples"));
    }
}
