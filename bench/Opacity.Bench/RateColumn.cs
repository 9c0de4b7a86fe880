// A BenchmarkDotNet summary column that turns the mean time into a rate (STYLE.md G7: report a rate,
// not only a time): GFLOP/s for GEMM and convolutions, GB/s for memory-bound kernels. Each benchmark
// class supplies the work of a case (flops, or bytes moved) from its [Params] and method name.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Opacity.Bench;

public sealed class RateColumn(string unit, string legend, Func<BenchmarkCase, double> workPerOp) : IColumn
{
    /// <summary>GFLOP/s from a flop count (2 per multiply-add).</summary>
    public static RateColumn Gflops(Func<BenchmarkCase, double> flops)
        => new("GFLOP/s", "floating-point operations (2 per multiply-add) per second, from the mean time", flops);

    /// <summary>GB/s from the bytes each call reads plus writes.</summary>
    public static RateColumn GBps(Func<BenchmarkCase, double> bytes)
        => new("GB/s", "bytes read plus bytes written per second, from the mean time", bytes);

    public string Id => nameof(RateColumn) + unit;
    public string ColumnName => unit;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    // work / ns = Gwork / s
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNs is > 0 ? (workPerOp(benchmarkCase) / meanNs.Value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
