// The saliency map of the opacity class (ClassifierSaliency): against a linear classifier whose input
// gradient is known exactly (a positive delta becomes the Gaussian exp(-d^2 / 2 sigma^2) after blur and
// max-normalisation; a negative one vanishes), against finite differences of a real frozen classifier,
// per-image in a batch, the gradient-mode precondition, the blur itself, and the ensemble's mean of members.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Gan.Tests.Networks;

[TestFixture]
public sealed class ClassifierSaliencyTests
{
    /// <summary>logit = sum(W x): the input gradient is W.</summary>
    private sealed class LinearClassifier(float[] weights, int size) : Module, IOpacityClassifier
    {
        private readonly T _w = T.FromArray(weights, 1, 1, size, size);
        public override T Forward(T x) => Classify(x).Logit;
        public ClassifierOutput Classify(T images) => new(F.Sum(images * _w, [1, 2, 3], keepDims: false).Reshape(images.Shape[0], 1), [images]);
        public T ActivationMap(T images) => throw new NotSupportedException();
    }

    private static OpacityClassifier Frozen(ulong seed)
    {
        var c = new OpacityClassifier(ClassifierKind.ResNet, width: 4, rng: new Rng(seed));
        c.Eval();
        c.SetRequiresGrad(false);
        return c;
    }

    [Test]
    public void A_positive_gradient_at_one_pixel_becomes_a_normalised_gaussian_and_a_negative_one_vanishes()
    {
        using var scope = TensorScope.Begin();
        const int size = 32;
        var w = new float[size * size];
        w[12 * size + 20] = 3f;           // raises the logit: salient
        w[25 * size + 5] = -7f;           // lowers it: not a pixel to remove
        T map = ClassifierSaliency.Map(new LinearClassifier(w, size), T.Randn(new Shape(1, 1, size, size), 3));
        Assert.That(map.Shape.ToArray(), Is.EqualTo(new[] { 1, 1, size, size }));
        float[] m = map.ToArray();
        double sigma = ClassifierSaliency.Sigma(size);
        Assert.That(sigma, Is.EqualTo(1.0));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int dy = y - 12, dx = x - 20;
                double expected = Math.Abs(dy) <= 3 && Math.Abs(dx) <= 3 ? Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) : 0;
                Assert.That(m[y * size + x], Is.EqualTo(expected).Within(1e-6), $"({y}, {x})");
            }
    }

    [Test]
    public void Matches_the_blurred_positive_finite_difference_gradient_of_a_real_classifier()
    {
        using var scope = TensorScope.Begin();
        const int size = 16;
        OpacityClassifier c = Frozen(5);
        T x = T.Randn(new Shape(1, 1, size, size), 11);
        float[] got = ClassifierSaliency.Map(c, x).ToArray();
        // central differences of the logit, one pixel at a time (float32 network: a step of 1e-3 keeps clear of the ReLU kinks)
        float[] xs = x.ToArray();
        var fd = new float[xs.Length];
        using (GradMode.NoGrad())
            for (int i = 0; i < xs.Length; i++)
            {
                float keep = xs[i];
                xs[i] = keep + 1e-3f; double up = c.Classify(T.FromArray(xs, 1, 1, size, size)).Logit.ToArrayF64()[0];
                xs[i] = keep - 1e-3f; double down = c.Classify(T.FromArray(xs, 1, 1, size, size)).Logit.ToArrayF64()[0];
                xs[i] = keep;
                fd[i] = (float)Math.Max((up - down) / 2e-3, 0);
            }
        ClassifierSaliency.GaussianBlur(fd, new float[fd.Length], size, size, ClassifierSaliency.Sigma(size));
        float max = fd.Max();
        Assert.That(max, Is.GreaterThan(0));
        for (int i = 0; i < fd.Length; i++) Assert.That(got[i], Is.EqualTo(fd[i] / max).Within(0.03), $"pixel {i}");
        Assert.That(c.Parameters().All(p => p.Value.Grad is null), "a frozen classifier gets no gradients");
    }

    [Test]
    public void Each_image_of_a_batch_gets_its_own_map_in_zero_one()
    {
        using var scope = TensorScope.Begin();
        OpacityClassifier c = Frozen(6);
        T a = T.Randn(new Shape(1, 1, 32, 32), 1), b = T.Randn(new Shape(1, 1, 32, 32), 2);
        float[] both = ClassifierSaliency.Map(c, F.Concat([a, b], 0)).ToArray();
        float[] ma = ClassifierSaliency.Map(c, a).ToArray(), mb = ClassifierSaliency.Map(c, b).ToArray();
        Assert.That(both, Is.EqualTo(ma.Concat(mb).ToArray()).Within(1e-5));
        Assert.That(both.All(v => v is >= 0 and <= 1));
        Assert.That(ma.Max(), Is.EqualTo(1f), "normalised by its maximum");
    }

    [Test]
    public void Inside_no_grad_it_refuses_with_one_sentence()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var e = Assert.Throws<InvalidOperationException>(() => ClassifierSaliency.Map(Frozen(7), T.Randn(new Shape(1, 1, 16, 16), 1)));
        Assert.That(e!.Message, Does.Contain("NoGrad"));
    }

    [Test]
    public void Blur_keeps_a_constant_plane_and_the_mass_of_an_interior_spot()
    {
        const int h = 20, w = 24;
        var flat = Enumerable.Repeat(0.7f, h * w).ToArray();
        ClassifierSaliency.GaussianBlur(flat, new float[h * w], h, w, 2.0);
        Assert.That(flat, Is.All.EqualTo(0.7f).Within(1e-6), "edges are clamped, not zero-padded");
        var spot = new float[h * w];
        spot[10 * w + 12] = 1f;
        ClassifierSaliency.GaussianBlur(spot, new float[h * w], h, w, 2.0);
        Assert.That(spot.Sum(), Is.EqualTo(1.0).Within(1e-5));
        Assert.That(spot[10 * w + 12], Is.EqualTo(spot.Max()));
        Assert.That(spot[10 * w + 10], Is.EqualTo(spot[10 * w + 14]).Within(1e-7), "symmetric");
    }

    [Test]
    public void Ensemble_map_is_the_mean_of_the_members_maps()
    {
        using var scope = TensorScope.Begin();
        OpacityClassifier[] members = [Frozen(8), Frozen(9)];
        T x = T.Randn(new Shape(2, 1, 32, 32), 4);
        IOpacityClassifier ensemble = new ClassifierEnsemble(members);
        float[] got = ensemble.SaliencyMap(x).ToArray();
        float[] a = ((IOpacityClassifier)members[0]).SaliencyMap(x).ToArray(), b = ((IOpacityClassifier)members[1]).SaliencyMap(x).ToArray();
        for (int i = 0; i < got.Length; i++) Assert.That(got[i], Is.EqualTo((a[i] + b[i]) / 2).Within(1e-6));
    }
}
