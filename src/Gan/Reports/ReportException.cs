// Bad input to the report writers (grid cells of the wrong size, empty plots, unwritable paths), one sentence each.
namespace Opacity.Gan.Reports;

public sealed class ReportException : Exception
{
    public ReportException() { }
    public ReportException(string message) : base(message) { }
    public ReportException(string message, Exception inner) : base(message, inner) { }
}
