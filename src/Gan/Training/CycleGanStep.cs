// One optimisation step of the masked CycleGAN with CDAM, mirroring CycleGAN's optimize_parameters:
// Forward() translates both ways, BackwardG() builds the generator objective of METHOD.md with D
// frozen, BackwardD() trains both discriminators on real vs pooled fakes; Step() runs the three.
// Domains: A = opacity (O), B = clear (N). G_AB = G (O -> N, the one that matters), G_BA = F (N -> O).
// D_A = D_O judges opacity images, D_B = D_N judges clear ones. Adversarial losses are least squares.
// The classifier (CDAM) is frozen for good in the constructor (Eval + SetRequiresGrad(false)), yet the
// gradient of the CDAM losses flows through it into G's output. Loss values of the last step are kept
// as doubles in Losses (name -> value) for logging and the NaN guard, read from the device once after each
// backward pass (not once per loss: on a GPU every read is a synchronisation). Options: the CAM (or saliency) prior
// adds lambda_cam |M - M_cam|_1 on G's mask ("MaskCam"); CycleScope.OutsideMask weights the opacity domain's cycle
// term by 1 - M (detached); ClassifierViewing.Jittered shows the classifier every CDAM image (and the mask
// F1 weighs by) through the step's one random ClassifierView; GeneratorAverageDecay > 0 keeps a moving average
// of G_AB's weights (GeneratorAverage), updated after each G step.
// Tested by GanStepTests (frozen classifier, gradient through it, ablation flags, finite losses) and MaskOptionsTests.
using Opacity.Gan.Networks;
using Opacity.Nn;
using Opacity.Nn.Losses;
using Opacity.Nn.Optim;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Training;

public sealed class CycleGanStep
{
    private readonly GanOptions _o;
    private readonly IOpacityClassifier? _classifier;
    private Tensor _realA = null!, _realB = null!;
    private Translation _fakeB = null!, _fakeA = null!;
    private Tensor _recA = null!, _recB = null!;
    private ClassifierOutput? _realAOutput, _realBOutput;   // RealOutput's cache, reset by each BackwardG
    private readonly List<(string Name, Tensor Loss)> _recorded = [];

    public CycleGanStep(GanNetworks nets, GanOptions options, IOpacityClassifier? classifier)
    {
        _o = options;
        Nets = nets;
        if (options.NeedsClassifier && classifier is null)
            throw new TrainingException(options.UseLabel || options.UseFeature ? $"The {options.Ablation} ablation uses CDAM and needs a classifier; none was given." : $"The {(options.MaskPrior == MaskPrior.SaliencyTarget ? "saliency" : "CAM")} mask prior needs the frozen classifier; none was given.");
        _classifier = options.NeedsClassifier ? classifier : null;
        if (_classifier is Module m) { m.Eval(); m.SetRequiresGrad(false); m.To(nets.Device); }   // permanently frozen, on the networks' device
        OptimizerG = new Adam(nets.GAB.Parameters().Concat(nets.GBA.Parameters()), options.LearningRate, options.Beta1, options.Beta2);
        OptimizerD = new Adam(nets.DA.Parameters().Concat(nets.DB.Parameters()), options.LearningRate, options.Beta1, options.Beta2);
        GeneratorAverage = options.GeneratorAverageDecay > 0 ? new WeightAverage(nets.GAB, options.GeneratorAverageDecay) : null;
        PoolA = new ImagePool(options.PoolSize, nets.Device);
        PoolB = new ImagePool(options.PoolSize, nets.Device);
    }

    public GanNetworks Nets { get; }
    public Adam OptimizerG { get; }
    public Adam OptimizerD { get; }
    /// <summary>The moving average of G_AB's weights (GanOptions.GeneratorAverageDecay > 0), updated after each G step; else null.</summary>
    public WeightAverage? GeneratorAverage { get; }
    /// <summary>Pool of fake opacity images F(b) for D_A, and of fake clear images G(a) for D_B.</summary>
    public ImagePool PoolA { get; }
    public ImagePool PoolB { get; }
    /// <summary>Every loss of the last step by name (LossG is the total generator objective).</summary>
    public Dictionary<string, double> Losses { get; } = [];
    /// <summary>Test hook: when set, the named loss is replaced by NaN in the next BackwardG.</summary>
    internal string? PoisonLoss { get; set; }

    /// <summary>How the classifier sees this step's images in the CDAM losses (identity unless ClassifierViewing.Jittered).</summary>
    public ClassifierView View { get; set; } = ClassifierView.Identity;

    /// <summary>The last step's translation G(a) (output, content, mask), valid until the step's scope ends.</summary>
    public Translation FakeB => _fakeB;

    /// <summary>One full step: G update with D frozen, then D update. Call inside a TensorScope.
    /// <paramref name="checkLosses"/> runs after each backward pass, before the optimiser step (the NaN guard);
    /// <paramref name="viewRng"/> draws the step's ClassifierView when the options ask for jittered views.</summary>
    public void Step(Tensor realA, Tensor realB, Rng poolRng, Action? checkLosses = null, Rng? viewRng = null)
    {
        View = _o.ClassifierViewing == ClassifierViewing.Jittered && viewRng is not null ? ClassifierView.Draw(viewRng, realA.Shape[3]) : ClassifierView.Identity;
        Forward(realA, realB);
        Nets.DA.SetRequiresGrad(false); Nets.DB.SetRequiresGrad(false);   // D frozen during the G update
        using (Profiler.Work("ZeroGrad G")) OptimizerG.ZeroGrad();
        BackwardG();
        checkLosses?.Invoke();
        using (Profiler.Work("Adam.Step G")) OptimizerG.Step();
        using (Profiler.Work("WeightAverage.Update")) GeneratorAverage?.Update();
        Nets.DA.SetRequiresGrad(true); Nets.DB.SetRequiresGrad(true);
        using (Profiler.Work("ZeroGrad D")) OptimizerD.ZeroGrad();
        BackwardD(poolRng);
        checkLosses?.Invoke();
        using (Profiler.Work("Adam.Step D")) OptimizerD.Step();
    }

    /// <summary>fake_B = G(a), rec_A = F(G(a)), fake_A = F(b), rec_B = G(F(b)).</summary>
    public void Forward(Tensor realA, Tensor realB)
    {
        _realA = realA; _realB = realB;
        _fakeB = Nets.GAB.Translate(realA);
        _recA = Nets.GBA.Forward(_fakeB.Output);
        _fakeA = Nets.GBA.Translate(realB);
        _recB = Nets.GAB.Forward(_fakeA.Output);
    }

    /// <summary>The generator objective L_G of METHOD.md; every term on its own line with its weight.</summary>
    public void BackwardG()
    {
        Losses.Clear();
        _realAOutput = _realBOutput = null;
        Tensor lossGAdvAB = Loss.LeastSquares(Nets.DB.Forward(_fakeB.Output), 1.0);                  // (D_N(G(a)) - 1)^2
        Tensor lossGAdvBA = Loss.LeastSquares(Nets.DA.Forward(_fakeA.Output), 1.0);                  // (D_O(F(b)) - 1)^2
        Tensor lossCycleA = CycleA() * _o.LambdaCycle;                                               // 10 |F(G(a)) - a|_1
        Tensor lossCycleB = Loss.L1(_recB, _realB) * _o.LambdaCycle;                                 // 10 |G(F(b)) - b|_1
        Tensor lossIdtA = Loss.L1(Nets.GAB.Forward(_realB), _realB) * _o.LambdaIdentity;             // 5 |G(b) - b|_1
        Tensor lossIdtB = Loss.L1(Nets.GBA.Forward(_realA), _realA) * _o.LambdaIdentity;             // 5 |F(a) - a|_1
        Tensor total = lossGAdvAB + lossGAdvBA + lossCycleA + lossCycleB + lossIdtA + lossIdtB;
        Record("GAdvAB", lossGAdvAB); Record("GAdvBA", lossGAdvBA); Record("CycleA", lossCycleA);
        Record("CycleB", lossCycleB); Record("IdtA", lossIdtA); Record("IdtB", lossIdtB);
        if (_o.UseMask && _fakeB.Mask is { } mB && _fakeA.Mask is { } mA)
        {
            Tensor lossMask = (MaskRegularizers.Sparsity(mB) + MaskRegularizers.Sparsity(mA)) * _o.LambdaMaskSparsity;    // 0.05 mean(M)
            Tensor lossTv = (MaskRegularizers.TotalVariation(mB) + MaskRegularizers.TotalVariation(mA)) * _o.LambdaMaskTv; // 1e-4 TV(M)
            total = total + lossMask + lossTv;
            Record("MaskSparsity", lossMask); Record("MaskTv", lossTv);
            if (_o.UseClassifierPrior && _classifier is not null)
            {
                Tensor prior = _o.MaskPrior == MaskPrior.SaliencyTarget ? _classifier.SaliencyMap(_realA) : _classifier.ActivationMap(_realA);
                Tensor target = MaskRegularizers.CamTarget(prior, _o.CamK, _o.CamTemperature);
                Tensor lossCam = Loss.L1(mB, target) * _o.LambdaCam;                                          // |M - M_cam|_1 (option B)
                total = total + lossCam;
                Record("MaskCam", lossCam);
            }
        }
        if (_classifier is not null)
        {
            ClassifierOutput pFakeB = _classifier.Classify(View.Apply(_fakeB.Output));
            if (_o.UseLabel)
            {
                ClassifierOutput pFakeA = _classifier.Classify(View.Apply(_fakeA.Output));
                Tensor lossLabel = (_o.LabelReference == LabelReference.RealImages
                    ? CdamLosses.LabelAgainstReal(pFakeB.Logit, pFakeA.Logit, RealOutput(opacity: false).Logit, RealOutput(opacity: true).Logit)   // softplus(l(G(a)) - l(b)) + ...
                    : CdamLosses.Label(pFakeB.Logit, pFakeA.Logit)) * _o.LambdaLabel;                                  // BCE(p(G(a)),0) + BCE(p(F(b)),1)
                total = total + lossLabel;
                Record("Label", lossLabel);
            }
            if (_o.UseFeature)
            {
                Tensor lossFeat = FeatureLoss(pFakeB) * _o.LambdaFeature;                                 // sum_l w_l |..|_1 (F1 or F2)
                total = total + lossFeat;
                Record("Feature", lossFeat);
            }
        }
        Record("G", total);
        total.Backward();
        ReadRecorded();
        if (PoisonLoss is { } poisoned && Losses.ContainsKey(poisoned)) { Losses[poisoned] = double.NaN; PoisonLoss = null; }
    }

    /// <summary>Each D: 0.5 [ (D(real) - 1)^2 + D(pool(fake))^2 ], fakes detached and drawn from the pool; with
    /// LambdaOpacityNegative > 0, D_N also learns the real opacity images as not clear.</summary>
    public void BackwardD(Rng poolRng)
    {
        Tensor fakeA = PoolA.Query(_fakeA.Output, poolRng);
        Tensor fakeB = PoolB.Query(_fakeB.Output, poolRng);
        Tensor lossDA = (Loss.LeastSquares(Nets.DA.Forward(_realA), 1.0) + Loss.LeastSquares(Nets.DA.Forward(fakeA), 0.0)) * 0.5;
        Tensor lossDB = (Loss.LeastSquares(Nets.DB.Forward(_realB), 1.0) + Loss.LeastSquares(Nets.DB.Forward(fakeB), 0.0)) * 0.5;
        if (_o.LambdaOpacityNegative > 0)
        {
            Tensor lossNeg = Loss.LeastSquares(Nets.DB.Forward(_realA), 0.0) * (0.5 * _o.LambdaOpacityNegative);   // real opacity is not clear
            Record("DBOpacity", lossNeg);
            lossDB = lossDB + lossNeg;
        }
        Record("DA", lossDA); Record("DB", lossDB);
        (lossDA + lossDB).Backward();
        ReadRecorded();
    }

    /// <summary>|F(G(a)) - a|_1 over every pixel, or weighted by 1 - M (detached) with CycleScope.OutsideMask.</summary>
    private Tensor CycleA()
    {
        if (_o.CycleScope == CycleScope.Full || _fakeB.Mask is not { } m) return Loss.L1(_recA, _realA);
        Tensor keep = 1.0 - m.Detach();
        return F.Abs((_recA - _realA) * keep).Mean();
    }

    /// <summary>The frozen classifier's output for this step's real opacity image a (or clear image b) as the step shows it,
    /// without gradient: a target of the label term (LabelReference.RealImages) and of the feature term, computed once
    /// per BackwardG however many terms use it.</summary>
    private ClassifierOutput RealOutput(bool opacity)
    {
        ref ClassifierOutput? cached = ref opacity ? ref _realAOutput : ref _realBOutput;
        if (cached is null)
            using (GradMode.NoGrad()) cached = _classifier!.Classify(View.Apply(opacity ? _realA : _realB));
        return cached;
    }

    private Tensor FeatureLoss(ClassifierOutput pFakeB)
    {
        if (_o.Feature == FeatureAlignment.F2)
            return CdamLosses.FeatureF2(pFakeB.Features, RealOutput(opacity: false).Features, _o.FeatureWeights, pFakeB.Members);
        Tensor? mask = _fakeB.Mask is { } m ? View.Shift(m.Detach()) : null;
        return CdamLosses.FeatureF1(pFakeB.Features, RealOutput(opacity: true).Features, mask, _o.FeatureWeights, pFakeB.Members);
    }

    private void Record(string name, Tensor loss) => _recorded.Add((name, loss.Detach()));

    /// <summary>Losses now holds every loss recorded since the last call, read in one transfer: on a GPU each
    /// Item() waits for the stream to drain, and a step records 16 losses.</summary>
    private void ReadRecorded()
    {
        if (_recorded.Count == 0) return;
        double[] values = F.Concat([.. _recorded.Select(r => r.Loss.Reshape(1))], 0).ToArrayF64();
        for (int i = 0; i < values.Length; i++) Losses[_recorded[i].Name] = values[i];
        _recorded.Clear();
    }
}
