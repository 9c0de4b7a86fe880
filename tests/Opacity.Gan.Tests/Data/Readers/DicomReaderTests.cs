// DICOM decoding against the source picture, for every encoding the fixtures (dcmtk-made) hold:
// explicit/implicit/deflated VR LE, defined/undefined sequence lengths, 8/12/16 bits, rescale,
// VOI window, MONOCHROME1, JPEG baseline; plus the refusals (unsupported syntax, bad files, budget).
using Opacity.Gan.Data.Readers;
using Opacity.Gan.Data.Readers.Dicom;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class DicomReaderTests
{
    private static double[] Stored12 => Fixtures.Source8.Select(v => Math.Round(v * 4095.0 / 255.0)).ToArray();

    [TestCase("ex8_mono2.dcm", "1.2.840.10008.1.2.1")]
    [TestCase("ex8_mono2_undefseq.dcm", "1.2.840.10008.1.2.1")]
    [TestCase("im8_mono2.dcm", "1.2.840.10008.1.2")]
    [TestCase("im8_mono2_undefseq.dcm", "1.2.840.10008.1.2")]
    [TestCase("df8_mono2.dcm", "1.2.840.10008.1.2.1.99")]
    public void Eight_bit_encodings_decode_to_the_source_pixels(string file, string uid)
    {
        XrayImage image = DicomReader.Read(Fixtures.Dicom(file));
        Assert.That((image.Width, image.Height, image.BitsStored, image.Photometric, image.TransferSyntaxUid),
            Is.EqualTo((Fixtures.Width, Fixtures.Height, 8, "MONOCHROME2", uid)));
        float[] expected = Fixtures.MinMax(Fixtures.Source8.Select(v => (double)v).ToArray());
        Fixtures.AssertClose(expected, image.Pixels, 1e-6, file);
    }

    [TestCase("ex12_voi.dcm")]
    [TestCase("im12_voi.dcm")]
    [TestCase("df12_voi.dcm")]
    public void Twelve_bit_applies_rescale_then_the_first_voi_window(string file)
    {
        // Fixture: slope 2, intercept -1024, windows 1500/1001 and 2000/500 (the first applies).
        const double c = 1500, w = 1001;
        float[] expected = Stored12.Select(s =>
        {
            double x = 2 * s - 1024;
            if (x <= c - 0.5 - (w - 1) / 2)
                return 0f;
            if (x > c - 0.5 + (w - 1) / 2)
                return 1f;
            return (float)((x - (c - 0.5)) / (w - 1) + 0.5);
        }).ToArray();
        XrayImage image = DicomReader.Read(Fixtures.Dicom(file));
        Assert.That(image.BitsStored, Is.EqualTo(12));
        Fixtures.AssertClose(expected, image.Pixels, 1e-5, file);
        Assert.That(expected.Count(v => v is > 0f and < 1f), Is.GreaterThan(100), "the window must cut through the picture, not clip it all");
    }

    [Test]
    public void Monochrome1_is_shown_inverted()
    {
        XrayImage image = DicomReader.Read(Fixtures.Dicom("ex12_mono1.dcm"));
        Assert.That(image.Photometric, Is.EqualTo("MONOCHROME1"));
        float[] expected = Fixtures.MinMax(Stored12).Select(v => 1f - v).ToArray();
        Fixtures.AssertClose(expected, image.Pixels, 1e-6, "MONOCHROME1");
    }

    [TestCase("ex16_rescale.dcm")]
    [TestCase("im16_rescale.dcm")]
    public void Sixteen_bit_with_rescale_matches_under_both_window_fallbacks(string file)
    {
        double[] stored = Fixtures.Source8.Select(v => v * 257.0).ToArray();
        XrayImage minMax = DicomReader.Read(Fixtures.Dicom(file));
        Assert.That(minMax.BitsStored, Is.EqualTo(16));
        Fixtures.AssertClose(Fixtures.MinMax(stored.Select(s => 0.5 * s + 100).ToArray()), minMax.Pixels, 1e-6, "min/max");

        // Stored range: 0..65535 rescaled to 100..32867.5, so the display is s / 65535.
        XrayImage full = DicomReader.Read(Fixtures.Dicom(file), new ReaderOptions { NoWindow = WindowFallback.StoredRange });
        Fixtures.AssertClose(stored.Select(s => (float)(s / 65535)).ToArray(), full.Pixels, 1e-6, "stored range");
    }

    [Test]
    public void Signed_pixels_are_sign_extended_from_bits_stored()
    {
        // Words fff0 (sign-extended) and 0ff0 (masked) are both -16 in 12 bits; intercept 1000.
        double[] modality = new double[] { -16, -16, 16, -2048, 2047, 0, 1, -1 }.Select(v => v + 1000).ToArray();
        XrayImage image = DicomReader.Read(Fixtures.Dicom("ex12_signed.dcm"));
        Assert.That((image.Width, image.Height, image.BitsStored), Is.EqualTo((4, 2, 12)));
        Fixtures.AssertClose(Fixtures.MinMax(modality), image.Pixels, 1e-6, "signed");
    }

    [Test]
    public void Rgb_native_pixels_become_luminance()
    {
        XrayImage image = DicomReader.Read(Fixtures.Dicom("ex8_rgb.dcm"));
        Assert.That(image.Photometric, Is.EqualTo("MONOCHROME2"));
        Fixtures.AssertClose(Fixtures.MinMax(Fixtures.Source8.Select(v => (double)v).ToArray()), image.Pixels, 1e-6, "RGB from img2dcm BMP");
    }

    [Test]
    public void Jpeg_baseline_from_img2dcm_is_the_wrapped_jpeg()
    {
        XrayImage image = DicomReader.Read(Fixtures.Dicom("jpeg_img2dcm.dcm"));
        Assert.That(image.TransferSyntaxUid, Is.EqualTo("1.2.840.10008.1.2.4.50"));
        int[] jpeg = Fixtures.Grey8(Fixtures.Path_("images", "src8.jpg"));
        Fixtures.AssertClose(Fixtures.MinMax(jpeg.Select(v => (double)v).ToArray()), image.Pixels, 1e-6, "same JPEG bytes");
        AssertNearSource(image, "img2dcm");
    }

    [Test]
    public void Jpeg_baseline_from_dcmcjpeg_is_close_to_the_source()
    {
        XrayImage image = DicomReader.Read(Fixtures.Dicom("jpeg_dcmcjpeg.dcm"));
        Assert.That((image.TransferSyntaxUid, image.Width, image.Height), Is.EqualTo(("1.2.840.10008.1.2.4.50", 48, 40)));
        AssertNearSource(image, "dcmcjpeg");
    }

    private static void AssertNearSource(XrayImage image, string what)
    {
        float[] source = Fixtures.MinMax(Fixtures.Source8.Select(v => (double)v).ToArray());
        double meanAbs = source.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.That(meanAbs, Is.LessThan(0.02), $"{what}: lossy JPEG mean |diff| vs the PNG");
    }

    [TestCase("unsupported_rle.dcm", "1.2.840.10008.1.2.5")]
    [TestCase("unsupported_jpeg_lossless.dcm", "1.2.840.10008.1.2.4.70")]
    [TestCase("unsupported_big_endian.dcm", "1.2.840.10008.1.2.2")]
    public void Unsupported_transfer_syntax_names_its_uid(string file, string uid)
    {
        var e = Assert.Throws<ReaderException>(() => DicomReader.Read(Fixtures.Dicom(file)));
        Assert.That(e!.Message, Does.Contain(file).And.Contain("unsupported transfer syntax " + uid + " "));
    }

    [TestCase("bad_empty.dcm", "empty")]
    [TestCase("bad_truncated.dcm", "remain")]
    [TestCase("bad_wrong_magic.dcm", "no 'DICM'")]
    [TestCase("bad_rows_too_large.dcm", "pixel data has 1920 bytes but 48x4000x1")]
    [TestCase("bad_huge.dcm", "over the pixel budget")]
    public void Bad_files_give_one_clear_error_naming_file_and_reason(string file, string reason)
    {
        var e = Assert.Throws<ReaderException>(() => DicomReader.Read(Fixtures.Dicom(file)));
        Assert.That(e!.Message, Does.StartWith(Fixtures.Dicom(file) + ": ").And.Contain(reason));
    }

    [Test]
    public void Pixel_budget_refuses_before_allocating_the_pixels()
    {
        // bad_huge.dcm declares 65535 x 65535: 17 GB of int samples if anything were allocated.
        byte[] bytes = File.ReadAllBytes(Fixtures.Dicom("bad_huge.dcm"));
        _ = Assert.Throws<ReaderException>(() => DicomReader.Read(bytes, "warm-up"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ReaderException>(() => DicomReader.Read(bytes, "huge"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(64 * 1024), "bytes allocated before refusing");
        Assert.That(e!.Message, Does.Contain("4294836225 pixels"));

        // The budget is configurable: the 1920-pixel fixture is refused under a 1000-pixel budget.
        var small = Assert.Throws<ReaderException>(() => DicomReader.Read(Fixtures.Dicom("ex8_mono2.dcm"), new ReaderOptions { MaxPixels = 1000 }));
        Assert.That(small!.Message, Does.Contain("pixel budget of 1000"));
    }

    [Test]
    public void Every_truncation_of_a_valid_file_is_a_clean_error()
    {
        foreach (string file in new[] { "ex8_mono2_undefseq.dcm", "im8_mono2_undefseq.dcm", "jpeg_img2dcm.dcm" })
        {
            byte[] bytes = File.ReadAllBytes(Fixtures.Dicom(file));
            for (int n = 0; n < bytes.Length; n++)
            {
                byte[] cut = bytes[..n];
                Assert.Throws<ReaderException>(() => DicomReader.Read(cut, $"{file}[..{n}]"), $"{file} cut at {n}");
            }
        }
    }
}
