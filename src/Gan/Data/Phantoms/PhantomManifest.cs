// The CSV manifest of a phantom data set folder (see PhantomWriter for the layout). One row per patient:
//   patient_id,split,domain,labels,size,image,paired_clear,lung_mask,opacity_mask,lung_pixels,opacity_pixels
// split: train|val|test; domain: opacity|clear; labels: ggo;consolidation;ards;nodule;effusion or none;
// paths are relative to the folder with '/' separators; paired_clear and opacity_mask are empty for clear
// patients. Invariant culture, no quoting needed (no field contains a comma). Tested by PhantomIoTests.
namespace Opacity.Gan.Data.Phantoms;

/// <summary>One manifest row.</summary>
public sealed record PhantomManifestRow(int PatientId, Split Split, Domain Domain, OpacityKinds Labels, int Size,
    string Image, string PairedClear, string LungMask, string OpacityMask, int LungPixels, int OpacityPixels);

public static class PhantomManifest
{
    public const string FileName = "manifest.csv";
    public const string Header = "patient_id,split,domain,labels,size,image,paired_clear,lung_mask,opacity_mask,lung_pixels,opacity_pixels";

    public static string Format(PhantomManifestRow r) => string.Join(',',
        r.PatientId.ToString(System.Globalization.CultureInfo.InvariantCulture), SplitName(r.Split), DomainName(r.Domain),
        PhantomCase.FormatLabels(r.Labels), r.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.Image, r.PairedClear, r.LungMask, r.OpacityMask,
        r.LungPixels.ToString(System.Globalization.CultureInfo.InvariantCulture), r.OpacityPixels.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void Write(string path, IEnumerable<PhantomManifestRow> rows)
    {
        using var w = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        w.NewLine = "\n";
        w.WriteLine(Header);
        foreach (PhantomManifestRow r in rows) w.WriteLine(Format(r));
    }

    /// <summary>Reads a manifest; a bad row throws PhantomException naming the file and line.</summary>
    public static List<PhantomManifestRow> Read(string path)
    {
        if (!File.Exists(path)) throw new PhantomException($"Manifest '{path}' does not exist.");
        var rows = new List<PhantomManifestRow>();
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new PhantomException($"Manifest '{path}' does not start with the expected header.");
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            string[] f = lines[i].Split(',');
            try
            {
                if (f.Length != 11) throw new FormatException("wrong field count");
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                rows.Add(new PhantomManifestRow(int.Parse(f[0], inv), ParseSplit(f[1]), ParseDomain(f[2]), PhantomCase.ParseLabels(f[3]),
                    int.Parse(f[4], inv), f[5], f[6], f[7], f[8], int.Parse(f[9], inv), int.Parse(f[10], inv)));
            }
            catch (Exception e) when (e is FormatException or OverflowException or PhantomException)
            {
                throw new PhantomException($"Manifest '{path}' line {i + 1} is malformed ({e.Message}).", e);
            }
        }
        return rows;
    }

    public static string SplitName(Split s) => s switch { Split.Train => "train", Split.Val => "val", _ => "test" };
    public static string DomainName(Domain d) => d == Domain.Opacity ? "opacity" : "clear";

    private static Split ParseSplit(string s) => s switch
    {
        "train" => Split.Train,
        "val" => Split.Val,
        "test" => Split.Test,
        _ => throw new FormatException($"unknown split '{s}'"),
    };

    private static Domain ParseDomain(string s) => s switch
    {
        "opacity" => Domain.Opacity,
        "clear" => Domain.Clear,
        _ => throw new FormatException($"unknown domain '{s}'"),
    };
}
