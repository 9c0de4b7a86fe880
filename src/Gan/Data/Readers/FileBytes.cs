// FileBytes: reads a whole file for a reader, turning I/O failures into ReaderException and
// refusing files far beyond what the pixel budget could need. One version.
// Tested by the missing-file and empty-file tests in ReaderErrorTests.
namespace Opacity.Gan.Data.Readers;

internal static class FileBytes
{
    public static byte[] Read(string path, ReaderOptions options)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new ReaderException(path, "file not found");
            long cap = Math.Max(options.MaxPixels, 0) * 8 + (64L << 20);
            if (info.Length > cap || info.Length > Array.MaxLength)
                throw new ReaderException(path, $"file is {info.Length} bytes, more than any image within the pixel budget needs");
            return File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new ReaderException(path, $"cannot read the file ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ReaderException(path, $"no permission to read the file ({e.Message})", e);
        }
    }
}
