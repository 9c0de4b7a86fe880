// Several frozen opacity classifiers acting as one CDAM classifier Phi (METHOD.md's Phi is one network;
// the ensemble is our option). Why: the label term BCE(p(G(x_o)), 0) only pulls while Phi still sees
// the opacity, and one small classifier trained for a minute sees it unevenly: what G learns to remove
// swung with the classifier's seed (on the demo's phantoms 11-38 % of translations still called
// "opacity" by the separate evaluation classifier over three seeds). A translation that must convince
// every member at once has to remove what they agree on, not what one of them happens to key on, the
// same reason adversarial examples made against an ensemble transfer to unseen models
// (bench/results/amd-epyc-2core/method.md has the sweep).
//   Logit:    the mean of the members' logits (the ensemble is again a classifier with one logit).
//   Features: member 1's depths (shallow to deep), then member 2's, ...; ClassifierOutput.Members says how
//             many groups there are, and CdamLosses averages the feature term over them.
//   CAM:      the mean of the members' normalised maps (each in [0, 1], so the mean is too).
//   Saliency: the same, the mean of the members' maps (measured: pixel AUC against the true opacity 0.84
//             vs 0.83 for the gradient of the mean logit, whose scale one member can dominate).
// The members keep their own weights: freezing the ensemble (Eval, SetRequiresGrad(false)) freezes them.
// Tested by ClassifierEnsembleTests (logit, features, CAM, gradient to the input, frozen members).
using Opacity.Nn;
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

public sealed class ClassifierEnsemble : Module, IOpacityClassifier
{
    private readonly OpacityClassifier[] _members;

    public ClassifierEnsemble(IReadOnlyList<OpacityClassifier> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("A classifier ensemble needs at least one member.", nameof(members));
        _members = [.. members];
        for (int i = 0; i < _members.Length; i++) AddModule($"member{i + 1}", _members[i]);
    }

    public IReadOnlyList<OpacityClassifier> Members => _members;

    public override Tensor Forward(Tensor x) => Classify(x).Logit;

    /// <summary>Mean logit (N, 1); every member's feature maps, member by member.</summary>
    public ClassifierOutput Classify(Tensor images)
    {
        var features = new List<Tensor>();
        Tensor? logitSum = null;
        foreach (OpacityClassifier m in _members)
        {
            ClassifierOutput o = m.Classify(images);
            logitSum = logitSum is null ? o.Logit : logitSum + o.Logit;
            features.AddRange(o.Features);
        }
        return new ClassifierOutput(logitSum! * (1.0 / _members.Length), features) { Members = _members.Length };
    }

    /// <summary>The mean of the members' class activation maps, (N, 1, H, W) in [0, 1], no gradient.</summary>
    public Tensor ActivationMap(Tensor images)
    {
        Tensor sum = _members[0].ActivationMap(images);
        for (int i = 1; i < _members.Length; i++) sum = sum + _members[i].ActivationMap(images);
        return sum * (1.0 / _members.Length);
    }

    /// <summary>The mean of the members' saliency maps, (N, 1, H, W) in [0, 1], no gradient.</summary>
    public Tensor SaliencyMap(Tensor images)
    {
        Tensor sum = ClassifierSaliency.Map(_members[0], images);
        for (int i = 1; i < _members.Length; i++) sum = sum + ClassifierSaliency.Map(_members[i], images);
        return sum * (1.0 / _members.Length);
    }
}
