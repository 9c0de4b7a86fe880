// The unpaired training data: opacity-domain and clear-domain images from different patients (the train
// split only), each size*size in [0, 1]. Batches are drawn in a per-epoch permutation derived from
// (seed, epoch) by SeedMix, independently per domain, so batch k is a pure function of seed and k.
// FromPhantomFolder turns an empty or one-domain folder, or a size mismatch, into one sentence.
// Tested by TrainerTests and the CLI bad-input tests.
using Opacity.Gan.Data;
using Opacity.Gan.Data.Phantoms;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public sealed class UnpairedData
{
    private readonly IReadOnlyList<float[]> _a, _b;
    private readonly ulong _seed;
    private readonly Dictionary<(int Stream, long Epoch), int[]> _perms = [];

    public UnpairedData(IReadOnlyList<float[]> opacity, IReadOnlyList<float[]> clear, int size, ulong seed)
    {
        if (opacity.Count == 0 || clear.Count == 0)
            throw new TrainingException($"Training needs images of both domains; got {opacity.Count} opacity and {clear.Count} clear images.");
        foreach (float[] img in opacity.Concat(clear))
            if (img.Length != size * size) throw new TrainingException($"An image has {img.Length} pixels but the training size is {size}x{size}.");
        _a = opacity; _b = clear; _seed = seed; Size = size;
    }

    public int Size { get; }
    public int OpacityCount => _a.Count;
    public int ClearCount => _b.Count;
    public float[] FirstOpacity => _a[0];

    /// <summary>The train split of a phantom folder written by `opacity synth`, checked against <paramref name="size"/>.</summary>
    public static UnpairedData FromPhantomFolder(string dir, int size, ulong seed)
    {
        if (!Directory.Exists(dir)) throw new TrainingException($"Data folder '{dir}' does not exist.");
        if (!File.Exists(Path.Combine(dir, PhantomManifest.FileName))) throw new TrainingException($"Data folder '{dir}' is empty: it has no {PhantomManifest.FileName}.");
        List<PhantomCase> cases;
        try { cases = PhantomDataset.Read(dir, Split.Train).ToList(); }
        catch (PhantomException e) { throw new TrainingException(e.Message, e); }
        if (cases.Count == 0) throw new TrainingException($"Data folder '{dir}' has no train-split images.");
        if (cases[0].Size != size) throw new TrainingException($"Data folder '{dir}' holds {cases[0].Size} px images but --size is {size}.");
        var a = cases.Where(c => c.Domain == Domain.Opacity).Select(c => c.Image).ToList();
        var b = cases.Where(c => c.Domain == Domain.Clear).Select(c => c.Image).ToList();
        if (a.Count == 0 || b.Count == 0)
            throw new TrainingException($"Data folder '{dir}' has only one domain in its train split ({a.Count} opacity, {b.Count} clear images); unpaired training needs both.");
        return new UnpairedData(a, b, size, seed);
    }

    /// <summary>The (batch, 1, S, S) tensors in [-1, 1] for step <paramref name="step"/>.</summary>
    public (Tensor A, Tensor B) Batch(long step, int batchSize)
    {
        var a = new float[batchSize][];
        var b = new float[batchSize][];
        for (int i = 0; i < batchSize; i++)
        {
            long k = step * batchSize + i;
            a[i] = _a[Pick(0, k, _a.Count)];
            b[i] = _b[Pick(1, k, _b.Count)];
        }
        return (ImageTensors.FromImages(a, Size), ImageTensors.FromImages(b, Size));
    }

    private int Pick(int stream, long k, int n)
    {
        long epoch = k / n;
        if (!_perms.TryGetValue((stream, epoch), out int[]? perm))
        {
            if (_perms.Count > 8) _perms.Clear();
            perm = Enumerable.Range(0, n).ToArray();
            var rng = new Rng(SeedMix.Of(_seed, epoch, 200 + stream));
            for (int i = n - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (perm[i], perm[j]) = (perm[j], perm[i]); }
            _perms[(stream, epoch)] = perm;
        }
        return perm[(int)(k % n)];
    }
}
