// Every size 64..1024 works (64, 97, 256, 1024 tested), and a written folder reads back as the same cases
// (PNG round trip: 16-bit images within half a quantisation step, masks exact, manifest fields equal).
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

public sealed class PhantomIoTests
{
    [TestCase(64)]
    [TestCase(97)]
    [TestCase(256)]
    [TestCase(1024)]
    public void Any_size_gives_valid_images_and_masks(int size)
    {
        PhantomCase c = new PhantomGenerator(new PhantomOptions { Size = size, Seed = 4, Mix = OpacityMix.Parse("consolidation=1") }).Generate(1, Domain.Opacity);
        Assert.That(c.Image, Has.Length.EqualTo(size * size));
        Assert.That(c.PairedClear, Has.Length.EqualTo(size * size));
        Assert.That(c.Image.All(v => v >= 0 && v <= 1 && float.IsFinite(v)), Is.True);
        double lung = c.LungMask.Count(b => b) / (double)(size * size);
        double opacity = c.OpacityMask.Count(b => b) / (double)(size * size);
        Assert.That(lung, Is.InRange(0.2, 0.4), "lung fraction does not depend on the size");
        Assert.That(opacity, Is.GreaterThan(0.005));
        Assert.That(c.Image.Max() - c.Image.Min(), Is.GreaterThan(0.7), "full contrast range");
    }

    [Test]
    public void Written_folder_reads_back_as_the_same_cases()
    {
        string dir = Path.Combine(Path.GetTempPath(), "phantom_io_" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new PhantomOptions { Size = 64, Seed = 8, TrainFraction = 0.5, ValFraction = 0.25 };
            PhantomCase[] cases = new PhantomGenerator(options).GenerateBatch(0, 6);
            PhantomWriter.PrepareFolder(dir);
            PhantomWriter.WriteIndex(dir, options, cases.Select(c => PhantomWriter.WriteCase(dir, c)).ToList());
            List<PhantomCase> back = PhantomDataset.Load(dir);
            Assert.That(back, Has.Count.EqualTo(cases.Length));
            for (int i = 0; i < cases.Length; i++)
            {
                PhantomCase a = cases[i], b = back[i];
                Assert.That((b.PatientId, b.Domain, b.Split, b.Labels, b.Size), Is.EqualTo((a.PatientId, a.Domain, a.Split, a.Labels, a.Size)));
                Assert.That(MaxDiff(a.Image, b.Image), Is.LessThanOrEqualTo(0.5f / 65535 + 1e-7f));
                Assert.That(b.PairedClear == null, Is.EqualTo(a.PairedClear == null));
                if (a.PairedClear != null) Assert.That(MaxDiff(a.PairedClear, b.PairedClear!), Is.LessThanOrEqualTo(0.5f / 65535 + 1e-7f));
                Assert.That(b.LungMask, Is.EqualTo(a.LungMask));
                Assert.That(b.OpacityMask, Is.EqualTo(a.OpacityMask));
            }
            Assert.That(PhantomDataset.Read(dir, Split.Train, Domain.Opacity).All(c => c.Split == Split.Train && c.Domain == Domain.Opacity), Is.True);
            Assert.That(File.Exists(Path.Combine(dir, "phantom.json")), Is.True);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Missing_or_malformed_folder_gives_one_sentence()
    {
        string dir = Path.Combine(Path.GetTempPath(), "phantom_bad_" + Guid.NewGuid().ToString("N"));
        Assert.That(Assert.Throws<PhantomException>(() => PhantomDataset.Load(dir))!.Message, Does.Contain("does not exist"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, PhantomManifest.FileName), PhantomManifest.Header + "\n1,train,opacity\n");
            Assert.That(Assert.Throws<PhantomException>(() => PhantomDataset.Load(dir))!.Message, Does.Contain("line 2"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static float MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
