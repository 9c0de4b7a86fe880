// Same seed => identical bytes (arrays and PNG files); different seed or patient => different images;
// parallel batch == sequential generation (order and thread count do not matter).
using System.Security.Cryptography;
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class PhantomDeterminismTests
{
    private static PhantomOptions Opts(ulong seed) => new() { Size = 96, Seed = seed };

    [Test]
    public void Same_seed_gives_identical_cases()
    {
        PhantomCase a = new PhantomGenerator(Opts(5)).Generate(3, Domain.Opacity);
        PhantomCase b = new PhantomGenerator(Opts(5)).Generate(3, Domain.Opacity);
        Assert.That(b.Image, Is.EqualTo(a.Image));
        Assert.That(b.PairedClear, Is.EqualTo(a.PairedClear));
        Assert.That(b.LungMask, Is.EqualTo(a.LungMask));
        Assert.That(b.OpacityMask, Is.EqualTo(a.OpacityMask));
        Assert.That(b.Labels, Is.EqualTo(a.Labels));
    }

    [Test]
    public void Same_seed_gives_identical_png_bytes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "phantom_det_" + Guid.NewGuid().ToString("N"));
        try
        {
            PhantomWriter.SaveImage16(Path.Combine(dir, "a.png"), new PhantomGenerator(Opts(9)).Generate(1, Domain.Clear).Image, 96);
            PhantomWriter.SaveImage16(Path.Combine(dir, "b.png"), new PhantomGenerator(Opts(9)).Generate(1, Domain.Clear).Image, 96);
            Assert.That(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "b.png"))),
                Is.EqualTo(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "a.png")))));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Different_seed_or_patient_gives_different_images()
    {
        float[] a = new PhantomGenerator(Opts(5)).Generate(3, Domain.Clear).Image;
        float[] b = new PhantomGenerator(Opts(6)).Generate(3, Domain.Clear).Image;
        float[] c = new PhantomGenerator(Opts(5)).Generate(4, Domain.Clear).Image;
        double dab = a.Zip(b, (x, y) => Math.Abs(x - y)).Average(), dac = a.Zip(c, (x, y) => Math.Abs(x - y)).Average();
        Assert.That(dab, Is.GreaterThan(0.01), "seed 5 vs 6");
        Assert.That(dac, Is.GreaterThan(0.01), "patient 3 vs 4");
    }

    [Test]
    public void Parallel_batch_equals_sequential_generation()
    {
        var g = new PhantomGenerator(Opts(21));
        PhantomCase[] batch = g.GenerateBatch(0, 4, maxDegreeOfParallelism: 2);
        PhantomCase[] seq = g.GenerateDataset(4).ToArray();
        for (int i = 0; i < 4; i++)
        {
            Assert.That(batch[i].PatientId, Is.EqualTo(i));
            Assert.That(batch[i].Image, Is.EqualTo(seq[i].Image), $"patient {i}");
        }
    }

    [Test]
    public void Anatomy_does_not_depend_on_the_opacity_options()
    {
        // the clear truth of an opacity patient depends only on (seed, patient), not on the mix
        PhantomCase a = new PhantomGenerator(Opts(5) with { Mix = OpacityMix.Parse("nodule=1") }).Generate(2, Domain.Opacity);
        PhantomCase b = new PhantomGenerator(Opts(5) with { Mix = OpacityMix.Parse("effusion=1") }).Generate(2, Domain.Opacity);
        Assert.That(b.PairedClear, Is.EqualTo(a.PairedClear));
        Assert.That(b.Image, Is.Not.EqualTo(a.Image));
    }
}
