// A small Markdown builder for evaluation reports: headings, paragraphs, bullet lists, GitHub tables with
// column alignment, image links, and a "paper vs ours" table (PaperNumbers) that always carries the note
// that our numbers come from synthetic phantoms. Cells escape '|' and turn newlines into spaces; numbers
// are formatted by the caller (invariant culture helpers here). Tested by MarkdownReportTests.
using System.Globalization;
using System.Text;

namespace Opacity.Gan.Reports;

public enum ColumnAlign { Left, Center, Right }

public sealed class MarkdownReport
{
    private readonly StringBuilder _sb = new();

    public MarkdownReport Heading(string text, int level = 1)
    {
        if (level is < 1 or > 6) throw new ReportException($"Markdown heading level {level} is not in 1..6.");
        return Block($"{new string('#', level)} {OneLine(text)}");
    }

    public MarkdownReport Paragraph(string text) => Block(text.Trim());

    public MarkdownReport Bullets(IEnumerable<string> items) => Block(string.Join('\n', items.Select(i => $"- {OneLine(i)}")));

    /// <summary>An image link <c>![alt](path)</c>; the path is written with forward slashes.</summary>
    public MarkdownReport Image(string alt, string relativePath)
        => Block($"![{OneLine(alt).Replace("]", "\\]", StringComparison.Ordinal)}]({relativePath.Replace('\\', '/').Replace(" ", "%20", StringComparison.Ordinal)})");

    /// <summary>A GitHub-flavoured table; <paramref name="align"/> defaults to left for every column.</summary>
    public MarkdownReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<ColumnAlign>? align = null)
    {
        if (header.Count == 0) throw new ReportException("Markdown table: the header has no columns.");
        if (align != null && align.Count != header.Count)
            throw new ReportException($"Markdown table: {align.Count} alignments for {header.Count} columns.");
        var lines = new List<string> { Row(header) };
        lines.Add("|" + string.Concat(Enumerable.Range(0, header.Count).Select(c => (align?[c] ?? ColumnAlign.Left) switch
        {
            ColumnAlign.Right => "---:|",
            ColumnAlign.Center => ":---:|",
            _ => "---|",
        })));
        int r = 0;
        foreach (var row in rows)
        {
            r++;
            if (row.Count != header.Count) throw new ReportException($"Markdown table: row {r} has {row.Count} cells for {header.Count} columns.");
            lines.Add(Row(row));
        }
        return Block(string.Join('\n', lines));
    }

    /// <summary>The paper's headline numbers beside ours (<see cref="PaperNumbers"/>), with the synthetic-data note.</summary>
    public MarkdownReport PaperVsOurs(OurHeadlineNumbers ours, string dataDescription = "synthetic chest-radiograph phantoms", string oursSource = "ours, phantoms")
    {
        Table(["metric", "source", "translated / proposed", "comparison"],
            PaperNumbers.Rows(ours, oursSource).Select(r => (IReadOnlyList<string>)[r.Metric, r.Source, r.Translated, r.Comparison]),
            [ColumnAlign.Left, ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right]);
        return Paragraph($"Paper numbers: Ning et al., Pattern Recognition Letters 193 (2025), as quoted in its abstract; the comparison " +
            "column is most likely an existing method for FID/KID and the untranslated images for mIoU/sensitivity. " +
            $"Ours are measured on {dataDescription}, not on RSNA, MIMIC-CXR or JSRT, so the two sides are not directly comparable. " +
            "Ours: comparison = an existing-method baseline for FID/KID and the untranslated images for mIoU/sensitivity; '-' = not measured.");
    }

    public override string ToString() => _sb.ToString();

    public void Save(string path)
    {
        try { File.WriteAllText(path, ToString()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ReportException($"Markdown report: cannot write '{path}' ({e.Message.TrimEnd('.')}).", e); }
    }

    /// <summary>Invariant-culture number with fixed decimals; NaN/null as '-'.</summary>
    public static string Num(double? v, int decimals = 2)
        => v is double d && !double.IsNaN(d) ? (double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : d.ToString("F" + decimals, CultureInfo.InvariantCulture)) : "-";

    /// <summary>A fraction in [0, 1] as a percentage, e.g. 0.7658 -> "76.58 %".</summary>
    public static string Percent(double? fraction, int decimals = 2) => fraction is double f && !double.IsNaN(f) ? Num(f * 100, decimals) + " %" : "-";

    private MarkdownReport Block(string text)
    {
        if (_sb.Length > 0) _sb.Append('\n');
        _sb.Append(text).Append('\n');
        return this;
    }

    private static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(Cell)) + " |";
    private static string Cell(string s) => OneLine(s).Replace("|", "\\|", StringComparison.Ordinal);
    private static string OneLine(string s) => s.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Trim();
}
