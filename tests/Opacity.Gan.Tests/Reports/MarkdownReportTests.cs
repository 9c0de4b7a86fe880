// MarkdownReport: blocks, table alignment and escaping, image links, and the paper-vs-ours table.
using Opacity.Gan.Reports;

namespace Opacity.Gan.Tests.Reports;

public sealed class MarkdownReportTests
{
    [Test]
    public void Table_with_alignment_and_escaping()
    {
        string md = new MarkdownReport()
            .Heading("Results", 2)
            .Table(["name", "value", "ok"], [["a|b", "1.50", "yes"], ["line\nbreak", "10.00", "no"]],
                [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Center])
            .ToString();
        Assert.That(md, Is.EqualTo(
            "## Results\n\n" +
            "| name | value | ok |\n" +
            "|---|---:|:---:|\n" +
            "| a\\|b | 1.50 | yes |\n" +
            "| line break | 10.00 | no |\n"));
    }

    [Test]
    public void Paragraph_image_and_bullets()
    {
        string md = new MarkdownReport().Paragraph("Text.").Image("grid [1]", "img\\grid 1.png").Bullets(["x", "y"]).ToString();
        Assert.That(md, Is.EqualTo("Text.\n\n![grid [1\\]](img/grid%201.png)\n\n- x\n- y\n"));
    }

    [Test]
    public void Row_of_the_wrong_width_is_rejected()
        => Assert.That(() => new MarkdownReport().Table(["a", "b"], [["1"]]), Throws.TypeOf<ReportException>().With.Message.Contains("row 1 has 1 cells for 2 columns"));

    [Test]
    public void Paper_vs_ours_puts_the_paper_numbers_beside_ours_with_the_phantom_note()
    {
        string md = new MarkdownReport().PaperVsOurs(new OurHeadlineNumbers { Fid = 123.456, LungMiou = 0.81234, LungMiouOriginal = 0.7 }).ToString();
        Assert.Multiple(() =>
        {
            Assert.That(md, Does.Contain("| FID | paper | 67.18 | 210.4 |"));
            Assert.That(md, Does.Contain("| FID | ours, phantoms | 123.46 | - |"));
            Assert.That(md, Does.Contain("| KID | paper | 0.01604 | 0.225 |"));
            Assert.That(md, Does.Contain("| lung mIoU | paper, RSNA opacity | 76.58 % | 62.58 % |"));
            Assert.That(md, Does.Contain("| lung mIoU | paper, MIMIC ARDS | 86.20 % | 72.07 % |"));
            Assert.That(md, Does.Contain("| lung mIoU | paper, JSRT | 91.08 % | 85.6 % |"));
            Assert.That(md, Does.Contain("| lung mIoU | ours, phantoms | 81.23 % | 70.00 % |"));
            Assert.That(md, Does.Contain("| lesion sensitivity | paper, RSNA opacity | 85.58 % | 77.03 % |"));
            Assert.That(md, Does.Contain("| lesion sensitivity | paper, MIMIC ARDS | 92.68 % | 86.85 % |"));
            Assert.That(md, Does.Contain("| lesion sensitivity | paper, JSRT | 97.62 % | 95.04 % |"));
            Assert.That(md, Does.Contain("| lesion sensitivity | ours, phantoms | - | - |"));
            Assert.That(md, Does.Contain("synthetic chest-radiograph phantoms"));
            Assert.That(md, Does.Contain("not directly comparable"));
        });
    }

    [TestCase(double.NaN, 2, "-")]
    [TestCase(1.005, 1, "1.0")]
    [TestCase(double.PositiveInfinity, 2, "inf")]
    public void Number_formatting(double v, int d, string text) => Assert.That(MarkdownReport.Num(v, d), Is.EqualTo(text));
}
