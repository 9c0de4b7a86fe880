// The one exception the .npy reader throws for a file it cannot use; the message is one sentence naming the
// file and the reason, ready for the CLI to print.
namespace Opacity.Gan.Data;

public sealed class NpyFormatException : Exception
{
    public NpyFormatException() { }
    public NpyFormatException(string message) : base(message) { }
    public NpyFormatException(string message, Exception inner) : base(message, inner) { }
}
