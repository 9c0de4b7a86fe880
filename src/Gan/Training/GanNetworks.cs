// The four networks of the CycleGAN, built from GanOptions with seeds derived from GanOptions.Seed, and
// their names in a checkpoint ("G_AB.", "G_BA.", "D_A.", "D_B." + the module's own dotted names). They are
// built on the CPU (the same initial weights everywhere) and then moved to the training device.
// Tested through the trainer's checkpoint tests.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public sealed class GanNetworks
{
    public GanNetworks(GanOptions o, Device device = default)
    {
        GAB = Generator(o, new Rng(SeedMix.Of(o.Seed, 0, 101)));
        GBA = Generator(o, new Rng(SeedMix.Of(o.Seed, 0, 102)));
        DA = new PatchGanDiscriminator(1, o.Ndf, o.DiscriminatorLayers, rng: new Rng(SeedMix.Of(o.Seed, 0, 103)));
        DB = new PatchGanDiscriminator(1, o.Ndf, o.DiscriminatorLayers, rng: new Rng(SeedMix.Of(o.Seed, 0, 104)));
        Device = device;
        if (!device.IsCpu) foreach (var (_, module) in Named()) module.To(device);
    }

    /// <summary>Where the four networks' parameters live (Device.Cpu unless built for another device).</summary>
    public Device Device { get; }

    /// <summary>A generator of the configured backbone, mask head and content form.</summary>
    public static TranslationGenerator Generator(GanOptions o, Rng rng) => o.Generator switch
    {
        GeneratorKind.UNet => new UNetGenerator(1, o.Ngf, o.UNetDepth, o.UseMask, UNetUpsampling.Bilinear, NormKind.Instance, rng, o.Content),
        _ => new ResnetGenerator(1, o.Ngf, o.Blocks, o.UseMask, rng, o.Content),
    };

    /// <summary>G: opacity -> clear.</summary>
    public TranslationGenerator GAB { get; }
    /// <summary>F: clear -> opacity.</summary>
    public TranslationGenerator GBA { get; }
    /// <summary>D_O: judges opacity images.</summary>
    public PatchGanDiscriminator DA { get; }
    /// <summary>D_N: judges clear images.</summary>
    public PatchGanDiscriminator DB { get; }

    public IEnumerable<(string Prefix, Module Module)> Named()
    {
        yield return ("G_AB.", GAB);
        yield return ("G_BA.", GBA);
        yield return ("D_A.", DA);
        yield return ("D_B.", DB);
    }
}

/// <summary>Counter-based seeding: a fresh stream for (seed, counter, stream id), so that any step's
/// randomness is a pure function of the seed and the step, and a resumed run draws exactly the same.</summary>
public static class SeedMix
{
    public static ulong Of(ulong seed, long counter, int stream)
    {
        ulong z = seed * 0x9E3779B97F4A7C15UL ^ (ulong)counter * 0xD1B54A32D192ED03UL ^ (ulong)stream * 0xAEF17502108EF2D9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
