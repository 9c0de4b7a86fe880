// A self-contained HTML rendering of a MarkdownReport (inline CSS, no scripts, images referenced by the
// same relative paths), so `opacity eval --html` shows exactly the Markdown's content in a browser. It
// converts only the subset MarkdownReport writes: blocks separated by blank lines, each one of
//   "# ..." headings (levels 1..6), "- " bullet lists, GitHub tables (header, alignment row, body;
//   "\|" inside a cell), a lone image link "![alt](path)", or a paragraph.
// Everything is HTML-escaped; the only inline Markdown is `code` (command names in the text). Tested by
// EvalCommandTests (the HTML holds the tables' rows and the images).
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Opacity.Gan.Reports;

public static partial class HtmlReport
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}th{background:#f3f3f3}" +
        "img{max-width:100%;image-rendering:pixelated}";

    [GeneratedRegex(@"^!\[(?<alt>(?:[^\]\\]|\\.)*)\]\((?<src>[^)]*)\)$")]
    private static partial Regex ImageLine();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    /// <summary>The HTML page for <paramref name="markdown"/> (as written by <see cref="MarkdownReport"/>).</summary>
    public static string FromMarkdown(string markdown, string title)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>")
          .Append(Style).Append("</style>\n</head>\n<body>\n");
        foreach (string block in Blocks(markdown)) sb.Append(Block(block)).Append('\n');
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    public static void Save(string path, string markdown, string title)
    {
        try { File.WriteAllText(path, FromMarkdown(markdown, title)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ReportException($"HTML report: cannot write '{path}' ({e.Message.TrimEnd('.')}).", e); }
    }

    private static IEnumerable<string> Blocks(string markdown)
    {
        var current = new List<string>();
        foreach (string line in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0) yield return string.Join('\n', current);
                current.Clear();
            }
            else current.Add(line);
        }
        if (current.Count > 0) yield return string.Join('\n', current);
    }

    private static string Block(string block)
    {
        string[] lines = block.Split('\n');
        int level = block.TakeWhile(c => c == '#').Count();
        if (level is >= 1 and <= 6 && block.Length > level && block[level] == ' ' && lines.Length == 1)
            return $"<h{level}>{T(block[(level + 1)..])}</h{level}>";
        if (lines.All(l => l.StartsWith("- ", StringComparison.Ordinal)))
            return "<ul>\n" + string.Concat(lines.Select(l => $"<li>{T(l[2..])}</li>\n")) + "</ul>";
        if (lines.Length >= 2 && lines.All(l => l.StartsWith('|')))
            return Table(lines);
        if (lines.Length == 1 && ImageLine().Match(block) is { Success: true } m)
            return $"<p><img src=\"{E(m.Groups["src"].Value)}\" alt=\"{E(m.Groups["alt"].Value.Replace("\\]", "]", StringComparison.Ordinal))}\"></p>";
        return $"<p>{T(block)}</p>";
    }

    private static string Table(string[] lines)
    {
        string[] align = Cells(lines[1]).Select(c => c.EndsWith(':') ? (c.StartsWith(':') ? "center" : "right") : "left").ToArray();
        var sb = new StringBuilder("<table>\n<thead><tr>");
        string[] head = Cells(lines[0]);
        for (int i = 0; i < head.Length; i++) sb.Append($"<th style=\"text-align:{Align(align, i)}\">{T(head[i])}</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (string row in lines.Skip(2))
        {
            string[] cells = Cells(row);
            sb.Append("<tr>");
            for (int i = 0; i < cells.Length; i++) sb.Append($"<td style=\"text-align:{Align(align, i)}\">{T(cells[i])}</td>");
            sb.Append("</tr>\n");
        }
        return sb.Append("</tbody>\n</table>").ToString();
    }

    private static string Align(string[] align, int i) => i < align.Length ? align[i] : "left";

    /// <summary>Cells of "| a | b \| c |": split on unescaped '|', trimmed, "\|" unescaped.</summary>
    private static string[] Cells(string line)
    {
        var cells = new List<string>();
        var cur = new StringBuilder();
        string body = line.Trim();
        body = body[1..(body.EndsWith('|') && !body.EndsWith("\\|", StringComparison.Ordinal) ? body.Length - 1 : body.Length)];
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 1 < body.Length && body[i + 1] == '|') { cur.Append('|'); i++; }
            else if (body[i] == '|') { cells.Add(cur.ToString().Trim()); cur.Clear(); }
            else cur.Append(body[i]);
        }
        cells.Add(cur.ToString().Trim());
        return [.. cells];
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Escaped text with `code` spans as &lt;code&gt;.</summary>
    private static string T(string s) => CodeSpan().Replace(E(s), "<code>$1</code>");
}
