// The exception FID/KID throw for inputs they cannot measure (mismatched dimensions, too few samples,
// non-finite features, a KID subset larger than a set); the message is one sentence for the CLI to print.
namespace Opacity.Gan.Metrics;

public sealed class MetricInputException : Exception
{
    public MetricInputException() { }
    public MetricInputException(string message) : base(message) { }
    public MetricInputException(string message, Exception inner) : base(message, inner) { }
}
