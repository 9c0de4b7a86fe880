// Synthetic PA chest radiograph generator with paired ground truth (PHANTOM.md; issue 4).
// Patient i of a data set: domain from an exact interleave of ClearFraction (clear iff
// floor((i+1) c) > floor(i c)), split from the golden-ratio sequence frac(i * 0.618...) against the split
// fractions, anatomy/pathology/noise from independent DetRandom streams of (seed, i). Each patient is one
// image: opacity-domain patients also carry their paired clear truth (same anatomy, same noise field);
// clear-domain images come from other patients. Patients are independent, so GenerateBatch runs them in
// parallel and the output does not depend on the thread count. Tested by PhantomDeterminismTests,
// PhantomPairTests, PhantomRealismTests.
namespace Opacity.Gan.Data.Phantoms;

/// <summary>Generates phantom cases. Images are float [0, 1] (0 black, 1 white bone), row-major, Size x Size.</summary>
public sealed class PhantomGenerator
{
    private const double Golden = 0.6180339887498949;

    public PhantomOptions Options { get; }

    public PhantomGenerator(PhantomOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The domain of patient <paramref name="patientIndex"/> in a data set built with these options.</summary>
    public Domain DomainOf(int patientIndex)
    {
        double c = Options.ClearFraction;
        return Math.Floor((patientIndex + 1) * c) > Math.Floor(patientIndex * c) ? Domain.Clear : Domain.Opacity;
    }

    /// <summary>The split of patient <paramref name="patientIndex"/>: a low-discrepancy sequence, so every prefix
    /// of the data set has close to the requested fractions.</summary>
    public Split SplitOf(int patientIndex)
    {
        double u = patientIndex * Golden;
        u -= Math.Floor(u);
        return u < Options.TrainFraction ? Split.Train : u < Options.TrainFraction + Options.ValFraction ? Split.Val : Split.Test;
    }

    /// <summary>Generates patient <paramref name="patientIndex"/> in the given domain (deterministic).</summary>
    public PhantomCase Generate(int patientIndex, Domain domain) => Generate(patientIndex, domain, keepMaps: false).Case;

    internal (PhantomCase Case, RenderResult Render) Generate(int patientIndex, Domain domain, bool keepMaps)
    {
        if (patientIndex < 0) throw new PhantomException($"Patient index {patientIndex} is negative.");
        ulong seed = Options.Seed;
        int size = Options.Size;
        Anatomy a = Anatomy.Sample(new DetRandom(seed, patientIndex, RandomStream.Anatomy));
        Pathology? p = domain == Domain.Opacity ? Pathology.Sample(a, new DetRandom(seed, patientIndex, RandomStream.Pathology), Options) : null;
        RenderResult rr = Renderer.Render(a, p, size, seed, patientIndex, keepMaps);

        var noiseRng = new DetRandom(seed, patientIndex, RandomStream.Noise);
        var noise = new double[size * size];
        for (int i = 0; i < noise.Length; i++) noise[i] = noiseRng.Normal();
        var imaging = new Imaging(new DetRandom(seed, patientIndex, RandomStream.Imaging), size, Options);
        var clear = new float[size * size];
        float[]? opacity = p == null ? null : new float[size * size];
        imaging.Develop(rr.PrimaryClear, rr.PrimaryOpacity, noise, clear, opacity);

        var c = new PhantomCase
        {
            PatientId = patientIndex,
            Domain = domain,
            Split = SplitOf(patientIndex),
            Size = size,
            Image = opacity ?? clear,
            PairedClear = opacity == null ? null : clear,
            LungMask = rr.LungMask,
            OpacityMask = rr.OpacityMask,
            Labels = p?.Kinds ?? OpacityKinds.None,
        };
        return (c, rr);
    }

    /// <summary>Patients 0..count-1 in order, generated lazily (one at a time).</summary>
    public IEnumerable<PhantomCase> GenerateDataset(int count)
    {
        if (count <= 0) throw new PhantomException($"Count {count} must be positive.");
        for (int i = 0; i < count; i++)
            yield return Generate(i, DomainOf(i));
    }

    /// <summary>Patients [first, first + count) generated in parallel; results in patient order.</summary>
    public PhantomCase[] GenerateBatch(int first, int count, int maxDegreeOfParallelism = -1)
    {
        if (count <= 0) throw new PhantomException($"Count {count} must be positive.");
        var cases = new PhantomCase[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            j => cases[j] = Generate(first + j, DomainOf(first + j)));
        return cases;
    }
}
