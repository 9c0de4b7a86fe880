// The one exception type of the metrics and report code: bad input (length mismatch, empty set, bad size),
// with a message that names the value and the reason.
namespace Opacity.Gan.Metrics;

public sealed class MetricsException : Exception
{
    public MetricsException() { }
    public MetricsException(string message) : base(message) { }
    public MetricsException(string message, Exception inner) : base(message, inner) { }

    internal static void SameLength(int a, int b, string what)
    {
        if (a != b) throw new MetricsException($"{what}: lengths differ ({a} vs {b}).");
    }

    internal static void Size(int length, int width, int height, string what)
    {
        if (width <= 0 || height <= 0 || (long)width * height != length)
            throw new MetricsException($"{what}: {length} values do not form a {width}x{height} image.");
    }
}
