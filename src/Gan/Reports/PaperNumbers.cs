// The paper's headline numbers (abstract of Ning et al., arXiv 2503.19860 / PRL 193 (2025) 21-28) and the
// rows of the "paper vs ours" table. Percentages are stored as the paper prints them. Used by MarkdownReport.
namespace Opacity.Gan.Reports;

/// <summary>Our numbers for the headline table; null = not measured. mIoU and sensitivity are fractions in [0, 1].
/// The *Comparison values are our baseline (an existing method for FID/KID, untranslated images downstream).</summary>
public sealed record OurHeadlineNumbers
{
    public double? Fid { get; init; }
    public double? FidComparison { get; init; }
    public double? Kid { get; init; }
    public double? KidComparison { get; init; }
    public double? LungMiou { get; init; }
    public double? LungMiouOriginal { get; init; }
    public double? Sensitivity { get; init; }
    public double? SensitivityOriginal { get; init; }
}

public sealed record PaperRow(string Metric, string Source, string Translated, string Comparison);

public static class PaperNumbers
{
    /// <summary>FID/KID of the proposed method and of the paper's comparison, as printed.</summary>
    public const string Fid = "67.18", FidComparison = "210.4", Kid = "0.01604", KidComparison = "0.225";

    /// <summary>(dataset, lung mIoU %, comparison, lesion sensitivity %, comparison) as printed in the paper
    /// (strings, so that "86.20" and "85.6" keep the paper's digits).</summary>
    public static readonly (string Dataset, string Miou, string MiouComparison, string Sensitivity, string SensitivityComparison)[] Downstream =
    [
        ("RSNA opacity", "76.58", "62.58", "85.58", "77.03"),
        ("MIMIC ARDS", "86.20", "72.07", "92.68", "86.85"),
        ("JSRT", "91.08", "85.6", "97.62", "95.04"),
    ];

    /// <summary>For each metric: the paper's rows (one per dataset for mIoU and sensitivity), then ours.</summary>
    public static IReadOnlyList<PaperRow> Rows(OurHeadlineNumbers ours, string oursSource = "ours, phantoms")
    {
        var rows = new List<PaperRow>
        {
            new("FID", "paper", Fid, FidComparison),
            new("FID", oursSource, MarkdownReport.Num(ours.Fid), MarkdownReport.Num(ours.FidComparison)),
            new("KID", "paper", Kid, KidComparison),
            new("KID", oursSource, MarkdownReport.Num(ours.Kid, 5), MarkdownReport.Num(ours.KidComparison, 5)),
        };
        foreach (var d in Downstream) rows.Add(new("lung mIoU", $"paper, {d.Dataset}", d.Miou + " %", d.MiouComparison + " %"));
        rows.Add(new("lung mIoU", oursSource, MarkdownReport.Percent(ours.LungMiou), MarkdownReport.Percent(ours.LungMiouOriginal)));
        foreach (var d in Downstream) rows.Add(new("lesion sensitivity", $"paper, {d.Dataset}", d.Sensitivity + " %", d.SensitivityComparison + " %"));
        rows.Add(new("lesion sensitivity", oursSource, MarkdownReport.Percent(ours.Sensitivity), MarkdownReport.Percent(ours.SensitivityOriginal)));
        return rows;
    }
}
