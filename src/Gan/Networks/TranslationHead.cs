// The AASPM output head shared by the generator backbones (ResnetGenerator, UNetGenerator), METHOD.md
// option A: the backbone's last conv gives inChannels + 1 logit channels, content C = tanh(first
// inChannels), mask M = sigmoid(last), output y = M*C + (1-M)*x. Without the mask head (the CycleGAN
// ablation) the output is tanh(logits). Content has two named forms (MaskContent): Absolute (METHOD.md,
// C = tanh(logit)) and Residual (C = x + tanh(logit), so y = x + M*tanh(logit)). The residual form starts
// with C near x where the logit is near 0, so the cycle and identity L1 terms do not drive the mask to 0 in
// the first steps before the content has learnt anything (the collapse seen with Absolute on short CPU
// budgets; see bench/results/amd-epyc-2core/method.md). Tested through both generators' PyTorch goldens
// (Absolute) and TranslationHeadTests (Residual).
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

/// <summary>A generator that translates a batch and exposes the content and mask of the translation.</summary>
public interface ITranslationGenerator
{
    Translation Translate(Tensor x);
}

/// <summary>The common base of the generator backbones (ResNet, U-Net), so that training and inference
/// can hold either: Forward is the translated image, Translate adds the content and mask.</summary>
public abstract class TranslationGenerator : Opacity.Nn.Module, ITranslationGenerator
{
    /// <summary>True when the AASPM mask head is on (false in the CycleGAN ablation).</summary>
    public abstract bool MaskHead { get; }

    public abstract Translation Translate(Tensor x);

    public override Tensor Forward(Tensor x) => Translate(x).Output;
}

/// <summary>How the content image C of the masked output is formed from its logit channel.</summary>
public enum MaskContent
{
    /// <summary>C = tanh(logit): the content is a new image (METHOD.md option A as written).</summary>
    Absolute,
    /// <summary>C = x + tanh(logit): the content is the input plus a bounded correction.</summary>
    Residual,
}

public static class TranslationHead
{
    /// <summary>Logit channels the backbone's last conv must produce.</summary>
    public static int Channels(int inChannels, bool maskHead) => maskHead ? inChannels + 1 : inChannels;

    /// <summary>Turns the head logits into the translation of <paramref name="x"/>.</summary>
    public static Translation Apply(Tensor logits, Tensor x, int inChannels, bool maskHead, MaskContent contentKind = MaskContent.Absolute)
    {
        if (!maskHead) return new Translation(F.Tanh(logits), null, null);
        Tensor content = F.Tanh(F.Slice(logits, 1, 0, inChannels));
        if (contentKind == MaskContent.Residual) content = x + content;
        Tensor mask = F.Sigmoid(F.Slice(logits, 1, inChannels, 1));
        return new Translation(MaskBlend(mask, content, x), content, mask);
    }

    /// <summary><c>y = m*g + (1-m)*x</c>, written as x + m*(g - x): a composite, differentiated by the engine.</summary>
    public static Tensor MaskBlend(Tensor mask, Tensor content, Tensor x) => x + mask * (content - x);
}
