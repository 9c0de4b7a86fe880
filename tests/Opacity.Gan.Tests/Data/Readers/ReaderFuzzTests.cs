// Seeded fuzzing of the readers: thousands of mutants of valid fixtures (bit flips, truncations,
// length-field overwrites, spliced byte runs). Every outcome must be an XrayImage that is
// well formed (Width x Height pixels, all in [0, 1]) or a ReaderException; any other exception
// fails the test with the mutant's seed so it can be replayed.
using System.Diagnostics;
using Opacity.Gan.Data.Readers;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class ReaderFuzzTests
{
    private static readonly string[] DicomSeeds =
    [
        "ex8_mono2.dcm", "ex8_mono2_undefseq.dcm", "im8_mono2_undefseq.dcm", "df8_mono2.dcm",
        "ex12_voi.dcm", "im12_voi.dcm", "ex16_rescale.dcm", "jpeg_img2dcm.dcm", "jpeg_dcmcjpeg.dcm",
    ];

    [Test]
    public void Dicom_mutants_give_an_image_or_a_reader_exception()
    {
        var seeds = DicomSeeds.Select(f => (Name: f, Bytes: File.ReadAllBytes(Fixtures.Dicom(f)))).ToArray();
        (int images, int errors) = Fuzz(seeds, mutantsPerSeed: 1200, seed: 20251125);
        TestContext.Out.WriteLine($"DICOM fuzz: {images} images, {errors} clean errors");
        Assert.That(errors, Is.GreaterThan(seeds.Length * 1200 / 4), "the mutations should break most files");
        Assert.That(images, Is.GreaterThan(50), "some mutants (pixel bit flips) should still decode");
    }

    [Test]
    public void Png_jpeg_and_jsrt_mutants_give_an_image_or_a_reader_exception()
    {
        var seeds = new[]
        {
            (Name: "src8.png", Bytes: File.ReadAllBytes(Fixtures.Path_("images", "src8.png"))),
            (Name: "src8.jpg", Bytes: File.ReadAllBytes(Fixtures.Path_("images", "src8.jpg"))),
            (Name: "JPCLN001.IMG", Bytes: File.ReadAllBytes(Fixtures.Path_("jsrt", "JPCLN001.IMG"))),
        };
        (int images, int errors) = Fuzz(seeds, mutantsPerSeed: 400, seed: 7);
        TestContext.Out.WriteLine($"PNG/JPEG/JSRT fuzz: {images} images, {errors} clean errors");
        Assert.That(images + errors, Is.EqualTo(seeds.Length * 400));
    }

    private static (int Images, int Errors) Fuzz((string Name, byte[] Bytes)[] seeds, int mutantsPerSeed, int seed)
    {
        var options = new ReaderOptions { MaxPixels = 1 << 20 };
        var jsrt = new JsrtReader(64, 48);
        var failures = new List<string>();
        int images = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        for (int f = 0; f < seeds.Length; f++)
        {
            (string name, byte[] original) = seeds[f];
            for (int k = 0; k < mutantsPerSeed; k++)
            {
                // Deterministic across runs (string.GetHashCode and HashCode.Combine are per-process random).
                int mutantSeed = unchecked(seed * 1_000_003 + f * 100_003 + k);
                (byte[] mutant, string how) = Mutate(original, new Random(mutantSeed));
                try
                {
                    XrayImage image = XrayFile.Read(mutant, name, options, jsrt);
                    Assert.That(image.Pixels, Has.Length.EqualTo(image.Width * image.Height), $"{name} {how}");
                    Assert.That(image.Pixels.All(p => p is >= 0f and <= 1f), Is.True, $"{name} {how}: pixels outside [0, 1]");
                    images++;
                }
                catch (ReaderException e)
                {
                    Assert.That(e.Message, Does.StartWith(name + ": "));
                    errors++;
                }
                catch (Exception e) when (e is not AssertionException)
                {
                    failures.Add($"{name} mutant {k} (Random({mutantSeed}): {how}): {e.GetType().Name}: {e.Message}");
                }
            }
        }
        TestContext.Out.WriteLine($"{images + errors + failures.Count} mutants in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
        return (images, errors);
    }

    private static (byte[] Bytes, string How) Mutate(byte[] original, Random rng)
    {
        byte[] b = (byte[])original.Clone();
        // Half the mutations land in the first 512 bytes, where the headers and length fields are.
        int Pos() => rng.Next(2) == 0 ? rng.Next(Math.Min(512, b.Length)) : rng.Next(b.Length);
        switch (rng.Next(5))
        {
            case 0:
            {
                int flips = 1 + rng.Next(8);
                for (int i = 0; i < flips; i++)
                    b[Pos()] ^= (byte)(1 << rng.Next(8));
                return (b, $"{flips} bit flips");
            }
            case 1:
            {
                int n = rng.Next(b.Length);
                return (b[..n], $"truncated to {n}");
            }
            case 2:
            {
                // Overwrite a 16- or 32-bit field after the preamble with an extreme or random length.
                int at = Math.Min(b.Length - 1, 132 + Pos());
                uint value = rng.Next(4) switch { 0 => 0xFFFFFFFF, 1 => 0, 2 => 0x7FFFFFFF, _ => (uint)rng.Next() };
                int width = rng.Next(2) == 0 ? 2 : 4;
                for (int i = 0; i < width && at + i < b.Length; i++)
                    b[at + i] = (byte)(value >> (8 * i));
                return (b, $"{width}-byte field at {at} = 0x{value:X}");
            }
            case 3:
            {
                // Splice: copy a run of bytes over another place (duplicated tags, shifted headers).
                int from = Pos(), to = Pos(), n = rng.Next(1, 64);
                n = Math.Min(n, Math.Min(b.Length - from, b.Length - to));
                Array.Copy(original, from, b, to, n);
                return (b, $"splice {n} bytes {from}->{to}");
            }
            default:
            {
                int n = 1 + rng.Next(16), at = Pos();
                for (int i = 0; i < n && at + i < b.Length; i++)
                    b[at + i] = (byte)rng.Next(256);
                return (b, $"{n} random bytes at {at}");
            }
        }
    }
}
