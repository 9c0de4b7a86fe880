// HtmlReport (the HTML form of a MarkdownReport) and LossCurves (losses.csv columns, moving average):
// hand-built inputs with known outputs.
using Opacity.Gan.Reports;

namespace Opacity.Gan.Tests.Reports;

public sealed class HtmlReportTests
{
    [Test]
    public void Every_markdown_block_kind_becomes_its_html_element()
    {
        string md = new MarkdownReport()
            .Heading("Eval <1>", 2)
            .Paragraph("Run `opacity eval` & read.")
            .Bullets(["a", "b's"])
            .Table(["name", "value"], [["x|y", "1.50"]], [ColumnAlign.Left, ColumnAlign.Right])
            .Image("grid [1]", "img/grid 1.png")
            .ToString();
        string html = HtmlReport.FromMarkdown(md, "T");
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("<title>T</title>"));
            Assert.That(html, Does.Contain("<h2>Eval &lt;1&gt;</h2>"));
            Assert.That(html, Does.Contain("<p>Run <code>opacity eval</code> &amp; read.</p>"));
            Assert.That(html, Does.Contain("<ul>\n<li>a</li>\n<li>b&#39;s</li>\n</ul>"));
            Assert.That(html, Does.Contain("<th style=\"text-align:left\">name</th><th style=\"text-align:right\">value</th>"));
            Assert.That(html, Does.Contain("<tr><td style=\"text-align:left\">x|y</td><td style=\"text-align:right\">1.50</td></tr>"));
            Assert.That(html, Does.Contain("<p><img src=\"img/grid%201.png\" alt=\"grid [1]\"></p>"));
        });
    }

    [Test]
    public void Loss_curves_read_every_loss_column_and_smooth_over_nan()
    {
        string csv = Path.Combine(Path.GetTempPath(), "losses_" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            File.WriteAllText(csv, "step,lr,G,DA\n1,0.1,4,1\n2,0.1,x,2\n3,0.1,2,3\n");
            var curves = LossCurves.Read(csv);
            Assert.That(curves.Keys, Is.EquivalentTo(new[] { "G", "DA" }));
            Assert.That(curves["G"], Is.EqualTo(new[] { 4, double.NaN, 2 }));
            Assert.That(LossCurves.Smooth(curves["G"], 2), Is.EqualTo(new[] { 4, 4, 2 }));
            Assert.That(LossCurves.Smooth(curves["DA"], 2), Is.EqualTo(new[] { 1, 1.5, 2.5 }));
            Assert.That(LossCurves.Read(Path.Combine(Path.GetTempPath(), "no_such_losses.csv")), Is.Empty);
        }
        finally { File.Delete(csv); }
    }
}
