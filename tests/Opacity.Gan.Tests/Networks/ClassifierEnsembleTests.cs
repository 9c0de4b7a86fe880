// The CDAM classifier ensemble: mean logit, every member's features in member order, mean CAM, the
// gradient to the input as the mean of the members' gradients, frozen members; and the feature losses
// averaged over members.
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Gan.Tests.Networks;

[TestFixture]
public sealed class ClassifierEnsembleTests
{
    private static OpacityClassifier[] Members(int count)
    {
        var members = Enumerable.Range(0, count).Select(i => new OpacityClassifier(ClassifierKind.ResNet, width: 4, rng: new Rng(40 + (ulong)i))).ToArray();
        foreach (var m in members) m.Eval();
        return members;
    }

    [Test]
    public void Logit_is_the_mean_and_features_are_every_members_in_order()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        OpacityClassifier[] members = Members(3);
        var ensemble = new ClassifierEnsemble(members);
        T x = T.Randn(new Shape(2, 1, 32, 32), 7);
        ClassifierOutput o = ensemble.Classify(x);
        ClassifierOutput[] each = members.Select(m => m.Classify(x)).ToArray();
        float[] logit = o.Logit.ToArray();
        for (int n = 0; n < 2; n++)
            Assert.That(logit[n], Is.EqualTo(each.Average(e => e.Logit.ToArray()[n])).Within(1e-5));
        Assert.That(o.Members, Is.EqualTo(3));
        Assert.That(o.Features, Has.Count.EqualTo(9));
        for (int m = 0; m < 3; m++)
            for (int l = 0; l < 3; l++)
                Assert.That(o.Features[3 * m + l].ToArray(), Is.EqualTo(each[m].Features[l].ToArray()), $"member {m}, depth {l}");
        Assert.That(ensemble.Forward(x).ToArray(), Is.EqualTo(logit));
    }

    [Test]
    public void One_member_is_that_classifier()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        OpacityClassifier[] members = Members(1);
        T x = T.Randn(new Shape(1, 1, 32, 32), 8);
        ClassifierOutput o = new ClassifierEnsemble(members).Classify(x);
        Assert.That(o.Logit.ToArray(), Is.EqualTo(members[0].Classify(x).Logit.ToArray()));
        Assert.That(o.Members, Is.EqualTo(1));
        Assert.Throws<ArgumentException>(() => _ = new ClassifierEnsemble([]));
    }

    [Test]
    public void Activation_map_is_the_mean_of_the_members_maps()
    {
        using var scope = TensorScope.Begin();
        OpacityClassifier[] members = Members(2);
        T x = T.Randn(new Shape(2, 1, 32, 32), 9);
        float[] cam = new ClassifierEnsemble(members).ActivationMap(x).ToArray();
        float[] a = members[0].ActivationMap(x).ToArray(), b = members[1].ActivationMap(x).ToArray();
        for (int i = 0; i < cam.Length; i++) Assert.That(cam[i], Is.EqualTo((a[i] + b[i]) / 2).Within(1e-6));
        Assert.That(cam.All(v => v is >= 0 and <= 1));
    }

    [Test]
    public void Frozen_ensemble_passes_the_mean_gradient_to_the_input_and_none_to_its_members()
    {
        OpacityClassifier[] members = Members(2);
        var ensemble = new ClassifierEnsemble(members);
        ensemble.Eval();
        ensemble.SetRequiresGrad(false);
        Assert.That(members.SelectMany(m => m.Parameters()).All(p => !p.Value.RequiresGrad), "freezing the ensemble freezes its members");
        float[] Grad(Func<T, T> logit)
        {
            using var scope = TensorScope.Begin();
            T x = T.Randn(new Shape(2, 1, 32, 32), 10).RequireGrad();
            logit(x).Sum().Backward();
            return x.Grad!.ToArray();
        }
        float[] g = Grad(x => ensemble.Classify(x).Logit);
        float[] g0 = Grad(x => members[0].Classify(x).Logit), g1 = Grad(x => members[1].Classify(x).Logit);
        Assert.That(g.Any(v => v != 0));
        for (int i = 0; i < g.Length; i++) Assert.That(g[i], Is.EqualTo((g0[i] + g1[i]) / 2).Within(1e-5 + 1e-4 * Math.Abs(g[i])));
        Assert.That(members.SelectMany(m => m.Parameters()).All(p => p.Grad is null));
    }

    [Test]
    public void Feature_losses_average_over_members_with_weights_per_depth()
    {
        using var scope = TensorScope.Begin();
        // two members, two depths each; every map 1x1x2x2; differences 1, 2 (member 1) and 3, 4 (member 2)
        T Const(float v) => T.Full(new Shape(1, 1, 2, 2), v);
        T zero = Const(0);
        T[] translated = [Const(1), Const(2), Const(3), Const(4)];
        T[] reference = [zero, zero, zero, zero];
        // weights per depth (1, 10): member 1 gives 1 + 20, member 2 gives 3 + 40; the mean is 32
        Assert.That(CdamLosses.FeatureF1(translated, reference, null, [1.0, 10.0], members: 2).Item(), Is.EqualTo(32).Within(1e-5));
        Assert.That(CdamLosses.FeatureF2(translated, reference, [1.0, 10.0], members: 2).Item(), Is.EqualTo(32).Within(1e-5));
        // one member with four depths is the plain sum: 1 + 2 + 3 + 4
        Assert.That(CdamLosses.FeatureF1(translated, reference, null, null).Item(), Is.EqualTo(10).Within(1e-5));
        var e = Assert.Throws<TrainingException>(() => CdamLosses.FeatureF1(translated, reference, null, null, members: 3));
        Assert.That(e!.Message, Does.Contain("4 feature maps cannot be split evenly among 3 classifiers"));
    }
}
