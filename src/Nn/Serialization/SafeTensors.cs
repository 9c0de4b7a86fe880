// safetensors files (the published format, readable by PyTorch's `safetensors`): an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__":
// {...}}, then the raw little-endian data. Written by hand because no safetensors package is served
// here; the format is small and fully specified. Writes are atomic (temp file, flush to disk,
// rename), so a crash never leaves a half-written checkpoint under the real name.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Opacity.Tensors;

namespace Opacity.Nn.Serialization;

public sealed class SafeTensorsException(string message) : Exception(message);

public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L << 20;

    public static void Save(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in items)
        {
            if (header.ContainsKey(name)) throw new ArgumentException($"safetensors: duplicate tensor name '{name}'.");
            long bytes = (long)t.Numel * t.DType.ElementSize();
            header[name] = new { dtype = t.DType == DType.F32 ? "F32" : "F64", shape = t.Shape.ToArray(), data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8; // the spec allows trailing spaces; 8-byte alignment helps mmap readers
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(json.Length + pad));
                fs.Write(len);
                fs.Write(json);
                for (int i = 0; i < pad; i++) fs.WriteByte((byte)' ');
                foreach (var (_, t) in items)
                {
                    Tensor cpu = t.To(Device.Cpu);
                    if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writer needs a little-endian host.");
                    if (cpu.DType == DType.F32) fs.Write(MemoryMarshal.AsBytes(cpu.AsSpan()));
                    else fs.Write(MemoryMarshal.AsBytes(cpu.AsSpanF64()));
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Reads every tensor; validates the header completely before returning anything.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new SafeTensorsException($"Checkpoint '{path}' does not exist.");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new SafeTensorsException($"'{path}' is not a safetensors file: {bytes.Length} bytes, shorter than the 8-byte header length.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes || (long)n > bytes.Length - 8)
            throw new SafeTensorsException($"'{path}' is not a valid safetensors file: header length {n} exceeds the file size {bytes.Length} (truncated or foreign file).");
        var entries = new List<(string Name, DType DType, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new SafeTensorsException($"'{path}': the safetensors header is not a JSON object.");
            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (JsonProperty m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                string dt = prop.Value.GetProperty("dtype").GetString() ?? "";
                DType dtype = dt switch
                {
                    "F32" => DType.F32,
                    "F64" => DType.F64,
                    _ => throw new SafeTensorsException($"'{path}': tensor '{prop.Name}' has dtype {dt}; only F32 and F64 are supported."),
                };
                int[] shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                long[] off = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (off.Length != 2 || shape.Any(d => d < 0)) throw new SafeTensorsException($"'{path}': tensor '{prop.Name}' has a malformed shape or data_offsets.");
                entries.Add((prop.Name, dtype, shape, off[0], off[1]));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException or DecoderFallbackException)
        {
            throw new SafeTensorsException($"'{path}': the safetensors header is not valid JSON of the expected form ({e.Message}).");
        }
        long dataStart = 8 + (long)n, dataLength = bytes.Length - dataStart;
        foreach (var e in entries)
        {
            // The element count without wrap-around: a crafted shape such as [65536, 65536, 65536, 65536] has a
            // product of 2^64, which a plain long product wraps to 0, matching empty data offsets.
            long numel = e.Shape.Contains(0) ? 0 : 1;
            foreach (int d in e.Shape)
            {
                if (numel == 0) break;
                if (numel > int.MaxValue / d)
                    throw new SafeTensorsException($"'{path}': tensor '{e.Name}' has shape {string.Join("x", e.Shape)}, more than {int.MaxValue} elements.");
                numel *= d;
            }
            if (e.Begin < 0 || e.End < e.Begin || e.End > dataLength || e.End - e.Begin != numel * e.DType.ElementSize())
                throw new SafeTensorsException($"'{path}': tensor '{e.Name}' ({string.Join("x", e.Shape)}) has data offsets [{e.Begin}, {e.End}) inconsistent with its shape or beyond the {dataLength} data bytes (truncated file?).");
        }
        var result = new Dictionary<string, Tensor>();
        foreach (var e in entries)
        {
            ReadOnlySpan<byte> src = bytes.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin));
            Tensor t = Opacity.Tensors.Autograd.TensorScope.Untracked(() => Tensor.Empty(new Shape(e.Shape), e.DType));
            if (e.DType == DType.F32) src.CopyTo(MemoryMarshal.AsBytes(t.AsSpan()));
            else src.CopyTo(MemoryMarshal.AsBytes(t.AsSpanF64()));
            t.Name = e.Name;
            result[e.Name] = t;
        }
        return (result, metadata);
    }
}
