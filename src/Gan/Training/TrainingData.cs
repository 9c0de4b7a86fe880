// Phantom cases for the classifier and segmenter trainers: in memory from PhantomGenerator or from a folder
// written by `opacity synth` (PhantomDataset), optionally reduced to a smaller size by an integer box
// filter (images: mean, masks: majority), and turned into augmented mini-batches. Augmentation is a
// random shift (edge-replicated, at most size/16 pixels) and a mild contrast/brightness jitter; never a
// horizontal flip (METHOD.md: it breaks cardiac laterality). Bad input throws TrainingException, one
// sentence. Tested by TrainerTests.
using Opacity.Gan.Data;
using Opacity.Gan.Data.Phantoms;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class TrainingData
{
    /// <summary>Patients [first, first + count) of a phantom data set generated in memory at <paramref name="size"/>.</summary>
    public static PhantomCase[] Synthesize(int count, int size, ulong seed, int first = 0) => Synthesize(count, new PhantomOptions { Size = size, Seed = seed }, first);

    /// <summary>Patients [first, first + count) of a phantom data set with the given options.</summary>
    public static PhantomCase[] Synthesize(int count, PhantomOptions options, int first = 0)
    {
        if (count <= 0) throw new TrainingException($"--synth {count} must be positive.");
        try
        {
            return new PhantomGenerator(options).GenerateBatch(first, count);
        }
        catch (PhantomException e)
        {
            throw new TrainingException(e.Message, e);
        }
    }

    /// <summary>All cases of a phantom folder, reduced to <paramref name="size"/> (null: keep the folder's size).</summary>
    public static List<PhantomCase> LoadFolder(string dir, int? size)
    {
        List<PhantomCase> cases;
        try
        {
            cases = PhantomDataset.Load(dir);
        }
        catch (PhantomException e)
        {
            throw new TrainingException(e.Message, e);
        }
        if (cases.Count == 0) throw new TrainingException($"Phantom folder '{dir}' has no images.");
        int native = cases[0].Size;
        int target = size ?? native;
        if (target > native || native % target != 0)
            throw new TrainingException($"Size {target} px does not divide the {native} px images of '{dir}' (use {native} or an integer fraction of it).");
        return target == native ? cases : cases.Select(c => Resize(c, target)).ToList();
    }

    /// <summary>Checks that the set has both domains (the classifier needs opacity and clear examples).</summary>
    public static void RequireBothDomains(IReadOnlyCollection<PhantomCase> cases, string what)
    {
        int opacity = cases.Count(c => c.Domain == Domain.Opacity);
        if (opacity == 0 || opacity == cases.Count)
            throw new TrainingException($"{what} has only {(opacity == 0 ? "clear" : "opacity")} images ({cases.Count}); the classifier needs both domains.");
    }

    /// <summary>Box-filter reduction by an integer factor: image pixels averaged, mask pixels by majority.</summary>
    public static PhantomCase Resize(PhantomCase c, int size)
    {
        int f = c.Size / size;
        if (f * size != c.Size) throw new TrainingException($"Size {size} px does not divide the {c.Size} px image of patient {c.PatientId}.");
        if (f == 1) return c;
        return new PhantomCase
        {
            PatientId = c.PatientId, Domain = c.Domain, Split = c.Split, Size = size, Labels = c.Labels,
            Image = Box(c.Image, c.Size, f),
            PairedClear = c.PairedClear is null ? null : Box(c.PairedClear, c.Size, f),
            LungMask = Majority(c.LungMask, c.Size, f),
            OpacityMask = Majority(c.OpacityMask, c.Size, f),
        };
    }

    private static float[] Box(float[] src, int n, int f)
    {
        int m = n / f;
        var dst = new float[m * m];
        for (int y = 0; y < m; y++)
            for (int x = 0; x < m; x++)
            {
                double s = 0;
                for (int dy = 0; dy < f; dy++)
                    for (int dx = 0; dx < f; dx++) s += src[(y * f + dy) * n + x * f + dx];
                dst[y * m + x] = (float)(s / (f * f));
            }
        return dst;
    }

    private static bool[] Majority(bool[] src, int n, int f)
    {
        int m = n / f;
        var dst = new bool[m * m];
        for (int y = 0; y < m; y++)
            for (int x = 0; x < m; x++)
            {
                int on = 0;
                for (int dy = 0; dy < f; dy++)
                    for (int dx = 0; dx < f; dx++) on += src[(y * f + dy) * n + x * f + dx] ? 1 : 0;
                dst[y * m + x] = 2 * on >= f * f;
            }
        return dst;
    }

    /// <summary>A mini-batch of <paramref name="indices"/>: images (N, 1, S, S) in [-1, 1] and the lung masks
    /// (N, 1, S, S) of 0/1, with the same random shift applied to both when <paramref name="rng"/> is given.</summary>
    public static (Tensor Images, Tensor LungMasks) Batch(IReadOnlyList<PhantomCase> cases, IReadOnlyList<int> indices, Rng? rng)
        => Batch(cases, indices, rng, c => c.LungMask);

    /// <summary>As <see cref="Batch(IReadOnlyList{PhantomCase}, IReadOnlyList{int}, Rng?)"/>, with the masks that
    /// <paramref name="mask"/> picks from each case (the lesion-map judge trains on the opacity masks).</summary>
    public static (Tensor Images, Tensor Masks) Batch(IReadOnlyList<PhantomCase> cases, IReadOnlyList<int> indices, Rng? rng, Func<PhantomCase, bool[]> mask)
    {
        int size = cases[indices[0]].Size;
        var images = new List<float[]>(indices.Count);
        var masks = new List<bool[]>(indices.Count);
        foreach (int i in indices)
        {
            PhantomCase c = cases[i];
            if (rng is null) { images.Add(c.Image); masks.Add(mask(c)); continue; }
            ClassifierView v = ClassifierView.Draw(rng, size);
            float[] img = Shift(c.Image, size, v.ShiftX, v.ShiftY);
            for (int j = 0; j < img.Length; j++) img[j] = Math.Clamp(v.OnUnitRange(img[j]), 0f, 1f);
            images.Add(img);
            masks.Add(Shift(mask(c), size, v.ShiftX, v.ShiftY));
        }
        return (ImageTensors.FromImages(images, size), ImageTensors.FromMasks(masks, size));
    }

    private static T[] Shift<T>(T[] src, int n, int sx, int sy)
    {
        var dst = new T[n * n];
        for (int y = 0; y < n; y++)
        {
            int yy = Math.Clamp(y - sy, 0, n - 1);
            for (int x = 0; x < n; x++) dst[y * n + x] = src[yy * n + Math.Clamp(x - sx, 0, n - 1)];
        }
        return dst;
    }

    /// <summary>Draws <paramref name="count"/> indices from a shuffled pass over [0, n), reshuffling after each pass (epochs).</summary>
    internal sealed class Sampler(int n, Rng rng)
    {
        private readonly int[] _order = Enumerable.Range(0, n).ToArray();
        private int _next = n;

        public int[] Next(int count)
        {
            var batch = new int[count];
            for (int k = 0; k < count; k++)
            {
                if (_next == _order.Length)
                {
                    for (int i = _order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (_order[i], _order[j]) = (_order[j], _order[i]); }
                    _next = 0;
                }
                batch[k] = _order[_next++];
            }
            return batch;
        }
    }
}
