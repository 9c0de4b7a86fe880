// CsvTable: a small RFC 4180 reader for the label/metadata CSVs (quoted fields, "" escapes, commas
// and newlines inside quotes, .csv.gz read through GZipStream). One version.
// Tested by CsvTableTests and through the MIMIC/RSNA/folder readers.
using System.IO.Compression;
using System.Text;

namespace Opacity.Gan.Data.Readers;

/// <summary>A CSV file as a header and rows of strings.</summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, string[] header, List<string[]> rows)
    {
        File = file;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Length; i++)
            _columns.TryAdd(header[i].Trim(), i);
    }

    public string File { get; }

    public string[] Header { get; }

    public List<string[]> Rows { get; }

    /// <summary>The index of a column; a clear error naming the file and the columns it has.</summary>
    public int Column(string name)
    {
        if (_columns.TryGetValue(name, out int index))
            return index;
        throw new ReaderException(File, $"has no column '{name}' (columns: {string.Join(", ", Header)})");
    }

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    public static string Cell(string[] row, int column) => column < row.Length ? row[column] : "";

    public static CsvTable Load(string path)
    {
        try
        {
            if (!System.IO.File.Exists(path))
                throw new ReaderException(path, "file not found");
            using Stream raw = System.IO.File.OpenRead(path);
            using Stream input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(input, Encoding.UTF8);
            List<string[]> records = Parse(reader.ReadToEnd(), path);
            if (records.Count == 0)
                throw new ReaderException(path, "the CSV file is empty (no header line)");
            return new CsvTable(path, records[0], records.GetRange(1, records.Count - 1));
        }
        catch (IOException e)
        {
            throw new ReaderException(path, $"cannot read the CSV file ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new ReaderException(path, $"the gzip stream is corrupt ({e.Message})", e);
        }
    }

    internal static List<string[]> Parse(string text, string file)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"')
                    field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                    quoted = false;
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
        }
        if (quoted)
            throw new ReaderException(file, "a quoted CSV field is never closed");
        EndRecord();
        return records;

        void EndRecord()
        {
            if (any || field.Length > 0)
            {
                fields.Add(field.ToString());
                records.Add([.. fields]);
            }
            fields.Clear();
            field.Clear();
            any = false;
        }
    }
}
