// ImageFolderReader: a folder of PNG/JPEG files with a labels CSV (default columns `path`, `label`;
// paths relative to the folder). One version. Labels: integers, or true/false; blank = unknown (-1).
// Images decode through ImageDecoding (ImageSharp). Tested by ImageFolderReaderTests.
using System.Globalization;

namespace Opacity.Gan.Data.Readers;

/// <summary>Indexes a folder of PNG/JPEG radiographs from its labels CSV.</summary>
public static class ImageFolderReader
{
    public static List<DatasetItem> Index(string folder, string? labelsCsv = null,
        string pathColumn = "path", string labelColumn = "label")
    {
        CsvTable table = CsvTable.Load(labelsCsv ?? Path.Combine(folder, "labels.csv"));
        int p = table.Column(pathColumn), l = table.Column(labelColumn);
        var items = new List<DatasetItem>(table.Rows.Count);
        foreach (string[] row in table.Rows)
        {
            string relative = CsvTable.Cell(row, p).Trim();
            if (relative.Length == 0)
                continue;
            items.Add(new DatasetItem(relative, Path.Combine(folder, relative), ParseLabel(CsvTable.Cell(row, l), table.File)));
        }
        return items;
    }

    internal static int ParseLabel(string text, string file)
    {
        text = text.Trim();
        if (text.Length == 0)
            return -1;
        if (bool.TryParse(text, out bool flag))
            return flag ? 1 : 0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            return (int)value;
        throw new ReaderException(file, $"label '{text}' is neither a number nor true/false");
    }

    public static XrayImage Read(string path, ReaderOptions? options = null) =>
        ImageDecoding.Read(path, options ?? ReaderOptions.Default);
}
