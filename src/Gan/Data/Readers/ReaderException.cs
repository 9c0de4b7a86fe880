// ReaderException: the one error every reader throws for bad input (file + reason in one sentence).
// Tested by the bad-input and fuzz tests in tests/Opacity.Gan.Tests/Data/Readers.
namespace Opacity.Gan.Data.Readers;

/// <summary>A file could not be read; <see cref="Exception.Message"/> is "FILE: reason".</summary>
public sealed class ReaderException : Exception
{
    public ReaderException(string file, string reason, Exception? inner = null)
        : base($"{file}: {reason}", inner)
    {
        File = file;
        Reason = reason;
    }

    public ReaderException() : this("(unknown file)", "unreadable") { }

    public ReaderException(string message) : this("(unknown file)", message) { }

    public ReaderException(string message, Exception inner) : this("(unknown file)", message, inner) { }

    public string File { get; }

    public string Reason { get; }
}
