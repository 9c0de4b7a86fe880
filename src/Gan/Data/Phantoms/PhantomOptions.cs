// Options and result types of the synthetic PA chest radiograph generator (PhantomGenerator).
// Defaults: 256 px, seed 1, half the patients clear, one or two opacities per opacity image drawn from an
// even mix of the five kinds, 80/10/10 train/val/test split by patient. Validate() turns bad values into
// one PhantomException sentence. Tested by PhantomOptionsTests and the CLI bad-input tests.
namespace Opacity.Gan.Data.Phantoms;

/// <summary>Which side of the unpaired translation a patient belongs to.</summary>
public enum Domain
{
    /// <summary>Image with one or more opacities (and its paired clear truth).</summary>
    Opacity,
    /// <summary>Image without opacity, from a patient not used in the opacity domain.</summary>
    Clear,
}

/// <summary>Train/val/test split; assigned per patient, so no patient appears in two splits.</summary>
public enum Split
{
    Train,
    Val,
    Test,
}

/// <summary>The opacity kinds (PHANTOM.md section 3).</summary>
[Flags]
public enum OpacityKinds
{
    None = 0,
    GroundGlass = 1,
    Consolidation = 2,
    Ards = 4,
    Nodule = 8,
    Effusion = 16,
}

/// <summary>Relative weights of the opacity kinds when an opacity is drawn; a zero weight disables a kind.</summary>
public sealed record OpacityMix(double GroundGlass = 1, double Consolidation = 1, double Ards = 1, double Nodule = 1, double Effusion = 1)
{
    public static OpacityMix Even { get; } = new();

    /// <summary>Parses <c>ggo=1,consolidation=2,ards=0,nodule=1,effusion=1</c> (missing kinds get 0).</summary>
    public static OpacityMix Parse(string text)
    {
        double g = 0, c = 0, a = 0, n = 0, e = 0;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            double w = 1;
            if (kv.Length == 2 && (!double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out w) || w < 0 || !double.IsFinite(w)))
                throw new PhantomException($"Opacity mix entry '{part}' needs a non-negative number after '='.");
            switch (kv[0].ToLowerInvariant())
            {
                case "ggo": case "groundglass": case "ground-glass": g = w; break;
                case "consolidation": case "cons": c = w; break;
                case "ards": case "diffuse": a = w; break;
                case "nodule": case "nodules": n = w; break;
                case "effusion": e = w; break;
                default: throw new PhantomException($"Opacity mix entry '{part}' names an unknown kind (use ggo, consolidation, ards, nodule, effusion).");
            }
        }
        return new OpacityMix(g, c, a, n, e);
    }

    internal double Total => GroundGlass + Consolidation + Ards + Nodule + Effusion;
}

/// <summary>Everything that defines a phantom data set; the same options and seed give the same bytes.</summary>
public sealed record PhantomOptions
{
    /// <summary>Output width and height in pixels, 64..1024. The field of view is always 35.8 cm (JSRT).</summary>
    public int Size { get; init; } = 256;
    public ulong Seed { get; init; } = 1;
    /// <summary>Fraction of patients in the clear domain (unpaired clear images); the rest carry opacities.</summary>
    public double ClearFraction { get; init; } = 0.5;
    public OpacityMix Mix { get; init; } = OpacityMix.Even;
    /// <summary>Opacities per opacity image, inclusive range (ARDS and effusion count once at most).</summary>
    public int MinOpacities { get; init; } = 1;
    public int MaxOpacities { get; init; } = 2;
    /// <summary>Multiplies lesion sizes (1 = the PHANTOM.md ranges).</summary>
    public double SizeScale { get; init; } = 1;
    /// <summary>Multiplies lesion density (fraction of air replaced); 1 = the PHANTOM.md look.</summary>
    public double DensityScale { get; init; } = 1;
    /// <summary>Multiplies detector noise (0 = noiseless).</summary>
    public double NoiseScale { get; init; } = 1;
    /// <summary>Multiplies detector blur (0 = none).</summary>
    public double BlurScale { get; init; } = 1;
    public double TrainFraction { get; init; } = 0.8;
    public double ValFraction { get; init; } = 0.1;

    public const int MinSize = 64;
    public const int MaxSize = 1024;

    /// <summary>Throws <see cref="PhantomException"/> with one sentence for the first bad value.</summary>
    public void Validate()
    {
        if (Size < MinSize || Size > MaxSize)
            throw new PhantomException($"Size {Size} px is outside {MinSize}..{MaxSize}.");
        if (!(ClearFraction >= 0 && ClearFraction <= 1))
            throw new PhantomException($"Clear fraction {ClearFraction} is outside 0..1.");
        if (MinOpacities < 1 || MaxOpacities < MinOpacities || MaxOpacities > 8)
            throw new PhantomException($"Opacity count range {MinOpacities}..{MaxOpacities} must satisfy 1 <= min <= max <= 8.");
        if (!(Mix.Total > 0) || !double.IsFinite(Mix.Total))
            throw new PhantomException("Opacity mix has no kind with a positive weight.");
        if (!(SizeScale > 0.2 && SizeScale <= 3))
            throw new PhantomException($"Size scale {SizeScale} is outside (0.2, 3].");
        if (!(DensityScale > 0 && DensityScale <= 2))
            throw new PhantomException($"Density scale {DensityScale} is outside (0, 2].");
        if (!(NoiseScale >= 0 && NoiseScale <= 10) || !(BlurScale >= 0 && BlurScale <= 5))
            throw new PhantomException($"Noise scale {NoiseScale} must be in 0..10 and blur scale {BlurScale} in 0..5.");
        if (!(TrainFraction >= 0 && ValFraction >= 0 && TrainFraction + ValFraction <= 1))
            throw new PhantomException($"Split fractions train {TrainFraction} and val {ValFraction} must be non-negative and sum to at most 1.");
    }
}

/// <summary>A bad phantom option, file or folder; the message is one sentence for the user.</summary>
public sealed class PhantomException : Exception
{
    public PhantomException(string message) : base(message) { }
    public PhantomException(string message, Exception inner) : base(message, inner) { }
    public PhantomException() { }
}
