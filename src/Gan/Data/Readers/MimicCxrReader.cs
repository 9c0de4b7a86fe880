// MimicCxrReader: the MIMIC-CXR-JPG v2 layout. One version.
//   ROOT/files/pXX/pSUBJECT/sSTUDY/DICOM_ID.jpg        (XX = first two digits of the subject id)
//   ROOT/mimic-cxr-2.0.0-split.csv[.gz]                dicom_id, study_id, subject_id, split
//   ROOT/mimic-cxr-2.0.0-metadata.csv[.gz]             dicom_id, ..., ViewPosition, ...
//   ROOT/mimic-cxr-2.0.0-chexpert.csv[.gz] (or negbio) subject_id, study_id, one column per finding
// Frontal views are the images whose ViewPosition is PA or AP. Label values: 1.0 positive, 0.0 or
// blank negative (blank = not mentioned), -1.0 uncertain (MimicOptions.Uncertain decides).
// Images with no label row are left out. Tested by MimicCxrReaderTests.
namespace Opacity.Gan.Data.Readers;

/// <summary>What to do with CheXpert's uncertain (-1.0) labels.</summary>
public enum UncertainLabel
{
    Exclude,
    AsPositive,
    AsNegative,
}

/// <summary>Which MIMIC-CXR-JPG images to take and how to label them.</summary>
public sealed record MimicOptions
{
    public string LabelColumn { get; init; } = "Lung Opacity";

    public string LabelFile { get; init; } = "mimic-cxr-2.0.0-chexpert.csv";

    public IReadOnlySet<string> Views { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "PA", "AP" };

    /// <summary>train, validate or test; null takes every split.</summary>
    public string? Split { get; init; }

    public UncertainLabel Uncertain { get; init; } = UncertainLabel.Exclude;
}

/// <summary>Indexes a MIMIC-CXR-JPG tree.</summary>
public static class MimicCxrReader
{
    public static List<DatasetItem> Index(string root, MimicOptions? options = null)
    {
        options ??= new MimicOptions();
        CsvTable split = CsvTable.Load(Find(root, "mimic-cxr-2.0.0-split.csv"));
        CsvTable meta = CsvTable.Load(Find(root, "mimic-cxr-2.0.0-metadata.csv"));
        CsvTable labels = CsvTable.Load(Find(root, options.LabelFile));

        int mId = meta.Column("dicom_id"), mView = meta.Column("ViewPosition");
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string[] row in meta.Rows)
            views[CsvTable.Cell(row, mId)] = CsvTable.Cell(row, mView).Trim();

        int lSubject = labels.Column("subject_id"), lStudy = labels.Column("study_id"), lValue = labels.Column(options.LabelColumn);
        var studyLabels = new Dictionary<(string, string), string>();
        foreach (string[] row in labels.Rows)
            studyLabels[(CsvTable.Cell(row, lSubject).Trim(), CsvTable.Cell(row, lStudy).Trim())] = CsvTable.Cell(row, lValue).Trim();

        int sId = split.Column("dicom_id"), sStudy = split.Column("study_id"), sSubject = split.Column("subject_id"), sSplit = split.Column("split");
        var items = new List<DatasetItem>();
        foreach (string[] row in split.Rows)
        {
            string id = CsvTable.Cell(row, sId).Trim(), study = CsvTable.Cell(row, sStudy).Trim();
            string subject = CsvTable.Cell(row, sSubject).Trim(), part = CsvTable.Cell(row, sSplit).Trim();
            if (options.Split is not null && !string.Equals(part, options.Split, StringComparison.OrdinalIgnoreCase))
                continue;
            if (!views.TryGetValue(id, out string? view) || !options.Views.Contains(view))
                continue;
            if (!studyLabels.TryGetValue((subject, study), out string? value))
                continue;
            int? label = Label(value, options.Uncertain, labels.File);
            if (label is null)
                continue;
            if (subject.Length < 2)
                throw new ReaderException(split.File, $"subject_id '{subject}' is too short to name a pXX folder");
            string path = Path.Combine(root, "files", "p" + subject[..2], "p" + subject, "s" + study, id + ".jpg");
            items.Add(new DatasetItem(id, path, label.Value) { Split = part });
        }
        return items;
    }

    private static int? Label(string value, UncertainLabel uncertain, string file)
    {
        if (value.Length == 0)
            return 0;
        int v = ImageFolderReader.ParseLabel(value, file);
        return v switch
        {
            1 => 1,
            0 => 0,
            -1 => uncertain switch { UncertainLabel.AsPositive => 1, UncertainLabel.AsNegative => 0, _ => null },
            _ => throw new ReaderException(file, $"label value '{value}' is not 1.0, 0.0, -1.0 or blank"),
        };
    }

    private static string Find(string root, string name)
    {
        string plain = Path.Combine(root, name);
        if (File.Exists(plain))
            return plain;
        if (File.Exists(plain + ".gz"))
            return plain + ".gz";
        throw new ReaderException(plain, "not found (nor its .gz)");
    }

    public static XrayImage Read(string path, ReaderOptions? options = null) =>
        ImageDecoding.Read(path, options ?? ReaderOptions.Default);
}
