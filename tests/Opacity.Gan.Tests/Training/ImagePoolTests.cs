// ImagePool: fills to its size returning the new fakes, then swaps about half the time; size 0 is a
// pass-through; Snapshot/Restore round-trips the stored images.
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Tests.Training;

public sealed class ImagePoolTests
{
    private static Tensor Img(float v) => Tensor.Full(new Shape(1, 1, 2, 2), v);

    [Test]
    public void Fills_first_then_returns_old_fakes_about_half_the_time()
    {
        using var scope = TensorScope.Begin();
        var pool = new ImagePool(4);
        var rng = new Rng(3);
        for (int i = 0; i < 4; i++)
            Assert.That(pool.Query(Img(i), rng).ToArray()[0], Is.EqualTo(i), "while filling, the new fake is returned");
        Assert.That(pool.Count, Is.EqualTo(4));
        int old = 0;
        const int trials = 400;
        for (int i = 0; i < trials; i++)
        {
            float v = 100 + i;
            if (pool.Query(Img(v), rng).ToArray()[0] != v) old++;
        }
        Assert.That(pool.Count, Is.EqualTo(4));
        Assert.That(old / (double)trials, Is.InRange(0.42, 0.58), "CycleGAN swaps with probability 1/2");
    }

    [Test]
    public void Size_zero_passes_through_and_batches_keep_their_shape()
    {
        using var scope = TensorScope.Begin();
        var rng = new Rng(1);
        Assert.That(new ImagePool(0).Query(Img(5), rng).ToArray()[0], Is.EqualTo(5));
        var pool = new ImagePool(2);
        Tensor batch = Tensor.Randn(new Shape(3, 1, 2, 2), 9);
        Assert.That(pool.Query(batch, rng).Shape, Is.EqualTo(batch.Shape));
        Assert.That(pool.Query(batch.RequireGrad(), rng).RequiresGrad, Is.False, "fakes for D are detached");
    }

    [Test]
    public void Snapshot_and_restore_round_trip()
    {
        using var scope = TensorScope.Begin();
        var pool = new ImagePool(3);
        var rng = new Rng(2);
        for (int i = 0; i < 3; i++) pool.Query(Img(i), rng);
        var copy = new ImagePool(3);
        copy.Restore(pool.Snapshot());
        Assert.That(copy.Snapshot().Select(t => t.ToArray()[0]), Is.EqualTo(new[] { 0f, 1f, 2f }));
        // same draws from the same state
        Tensor a = pool.Query(Img(50), new Rng(11)), b = copy.Query(Img(50), new Rng(11));
        Assert.That(a.ToArray(), Is.EqualTo(b.ToArray()));
        Assert.That(copy.Snapshot().Select(t => t.ToArray()[0]), Is.EqualTo(pool.Snapshot().Select(t => t.ToArray()[0])));
    }
}
