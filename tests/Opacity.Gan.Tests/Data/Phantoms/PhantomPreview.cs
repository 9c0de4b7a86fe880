// Explicit (not run by default) preview writer used while tuning the phantoms' look and to make the README
// samples: strips of opacity | paired clear | lung mask | opacity mask, and the internal bone/air maps.
// Run: PHANTOM_PREVIEW=/tmp/pv dotnet test tests/Opacity.Gan.Tests -c Release --filter Name~Write_previews
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

[Explicit("writes preview images for visual inspection")]
public sealed class PhantomPreview
{
    [Test]
    public void Write_previews()
    {
        string dir = Environment.GetEnvironmentVariable("PHANTOM_PREVIEW") ?? Path.Combine(Path.GetTempPath(), "phantom_preview");
        int size = int.TryParse(Environment.GetEnvironmentVariable("PHANTOM_PREVIEW_SIZE"), out int s) ? s : 256;
        string mix = Environment.GetEnvironmentVariable("PHANTOM_PREVIEW_MIX") ?? "ggo=1,consolidation=1,ards=1,nodule=1,effusion=1";
        var g = new PhantomGenerator(new PhantomOptions { Size = size, Seed = 7, Mix = OpacityMix.Parse(mix), MaxOpacities = 1 });
        for (int i = 0; i < 6; i++)
        {
            (PhantomCase c, RenderResult rr) = g.Generate(i, Domain.Opacity, keepMaps: true);
            PhantomWriter.SaveStrip(Path.Combine(dir, $"strip_{size}_{i}_{PhantomCase.FormatLabels(c.Labels).Replace(';', '+')}.png"), size,
                c.Image, c.PairedClear!, PhantomWriter.MaskToImage(c.LungMask), PhantomWriter.MaskToImage(c.OpacityMask));
            PhantomWriter.SaveImage16(Path.Combine(dir, $"image_{size}_{i}.png"), c.Image, size);
            InternalMaps m = rr.Maps!;
            PhantomWriter.SaveStrip(Path.Combine(dir, $"maps_{size}_{i}.png"), m.N, Norm(m.Bone), Norm(m.LungAir), Norm(m.Heart), Norm(m.Mediastinum));
        }
    }

    /// <summary>README samples: opacity | paired clear truth | lung mask | opacity mask, one strip per kind.
    /// Run: PHANTOM_SAMPLES=docs/images dotnet test tests/Opacity.Gan.Tests -c Release --filter Name~Write_readme_samples</summary>
    [Test]
    public void Write_readme_samples()
    {
        string dir = Environment.GetEnvironmentVariable("PHANTOM_SAMPLES") ?? Path.Combine(Path.GetTempPath(), "phantom_samples");
        foreach ((string mix, int patient) in new[] { ("consolidation=1", 3), ("effusion=1", 1), ("ards=1", 0) })
        {
            var g = new PhantomGenerator(new PhantomOptions { Size = 192, Seed = 7, Mix = OpacityMix.Parse(mix), MaxOpacities = 1 });
            PhantomCase c = g.Generate(patient, Domain.Opacity);
            PhantomWriter.SaveStrip(Path.Combine(dir, $"phantom_{mix.Split('=')[0]}.png"), c.Size,
                c.Image, c.PairedClear!, PhantomWriter.MaskToImage(c.LungMask), PhantomWriter.MaskToImage(c.OpacityMask));
        }
    }

    private static float[] Norm(double[] v)
    {
        double max = v.Max();
        return v.Select(x => (float)(max > 0 ? x / max : 0)).ToArray();
    }
}
