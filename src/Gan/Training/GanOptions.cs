// Typed options of the masked CycleGAN with CDAM (METHOD.md "Objective" and "Ablation rows"). Defaults are
// the paper-scale reconstruction: resnet 9 blocks, ngf = ndf = 64, lambdas cycle 10, identity 5, feature 1,
// label 1, mask sparsity 0.05, TV 1e-4; Adam 2e-4 (0.5, 0.999), constant then linear decay; pool 50.
// Which losses are on is derived from the Ablation row only, so a row cannot be half-configured.
// Named options beyond METHOD.md's literal defaults (defaults unchanged): the generator backbone (ResNet or
// U-Net), residual mask content, AASPM option B's CAM prior as an L1 target and the opacity domain's cycle
// loss counted outside the mask (together the demo's CPU-budget configuration; bench/results/amd-epyc-2core/
// method.md has the sweep that chose it); jittered views for the CDAM classifier (probed in method.md's
// session 5, off in the demo) and a moving average of G_AB's weights (the demo's default since session 6).
// Tested by GanStepTests (ablation flags) and the trainer tests (options round-trip through a checkpoint).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opacity.Gan.Training;

/// <summary>The ablation rows of the paper: which components are on.</summary>
public enum Ablation
{
    /// <summary>Plain CycleGAN: no mask head, no CDAM.</summary>
    CycleGan,
    /// <summary>+ AASPM mask head and its regularisers.</summary>
    Mask,
    /// <summary>+ CDAM label-level alignment.</summary>
    MaskLabel,
    /// <summary>+ CDAM feature-level alignment.</summary>
    MaskFeature,
    /// <summary>Mask + label + feature (the proposed method).</summary>
    Full,
}

/// <summary>Feature-level CDAM variant (METHOD.md): F1 keeps features outside the mask, F2 matches statistics.</summary>
public enum FeatureAlignment
{
    /// <summary>sum_l w_l |(phi_l(G(x_o)) - phi_l(x_o)) * (1 - down_l(M))|_1 (default).</summary>
    F1,
    /// <summary>Match pooled-feature means of G(x_o) to real x_n (first-moment version of METHOD.md's F2).</summary>
    F2,
}

/// <summary>AASPM option B (METHOD.md): how the frozen classifier's activation map guides the mask of G.</summary>
public enum MaskPrior
{
    /// <summary>Option A alone: the mask is learnt from the losses only.</summary>
    None,
    /// <summary>Option B as an L1 target: + lambda_cam |M - M_cam|_1 on G's mask of opacity images, with
    /// M_cam = sigmoid((CAM - tau) / T), tau = mean + k std of the per-image normalised CAM.</summary>
    CamTarget,
    /// <summary>Option B with the classifier's saliency map (ClassifierSaliency: its input gradient, smoothed) in
    /// place of the CAM; the same adaptive threshold and L1 target. Our option: the CAM marks the heart and
    /// diaphragm as much as the lesion.</summary>
    SaliencyTarget,
}

/// <summary>What CDAM's label term measures the translations' logits against.</summary>
public enum LabelReference
{
    /// <summary>The fixed labels of METHOD.md: BCE(p(G(a)), 0) + BCE(p(F(b)), 1). Its gradient sigmoid(logit) on G(a)
    /// never ends, so G is pushed on past what real clear images look like to the classifier.</summary>
    Fixed,
    /// <summary>The step's real images: softplus(l(G(a)) - l(b)) + softplus(l(a) - l(F(b))), the classifier's logits l
    /// of the real clear image b and opacity image a taken without gradient: G(a) is measured against how clear a real
    /// clear image looks, F(b) against how opaque a real opacity image looks. Our option. Where real clear logits
    /// are negative it pushes harder than Fixed, not softer: in the demo's configuration it made the translations
    /// still clearer than clear ones and doubled FID (bench/results/amd-epyc-2core/method.md, session 8).</summary>
    RealImages,
}

/// <summary>The generator backbone (METHOD.md: ResNet, CycleGAN's resnet_Nblocks, or U-Net).</summary>
public enum GeneratorKind
{
    ResNet,
    UNet,
}

/// <summary>Where the cycle loss of the opacity domain, |F(G(a)) - a|_1, is counted.</summary>
public enum CycleScope
{
    /// <summary>Every pixel (CycleGAN, METHOD.md).</summary>
    Full,
    /// <summary>Only outside G's (detached) mask: weight (1 - M) per pixel. F cannot know the opacity G removed,
    /// so the full cycle term pulls against removing it; outside the mask it still ties G and F together.</summary>
    OutsideMask,
}

/// <summary>What the frozen classifier is shown in the CDAM losses (label and feature terms; the CAM prior always sees the input as it is).</summary>
public enum ClassifierViewing
{
    /// <summary>The images as they are (METHOD.md).</summary>
    Plain,
    /// <summary>Each step one random <see cref="ClassifierView"/> (the classifier's own training shift and exposure jitter),
    /// the same for every image of the step and for G's mask: the edit must convince the classifier under every view.</summary>
    Jittered,
}

public sealed record GanOptions
{
    public int Size { get; init; } = 256;
    public GeneratorKind Generator { get; init; } = GeneratorKind.ResNet;
    /// <summary>Down/up levels of the U-Net generator (its width is Ngf); unused by the ResNet backbone.</summary>
    public int UNetDepth { get; init; } = 4;
    public int Ngf { get; init; } = 64;
    public int Ndf { get; init; } = 64;
    /// <summary>Stride-2 convolutions of both PatchGAN discriminators (CycleGAN's n_layers_D): 3 is the 70x70 PatchGAN of
    /// METHOD.md; 2 gives 34x34 patches, 1 gives 16x16. At 64 px the 70x70 patches each see the whole image.</summary>
    public int DiscriminatorLayers { get; init; } = 3;
    public int Blocks { get; init; } = 9;
    public Ablation Ablation { get; init; } = Ablation.Full;
    public FeatureAlignment Feature { get; init; } = FeatureAlignment.F1;
    /// <summary>Absolute C = tanh(logit) (METHOD.md) or Residual C = x + tanh(logit).</summary>
    public Opacity.Gan.Networks.MaskContent Content { get; init; } = Opacity.Gan.Networks.MaskContent.Absolute;
    public MaskPrior MaskPrior { get; init; } = MaskPrior.None;
    public CycleScope CycleScope { get; init; } = CycleScope.Full;
    public ClassifierViewing ClassifierViewing { get; init; } = ClassifierViewing.Plain;
    public double LambdaCam { get; init; } = 1;
    /// <summary>k and T of the adaptive CAM threshold (METHOD.md: 0.5 and 0.1).</summary>
    public double CamK { get; init; } = 0.5;
    public double CamTemperature { get; init; } = 0.1;

    public double LambdaCycle { get; init; } = 10;
    public double LambdaIdentity { get; init; } = 5;
    public double LambdaFeature { get; init; } = 1;
    public double LambdaLabel { get; init; } = 1;
    public LabelReference LabelReference { get; init; } = LabelReference.Fixed;
    public double LambdaMaskSparsity { get; init; } = 0.05;
    public double LambdaMaskTv { get; init; } = 1e-4;
    /// <summary>Weight of real opacity images as negatives of D_N: its loss gains 0.5 lambda D_N(a)^2 beside
    /// CycleGAN's 0.5 [(D_N(b) - 1)^2 + D_N(pool(G(a)))^2]. 0 (default) is METHOD.md's D_N, which only ever sees
    /// clear images and translations, so nothing teaches it that a lesion is not clear: at the end of a demo run it
    /// scores untranslated opacity images as clear as real clear ones (method.md, session 7).</summary>
    public double LambdaOpacityNegative { get; init; }
    /// <summary>Per-depth weights w_l of the feature loss; null = equal weights 1.</summary>
    public double[]? FeatureWeights { get; init; }

    /// <summary>Decay of the moving average of G_AB's weights that the translator is made of (0 = off: the last
    /// weights, as METHOD.md). See WeightAverage; the checkpoint keeps the average beside the live weights.</summary>
    public double GeneratorAverageDecay { get; init; }

    /// <summary>0 (off) or in (0, 1): the decays <see cref="GeneratorAverageDecay"/> accepts.</summary>
    public static bool IsGeneratorAverageDecay(double decay) => decay >= 0 && decay < 1;

    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Steps at the base learning rate, then <see cref="DecaySteps"/> of linear decay to 0.</summary>
    public long ConstantSteps { get; init; } = 100_000;
    public long DecaySteps { get; init; } = 100_000;
    public int BatchSize { get; init; } = 1;
    public int PoolSize { get; init; } = 50;
    public ulong Seed { get; init; } = 1;

    [JsonIgnore] public bool UseMask => Ablation != Ablation.CycleGan;
    [JsonIgnore] public bool UseLabel => Ablation is Ablation.MaskLabel or Ablation.Full;
    [JsonIgnore] public bool UseFeature => Ablation is Ablation.MaskFeature or Ablation.Full;
    [JsonIgnore] public bool UseClassifierPrior => UseMask && MaskPrior is MaskPrior.CamTarget or MaskPrior.SaliencyTarget;
    [JsonIgnore] public bool NeedsClassifier => UseLabel || UseFeature || UseClassifierPrior;

    /// <summary>Throws a <see cref="TrainingException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Size < 16 || Size % 4 != 0) throw new TrainingException($"Image size {Size} must be at least 16 and divisible by 4 (two stride-2 stages).");
        if (Ngf < 1 || Ndf < 1 || Blocks < 0) throw new TrainingException($"ngf {Ngf}, ndf {Ndf} must be positive and blocks {Blocks} non-negative.");
        if (DiscriminatorLayers < 1 || (Size >> Math.Clamp(DiscriminatorLayers, 1, 30)) < 4)
            throw new TrainingException($"The PatchGAN of {DiscriminatorLayers} stride-2 layers needs at least 1 and an image of at least 4 x 2^layers pixels (size {Size}).");
        if (Generator == GeneratorKind.UNet && (UNetDepth < 1 || Size % (1 << UNetDepth) != 0))
            throw new TrainingException($"The U-Net generator of depth {UNetDepth} needs the image size {Size} to be divisible by {1 << Math.Clamp(UNetDepth, 0, 30)}.");
        if (BatchSize < 1) throw new TrainingException($"Batch size {BatchSize} must be positive.");
        if (PoolSize < 0) throw new TrainingException($"Pool size {PoolSize} must be non-negative.");
        if (LearningRate <= 0) throw new TrainingException($"Learning rate {LearningRate} must be positive.");
        if (CamTemperature <= 0) throw new TrainingException($"CAM temperature {CamTemperature} must be positive.");
        if (!(LambdaOpacityNegative >= 0)) throw new TrainingException($"The weight of opacity negatives for D_N, {LambdaOpacityNegative}, must be zero or positive.");
        if (!IsGeneratorAverageDecay(GeneratorAverageDecay))
            throw new TrainingException($"Generator average decay {GeneratorAverageDecay} must be 0 (off) or in (0, 1).");
    }

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static GanOptions FromJson(string json)
        => JsonSerializer.Deserialize<GanOptions>(json, Json) ?? throw new TrainingException("The checkpoint's options metadata is empty.");

    /// <summary>"resnet" or "unet".</summary>
    public static GeneratorKind ParseGenerator(string text) => text.Trim().ToLowerInvariant() switch
    {
        "resnet" => GeneratorKind.ResNet,
        "unet" or "u-net" => GeneratorKind.UNet,
        _ => throw new TrainingException($"Unknown generator '{text}'; expected resnet or unet."),
    };

    /// <summary>"absolute" or "residual".</summary>
    public static Opacity.Gan.Networks.MaskContent ParseContent(string text) => text.Trim().ToLowerInvariant() switch
    {
        "absolute" => Opacity.Gan.Networks.MaskContent.Absolute,
        "residual" => Opacity.Gan.Networks.MaskContent.Residual,
        _ => throw new TrainingException($"Unknown mask content '{text}'; expected absolute or residual."),
    };

    /// <summary>"full" or "outside-mask".</summary>
    public static CycleScope ParseCycleScope(string text) => text.Trim().ToLowerInvariant() switch
    {
        "full" => CycleScope.Full,
        "outside-mask" => CycleScope.OutsideMask,
        _ => throw new TrainingException($"Unknown cycle scope '{text}'; expected full or outside-mask."),
    };

    /// <summary>"plain" or "jittered".</summary>
    public static ClassifierViewing ParseClassifierViewing(string text) => text.Trim().ToLowerInvariant() switch
    {
        "plain" => ClassifierViewing.Plain,
        "jittered" => ClassifierViewing.Jittered,
        _ => throw new TrainingException($"Unknown classifier view '{text}'; expected plain or jittered."),
    };

    /// <summary>"fixed" or "real".</summary>
    public static LabelReference ParseLabelReference(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fixed" => LabelReference.Fixed,
        "real" => LabelReference.RealImages,
        _ => throw new TrainingException($"Unknown label reference '{text}'; expected fixed or real."),
    };

    /// <summary>"none", "cam" or "saliency".</summary>
    public static MaskPrior ParseMaskPrior(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => MaskPrior.None,
        "cam" => MaskPrior.CamTarget,
        "saliency" => MaskPrior.SaliencyTarget,
        _ => throw new TrainingException($"Unknown mask prior '{text}'; expected none, cam or saliency."),
    };

    /// <summary>"cyclegan", "mask", "mask+label", "mask+feature", "full".</summary>
    public static Ablation ParseAblation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cyclegan" => Ablation.CycleGan,
        "mask" => Ablation.Mask,
        "mask+label" => Ablation.MaskLabel,
        "mask+feature" => Ablation.MaskFeature,
        "full" => Ablation.Full,
        _ => throw new TrainingException($"Unknown ablation '{text}'; expected cyclegan, mask, mask+label, mask+feature or full."),
    };
}

/// <summary>Bad training input or a failed run: one sentence naming the value, file or loss.</summary>
public sealed class TrainingException : Exception
{
    public TrainingException(string message) : base(message) { }
    public TrainingException(string message, Exception inner) : base(message, inner) { }
    public TrainingException() { }
}
