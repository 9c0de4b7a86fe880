// CycleGAN's image pool (Shrivastava et al. 2017): the discriminator sees a mix of the newest fakes
// and up to PoolSize older ones. While the pool is filling, each fake is stored and returned; once
// full, with probability 1/2 a stored fake is returned in its place (and the new one stored), else the
// new one is returned. PoolSize 0 disables the pool. The random draws come from the Rng the caller
// passes (the trainer derives it from seed and step, so a resumed run draws the same). The stored
// images are part of the checkpoint (Snapshot / Restore); they live on the pool's device (the training
// device), and Restore copies saved (CPU) images onto it. Tested by ImagePoolTests and GanTrainerDeviceTests.
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

public sealed class ImagePool(int poolSize, Device device = default)
{
    private readonly List<Tensor> _images = [];

    public int PoolSize { get; } = poolSize;
    /// <summary>Where the stored images live (the fakes it is given are on this device too).</summary>
    public Device Device { get; } = device;
    public int Count => _images.Count;

    /// <summary>Returns a batch (same shape as <paramref name="images"/>, detached) to feed the discriminator.</summary>
    public Tensor Query(Tensor images, Rng rng)
    {
        Tensor detached = images.Detach();
        if (PoolSize == 0) return detached;
        int n = images.Shape[0];
        var chosen = new List<Tensor>(n);
        for (int i = 0; i < n; i++)
        {
            Tensor img = F.Slice(detached, 0, i, 1);
            if (_images.Count < PoolSize)
            {
                _images.Add(TensorScope.Untracked(img.Clone));
                chosen.Add(img);
            }
            else if (rng.NextDouble() > 0.5)
            {
                int j = rng.NextInt(PoolSize);
                Tensor old = _images[j];
                chosen.Add(old.Clone());               // a scope-owned copy: the pool keeps its own
                _images[j] = TensorScope.Untracked(img.Clone);
                old.Dispose();
            }
            else
            {
                chosen.Add(img);
            }
        }
        return n == 1 ? chosen[0] : F.Concat(chosen, 0);
    }

    /// <summary>The stored images in order (for checkpoints).</summary>
    public IReadOnlyList<Tensor> Snapshot() => _images;

    /// <summary>Replaces the contents with copies of <paramref name="images"/> on the pool's device.</summary>
    public void Restore(IEnumerable<Tensor> images)
    {
        foreach (Tensor t in _images) t.Dispose();
        _images.Clear();
        foreach (Tensor t in images) _images.Add(TensorScope.Untracked(() => t.Device == Device ? t.Clone() : t.To(Device)));
    }
}
