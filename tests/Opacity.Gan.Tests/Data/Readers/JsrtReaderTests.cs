// JSRT raw (12-bit big-endian, shown inverted) and SCR lung masks, on a 64x48 ImageMagick-made
// fixture; the lung crop box from the mask.
using System.Buffers.Binary;
using Opacity.Gan.Data.Readers;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class JsrtReaderTests
{
    private static readonly JsrtReader Small = new(64, 48);

    [Test]
    public void Big_endian_12_bit_raw_is_read_and_shown_inverted()
    {
        string path = Fixtures.Path_("jsrt", "JPCLN001.IMG");
        byte[] raw = File.ReadAllBytes(path);
        double[] stored = Enumerable.Range(0, 64 * 48).Select(i => (double)BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(2 * i))).ToArray();
        Assert.That(stored.Max(), Is.LessThanOrEqualTo(4095), "fixture holds 12-bit values");

        XrayImage image = Small.Read(path);
        Assert.That((image.Width, image.Height, image.BitsStored, image.Photometric), Is.EqualTo((64, 48, 12, "MONOCHROME1")));
        Fixtures.AssertClose(Fixtures.MinMax(stored).Select(v => 1f - v).ToArray(), image.Pixels, 1e-6, "JSRT");
        // The source picture is light on the left; stored as is and shown inverted, the left is dark.
        double left = Enumerable.Range(0, 48).Average(y => image.Pixels[y * 64 + 1]);
        double right = Enumerable.Range(0, 48).Average(y => image.Pixels[y * 64 + 62]);
        Assert.That(right, Is.GreaterThan(left + 0.5));
    }

    [Test]
    public void Wrong_length_and_out_of_range_values_are_clean_errors()
    {
        var e = Assert.Throws<ReaderException>(() => Small.Read(Fixtures.Path_("jsrt", "JPCLN002.IMG")));
        Assert.That(e!.Message, Does.Contain("JPCLN002.IMG").And.Contain("has 6144 bytes, this file has 1000"));
        var big = Assert.Throws<ReaderException>(() => new JsrtReader().Read(Fixtures.Path_("jsrt", "JPCLN001.IMG"), new ReaderOptions { MaxPixels = 1_000_000 }));
        Assert.That(big!.Message, Does.Contain("pixel budget"));
        byte[] ff = Enumerable.Repeat((byte)0xFF, 64 * 48 * 2).ToArray();
        var range = Assert.Throws<ReaderException>(() => Small.Read(ff, "ff.IMG"));
        Assert.That(range!.Message, Does.Contain("above the 12-bit maximum"));
    }

    [Test]
    public void Scr_masks_are_the_union_of_both_lungs()
    {
        string scr = Fixtures.Path_("jsrt", "scr");
        (float[] mask, int w, int h) = JsrtReader.ReadScrMask(scr, "JPCLN001.IMG");
        Assert.That((w, h), Is.EqualTo((32, 24)));
        Assert.That(mask[5 * 32 + 5], Is.EqualTo(1f), "left lung");
        Assert.That(mask[5 * 32 + 20], Is.EqualTo(1f), "right lung");
        Assert.That(mask[5 * 32 + 15], Is.EqualTo(0f), "mediastinum");
        Assert.That(mask[1 * 32 + 5], Is.EqualTo(0f), "above the lungs");
        Assert.That(mask.Sum(), Is.EqualTo(2 * 10 * 18), "two 10x18 rectangles");
        var e = Assert.Throws<ReaderException>(() => JsrtReader.ReadScrMask(scr, "JPCLN002.IMG"));
        Assert.That(e!.Message, Does.Contain("JPCLN002.gif").And.Contain("file not found"));
    }

    [Test]
    public void Lung_crop_uses_the_mask_box_scaled_to_the_image()
    {
        XrayImage image = Small.Read(Fixtures.Path_("jsrt", "JPCLN001.IMG"));
        (float[] m, int w, int h) = JsrtReader.ReadScrMask(Fixtures.Path_("jsrt", "scr"), "JPCLN001.IMG");
        var mask = new LungMask(m, w, h);
        // Mask box x 4..27, y 3..20 at half resolution -> image [8, 56) x [6, 42).
        Assert.That(Preprocessor.CropBox(image, 0.0, mask), Is.EqualTo((8, 6, 48, 36)));
        Assert.That(Preprocessor.CropBox(image, 0.1, mask), Is.EqualTo((3, 2, 58, 44)));
        // Without a mask: the fixed fraction per side.
        Assert.That(Preprocessor.CropBox(image, 0.125, null), Is.EqualTo((8, 6, 48, 36)));

        var item = new DatasetItem("JPCLN001", Fixtures.Path_("jsrt", "JPCLN001.IMG"), -1) { ScrRoot = Fixtures.Path_("jsrt", "scr") };
        LoadedSample sample = DatasetLoader.Load(item, new ReaderOptions { LungCrop = true, LungCropFraction = 0, TargetSize = 0 }, Small);
        Assert.That((sample.Width, sample.Height), Is.EqualTo((48, 36)));
        Assert.That(sample.Pixels[0], Is.EqualTo(2f * image.Pixels[6 * 64 + 8] - 1f).Within(1e-6));
    }
}
