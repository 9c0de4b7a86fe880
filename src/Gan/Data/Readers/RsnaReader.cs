// RsnaReader: the RSNA Pneumonia Detection Challenge layout. One version.
//   labels CSV: patientId, x, y, width, height, Target   (one row per opacity box; Target 0 rows blank)
//   images:     IMAGES_DIR/patientId.dcm                  (DICOM, read by DicomReader)
// A patient's label is 1 when any row has Target 1; its boxes are kept. Tested by RsnaReaderTests.
using System.Globalization;

namespace Opacity.Gan.Data.Readers;

/// <summary>Indexes the RSNA pneumonia labels CSV against a folder of DICOMs.</summary>
public static class RsnaReader
{
    public static List<DatasetItem> Index(string labelsCsv, string imagesDir)
    {
        CsvTable table = CsvTable.Load(labelsCsv);
        int id = table.Column("patientId"), target = table.Column("Target");
        int x = table.Column("x"), y = table.Column("y"), w = table.Column("width"), h = table.Column("height");
        var order = new List<string>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var boxes = new Dictionary<string, List<Box>>(StringComparer.Ordinal);
        foreach (string[] row in table.Rows)
        {
            string patient = CsvTable.Cell(row, id).Trim();
            if (patient.Length == 0)
                continue;
            if (!labels.ContainsKey(patient))
            {
                order.Add(patient);
                labels[patient] = 0;
                boxes[patient] = [];
            }
            int t = ImageFolderReader.ParseLabel(CsvTable.Cell(row, target), table.File);
            if (t != 1)
                continue;
            labels[patient] = 1;
            boxes[patient].Add(new Box(Number(row, x, table.File), Number(row, y, table.File),
                Number(row, w, table.File), Number(row, h, table.File)));
        }
        return order.Select(p => new DatasetItem(p, Path.Combine(imagesDir, p + ".dcm"), labels[p]) { Boxes = boxes[p] }).ToList();
    }

    private static double Number(string[] row, int column, string file)
    {
        string text = CsvTable.Cell(row, column).Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
            return v;
        throw new ReaderException(file, $"box coordinate '{text}' of a Target 1 row is not a number");
    }
}
