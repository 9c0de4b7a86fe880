// NumPy .npy files for 2-D float feature matrices (N x d): a strict reader and a small writer.
// Format (numpy.lib.format): magic "\x93NUMPY", version byte pair (1.0, 2.0 or 3.0), header length (uint16 for
// v1, uint32 for v2/v3, little-endian), an ASCII (v3: UTF-8) Python dict literal with exactly the keys 'descr',
// 'fortran_order' and 'shape', then the raw data. Accepted: descr '<f4' or '<f8' (read into float64 exactly),
// C or Fortran order (Fortran is transposed on read), 2-D shape. Refused, each with one sentence naming the
// file: no magic, unknown version, truncated header or data, trailing bytes, big-endian or other dtypes,
// object arrays, other ranks. Tested in NpyTests (round trips, every refusal, files written by numpy itself).
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Opacity.Gan.Data;

/// <summary>A row-major float64 matrix read from a .npy file; <see cref="SourceDType"/> is '&lt;f4' or '&lt;f8'.</summary>
public sealed record NpyMatrix(double[] Data, int Rows, int Cols, string SourceDType);

public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a 2-D float32/float64 array from <paramref name="path"/>.</summary>
    public static NpyMatrix Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NpyFormatException($"The feature file '{path}' does not exist.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NpyFormatException($"The feature file '{path}' cannot be read: {ex.Message}", ex);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses .npy bytes; <paramref name="name"/> is used in error messages.</summary>
    public static NpyMatrix Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new NpyFormatException($"'{name}' is not a NumPy .npy file (it does not start with the \\x93NUMPY magic).");
        int major = bytes[6], minor = bytes[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new NpyFormatException($"'{name}' is .npy format version {major}.{minor}; only versions 1.0, 2.0 and 3.0 are supported.");
        int lenSize = major == 1 ? 2 : 4;
        if (bytes.Length < 8 + lenSize)
            throw new NpyFormatException($"'{name}' is truncated inside its .npy header.");
        long headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        long dataStart = 8 + lenSize + headerLen;
        if (dataStart > bytes.Length)
            throw new NpyFormatException($"'{name}' is truncated: its .npy header says {headerLen} bytes but the file ends before that.");
        ReadOnlySpan<byte> headerBytes = bytes.Slice(8 + lenSize, (int)headerLen);
        string header;
        try
        {
            header = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new NpyFormatException($"'{name}' has a .npy header that is not valid UTF-8.", ex);
        }
        (string descr, bool fortran, long[] shape) = NpyHeader.Parse(header, name);
        int itemSize = descr switch
        {
            "<f4" => 4,
            "<f8" => 8,
            ">f4" or ">f8" => throw new NpyFormatException($"'{name}' stores big-endian floats ('{descr}'); only little-endian '<f4' and '<f8' are supported (convert with a.astype('<f8'))."),
            _ => throw new NpyFormatException($"'{name}' has dtype '{descr}'; only float32 ('<f4') and float64 ('<f8') feature matrices are supported."),
        };
        if (shape.Length != 2)
            throw new NpyFormatException($"'{name}' holds a {shape.Length}-D array of shape ({string.Join(", ", shape)}); a 2-D N x d feature matrix is expected.");
        long rows = shape[0], cols = shape[1];
        if (rows * cols > Array.MaxLength)
            throw new NpyFormatException($"'{name}' has shape ({rows}, {cols}), too large to load.");
        long expected = rows * cols * itemSize;
        long available = bytes.Length - dataStart;
        if (available < expected)
            throw new NpyFormatException($"'{name}' is truncated: its header promises {rows} x {cols} {(itemSize == 4 ? "float32" : "float64")} values ({expected} bytes) but only {available} bytes follow.");
        if (available > expected)
            throw new NpyFormatException($"'{name}' has {available - expected} unexpected bytes after its {rows} x {cols} array.");
        if (!BitConverter.IsLittleEndian)
            throw new NpyFormatException($"'{name}' cannot be read on a big-endian machine.");
        var data = new double[rows * cols];
        ReadOnlySpan<byte> raw = bytes.Slice((int)dataStart, (int)expected);
        if (itemSize == 8)
            MemoryMarshal.Cast<byte, double>(raw).CopyTo(data);
        else
        {
            ReadOnlySpan<float> f = MemoryMarshal.Cast<byte, float>(raw);
            for (int i = 0; i < f.Length; i++)
                data[i] = f[i];
        }
        if (fortran && rows > 1 && cols > 1)
        {
            var c = new double[data.Length];
            for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++)
                    c[i * cols + j] = data[j * rows + i];
            data = c;
        }
        return new NpyMatrix(data, (int)rows, (int)cols, descr);
    }

    /// <summary>Writes a C-order 2-D array as .npy version 1.0, '&lt;f8' or (<paramref name="float32"/>) '&lt;f4'.</summary>
    public static void Write(string path, ReadOnlySpan<double> data, int rows, int cols, bool float32 = false)
    {
        if (data.Length != (long)rows * cols)
            throw new ArgumentException($"Npy.Write: {data.Length} values for a {rows} x {cols} array.");
        string dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '{(float32 ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (float32)
        {
            var f = new float[data.Length];
            for (int i = 0; i < f.Length; i++)
                f[i] = (float)data[i];
            stream.Write(MemoryMarshal.AsBytes(f.AsSpan()));
        }
        else
            stream.Write(MemoryMarshal.AsBytes(data));
    }
}
