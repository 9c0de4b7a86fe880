// One generated patient: the image, its paired clear truth (opacity domain only), masks and labels.
// Images are row-major float[Size*Size] in [0, 1], 0 = black (no attenuation), 1 = white (bone); masks are
// row-major bool[Size*Size]. Produced by PhantomGenerator, read back by PhantomDataset.Load.
namespace Opacity.Gan.Data.Phantoms;

/// <summary>One phantom patient. <see cref="PairedClear"/> is the same patient, same noise, without the
/// opacity: ground truth for evaluation only, never for training an unpaired method.</summary>
public sealed class PhantomCase
{
    public required int PatientId { get; init; }
    public required Domain Domain { get; init; }
    public required Split Split { get; init; }
    public required int Size { get; init; }
    /// <summary>The radiograph, row-major, [0, 1].</summary>
    public required float[] Image { get; init; }
    /// <summary>Same patient and noise without the opacity; null in the clear domain.</summary>
    public float[]? PairedClear { get; init; }
    /// <summary>Anatomical lung mask (SCR rule: lung not behind heart, mediastinum or below the domes).</summary>
    public required bool[] LungMask { get; init; }
    /// <summary>Every pixel whose attenuation the opacity changes; all false in the clear domain.</summary>
    public required bool[] OpacityMask { get; init; }
    /// <summary>Opacity kinds present (None in the clear domain).</summary>
    public required OpacityKinds Labels { get; init; }

    /// <summary>Stable name, e.g. <c>p000042</c>.</summary>
    public string Name => $"p{PatientId:D6}";

    /// <summary>Labels as written in the manifest: <c>ggo;nodule</c> or <c>none</c>.</summary>
    public static string FormatLabels(OpacityKinds k)
    {
        if (k == OpacityKinds.None) return "none";
        var parts = new List<string>();
        if (k.HasFlag(OpacityKinds.GroundGlass)) parts.Add("ggo");
        if (k.HasFlag(OpacityKinds.Consolidation)) parts.Add("consolidation");
        if (k.HasFlag(OpacityKinds.Ards)) parts.Add("ards");
        if (k.HasFlag(OpacityKinds.Nodule)) parts.Add("nodule");
        if (k.HasFlag(OpacityKinds.Effusion)) parts.Add("effusion");
        return string.Join(';', parts);
    }

    public static OpacityKinds ParseLabels(string text)
    {
        var k = OpacityKinds.None;
        foreach (string p in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            k |= p switch
            {
                "none" => OpacityKinds.None,
                "ggo" => OpacityKinds.GroundGlass,
                "consolidation" => OpacityKinds.Consolidation,
                "ards" => OpacityKinds.Ards,
                "nodule" => OpacityKinds.Nodule,
                "effusion" => OpacityKinds.Effusion,
                _ => throw new PhantomException($"Label '{p}' is not an opacity kind."),
            };
        }
        return k;
    }
}
