// A BenchmarkDotNet column that turns the mean time per launch into GB/s or GFLOP/s (STYLE.md G7),
// from the work of one launch that the benchmark class supplies.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Opacity.Bench.Cuda;

public sealed class RateColumn(Func<BenchmarkCase, (double Work, string Unit)> work) : IColumn
{
    public string Id => nameof(RateColumn);
    public string ColumnName => "Rate";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => false;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GB/s (bytes read + written) or GFLOP/s (2 per multiply-add) per launch, from the mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var (w, unit) = work(benchmarkCase);
        if (w <= 0) return unit;
        return meanNs is > 1 ? $"{(w / meanNs.Value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} {unit}" : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
