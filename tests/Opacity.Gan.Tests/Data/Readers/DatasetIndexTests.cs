// The data set layouts: image folder + labels CSV, MIMIC-CXR-JPG (frontal views from the metadata,
// split and CheXpert labels, .csv.gz), RSNA pneumonia (labels CSV with boxes + DICOMs).
using Opacity.Gan.Data.Readers;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class DatasetIndexTests
{
    [Test]
    public void Image_folder_lists_the_csv_rows_and_decodes_8_and_16_bit_png()
    {
        string folder = Fixtures.Path_("images", "folder");
        List<DatasetItem> items = ImageFolderReader.Index(folder);
        Assert.That(items.Select(i => (i.Id, i.Label)), Is.EqualTo(new[] { ("a.png", 1), ("b.jpg", 0), ("c.png", 1), ("d.png", 0), ("missing.png", 1) }));

        XrayImage a = ImageFolderReader.Read(items[0].Path);
        Assert.That((a.Width, a.Height, a.BitsStored, a.SourceFormat), Is.EqualTo((48, 40, 8, "PNG")));
        Fixtures.AssertClose(Fixtures.Source8.Select(v => v / 255f).ToArray(), a.Pixels, 1e-6, "8-bit PNG");

        XrayImage c = ImageFolderReader.Read(items[2].Path);
        Assert.That(c.BitsStored, Is.EqualTo(16));
        Fixtures.AssertClose(Fixtures.Source8.Select(v => (float)(Math.Round(v * 4095.0 / 255.0) / 65535.0)).ToArray(), c.Pixels, 1e-6, "12-in-16-bit PNG");
    }

    [Test]
    public void Png_and_jpeg_over_the_pixel_budget_are_refused_from_the_header()
    {
        var options = new ReaderOptions { MaxPixels = 1000 };
        foreach (string name in new[] { "src8.png", "src8.jpg" })
        {
            var e = Assert.Throws<ReaderException>(() => XrayFile.Read(Fixtures.Path_("images", name), options));
            Assert.That(e!.Message, Does.Contain(name).And.Contain("48x40 = 1920 pixels is over the pixel budget of 1000"));
        }
    }

    [Test]
    public void Mimic_takes_frontal_views_with_a_label_and_builds_the_pxx_paths()
    {
        string root = Fixtures.Path_("mimic");
        List<DatasetItem> items = MimicCxrReader.Index(root);
        Assert.That(items.Select(i => (i.Id, i.Label, i.Split)), Is.EqualTo(new[]
        {
            ("aaaa0001-pa", 1, "train"), ("bbbb0001-ap", 0, "validate"), ("cccc0001-pa", 0, "test"), ("dddd0001-pa", 1, "train"),
        }), "the lateral view is left out; blank = not mentioned = 0");
        Assert.That(items[0].Path, Is.EqualTo(Path.Combine(root, "files", "p10", "p10000032", "s50414267", "aaaa0001-pa.jpg")));
        Assert.That(items.Take(3).All(i => File.Exists(i.Path)), Is.True);

        Assert.That(MimicCxrReader.Index(root, new MimicOptions { Split = "train" }).Select(i => i.Id), Is.EqualTo(new[] { "aaaa0001-pa", "dddd0001-pa" }));
        // Consolidation is -1.0 (uncertain) for bbbb: excluded by default, or mapped as asked.
        var consolidation = new MimicOptions { LabelColumn = "Consolidation" };
        Assert.That(MimicCxrReader.Index(root, consolidation).Select(i => i.Id), Does.Not.Contain("bbbb0001-ap"));
        Assert.That(MimicCxrReader.Index(root, consolidation with { Uncertain = UncertainLabel.AsPositive }).Single(i => i.Id == "bbbb0001-ap").Label, Is.EqualTo(1));

        // aaaa0001 was written negated: it decodes to 1 - source (JPEG-lossy).
        XrayImage image = MimicCxrReader.Read(items[0].Path);
        double meanAbs = image.Pixels.Zip(Fixtures.Source8, (p, v) => Math.Abs(p - (1 - v / 255.0))).Average();
        Assert.That(meanAbs, Is.LessThan(0.02));

        var e = Assert.Throws<ReaderException>(() => MimicCxrReader.Index(root, new MimicOptions { LabelColumn = "ARDS" }));
        Assert.That(e!.Message, Does.Contain("chexpert.csv.gz").And.Contain("no column 'ARDS'"));
    }

    [Test]
    public void Rsna_groups_box_rows_per_patient()
    {
        string root = Fixtures.Path_("rsna");
        List<DatasetItem> items = RsnaReader.Index(Path.Combine(root, "stage_2_train_labels.csv"), Path.Combine(root, "stage_2_train_images"));
        Assert.That(items.Select(i => (i.Id[..8], i.Label, i.Boxes.Count)), Is.EqualTo(new[]
        {
            ("0004cfab", 0, 0), ("00313ee0", 1, 2), ("00322d4d", 0, 0), ("00436515", 1, 1), ("003d8fa0", 0, 0),
        }));
        Assert.That(items[1].Boxes[1], Is.EqualTo(new Box(28, 8, 10, 18)));
    }

    [Test]
    public void Csv_reader_handles_quotes_commas_and_crlf()
    {
        List<string[]> rows = CsvTable.Parse("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\r\n\"multi\nline\",2,3\n\n", "t.csv");
        Assert.That(rows, Has.Count.EqualTo(3));
        Assert.That(rows[1], Is.EqualTo(new[] { "x, y", "he said \"hi\"", "" }));
        Assert.That(rows[2], Is.EqualTo(new[] { "multi\nline", "2", "3" }));
        var e = Assert.Throws<ReaderException>(() => CsvTable.Parse("a\n\"open", "t.csv"));
        Assert.That(e!.Message, Is.EqualTo("t.csv: a quoted CSV field is never closed"));
    }
}
