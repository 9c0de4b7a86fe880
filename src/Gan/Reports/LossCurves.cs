// The training curves of a report, read from a translator run's losses.csv (written by GanTrainer:
// header "step,lr,<loss names...>", one row per step, invariant culture). A missing or header-only file
// gives no curves (a report then simply has no training section); a cell that does not parse is NaN,
// which LinePlot draws as a gap. Curves are smoothed by a trailing moving average that skips NaN.
// Used by EvaluationReport; tested by EvalCommandTests (the plots exist when a run has a losses.csv).
using System.Globalization;

namespace Opacity.Gan.Reports;

public static class LossCurves
{
    /// <summary>Columns of a losses CSV that are not losses.</summary>
    private static readonly string[] NotLosses = ["step", "lr"];

    /// <summary>Every loss column of <paramref name="csv"/> (name -> one value per row); empty when the file is missing or has no rows.</summary>
    public static Dictionary<string, List<double>> Read(string? csv)
    {
        var result = new Dictionary<string, List<double>>();
        if (csv is null || !File.Exists(csv)) return result;
        string[] lines;
        try { lines = File.ReadAllLines(csv); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ReportException($"Loss curves: cannot read '{csv}' ({e.Message.TrimEnd('.')}).", e); }
        if (lines.Length < 2) return result;
        string[] header = lines[0].Split(',');
        for (int c = 0; c < header.Length; c++)
        {
            if (NotLosses.Contains(header[c]) || header[c].Length == 0) continue;
            result[header[c]] = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
                .Select(p => p.Length > c && double.TryParse(p[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToList();
        }
        return result;
    }

    /// <summary>Trailing moving average over <paramref name="window"/> values, NaN skipped (NaN where the window holds none).</summary>
    public static double[] Smooth(IReadOnlyList<double> v, int window)
    {
        var r = new double[v.Count];
        double sum = 0;
        int n = 0;
        for (int i = 0; i < v.Count; i++)
        {
            if (!double.IsNaN(v[i])) { sum += v[i]; n++; }
            int drop = i - window;
            if (drop >= 0 && !double.IsNaN(v[drop])) { sum -= v[drop]; n--; }
            r[i] = n == 0 ? double.NaN : sum / n;
        }
        return r;
    }
}
