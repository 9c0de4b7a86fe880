// Options validation, mix parsing, domain interleave and the by-patient split (no leakage).
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class PhantomOptionsTests
{
    [TestCase(63)]
    [TestCase(1025)]
    [TestCase(0)]
    public void Size_outside_64_to_1024_is_rejected_with_one_sentence(int size)
    {
        var e = Assert.Throws<PhantomException>(() => new PhantomGenerator(new PhantomOptions { Size = size }));
        Assert.That(e!.Message, Does.Contain(size.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.EndWith("."));
    }

    [Test]
    public void Bad_mix_and_counts_are_rejected()
    {
        Assert.Throws<PhantomException>(() => OpacityMix.Parse("ggo=1,tumour=2"));
        Assert.Throws<PhantomException>(() => OpacityMix.Parse("ggo=-1"));
        Assert.Throws<PhantomException>(() => new PhantomGenerator(new PhantomOptions { Mix = new OpacityMix(0, 0, 0, 0, 0) }));
        Assert.Throws<PhantomException>(() => new PhantomGenerator(new PhantomOptions { MinOpacities = 3, MaxOpacities = 2 }));
        Assert.Throws<PhantomException>(() => new PhantomGenerator(new PhantomOptions()).GenerateDataset(0).ToList());
        Assert.That(OpacityMix.Parse("nodule=2, ggo"), Is.EqualTo(new OpacityMix(1, 0, 0, 2, 0)));
    }

    [Test]
    public void Split_is_by_patient_with_no_leakage_and_near_requested_fractions()
    {
        var g = new PhantomGenerator(new PhantomOptions { TrainFraction = 0.7, ValFraction = 0.1 });
        int n = 2000;
        var byPatient = new Dictionary<int, Split>();
        for (int i = 0; i < n; i++) byPatient[i] = g.SplitOf(i);
        // a patient's split is a function of the patient alone (asking again gives the same answer)
        for (int i = 0; i < n; i++) Assert.That(g.SplitOf(i), Is.EqualTo(byPatient[i]));
        Assert.That(byPatient.Values.Count(s => s == Split.Train) / (double)n, Is.EqualTo(0.7).Within(0.01));
        Assert.That(byPatient.Values.Count(s => s == Split.Val) / (double)n, Is.EqualTo(0.1).Within(0.01));
        Assert.That(byPatient.Values.Count(s => s == Split.Test) / (double)n, Is.EqualTo(0.2).Within(0.01));
    }

    [Test]
    public void Generated_cases_carry_their_patient_split_and_paired_truth_shares_it()
    {
        var g = new PhantomGenerator(new PhantomOptions { Size = 64 });
        var cases = g.GenerateBatch(0, 10);
        var ids = new HashSet<int>();
        foreach (PhantomCase c in cases)
        {
            Assert.That(ids.Add(c.PatientId), Is.True, "one image per patient");
            Assert.That(c.Split, Is.EqualTo(g.SplitOf(c.PatientId)));
            Assert.That(c.Domain, Is.EqualTo(g.DomainOf(c.PatientId)));
            Assert.That(c.PairedClear != null, Is.EqualTo(c.Domain == Domain.Opacity));
        }
    }

    [Test]
    public void Clear_fraction_is_exact_on_every_prefix_length()
    {
        var g = new PhantomGenerator(new PhantomOptions { ClearFraction = 0.3 });
        foreach (int n in new[] { 10, 37, 100 })
        {
            int clear = Enumerable.Range(0, n).Count(i => g.DomainOf(i) == Domain.Clear);
            Assert.That(clear, Is.EqualTo((int)Math.Floor(n * 0.3)), $"n = {n}");
        }
    }
}
