// The AASPM output head shared by the generator backbones (ResnetGenerator, UNetGenerator), METHOD.md
// option A: the backbone's last conv gives inChannels + 1 logit channels, content C = tanh(first
// inChannels), mask M = sigmoid(last), output y = M*C + (1-M)*x. Without the mask head (the CycleGAN
// ablation) the output is tanh(logits). Tested through both generators' PyTorch goldens.
using Opacity.Tensors;

namespace Opacity.Gan.Networks;

/// <summary>A generator that translates a batch and exposes the content and mask of the translation.</summary>
public interface ITranslationGenerator
{
    Translation Translate(Tensor x);
}

public static class TranslationHead
{
    /// <summary>Logit channels the backbone's last conv must produce.</summary>
    public static int Channels(int inChannels, bool maskHead) => maskHead ? inChannels + 1 : inChannels;

    /// <summary>Turns the head logits into the translation of <paramref name="x"/>.</summary>
    public static Translation Apply(Tensor logits, Tensor x, int inChannels, bool maskHead)
    {
        if (!maskHead) return new Translation(F.Tanh(logits), null, null);
        Tensor content = F.Tanh(F.Slice(logits, 1, 0, inChannels));
        Tensor mask = F.Sigmoid(F.Slice(logits, 1, inChannels, 1));
        return new Translation(MaskBlend(mask, content, x), content, mask);
    }

    /// <summary><c>y = m*g + (1-m)*x</c>, written as x + m*(g - x): a composite, differentiated by the engine.</summary>
    public static Tensor MaskBlend(Tensor mask, Tensor content, Tensor x) => x + mask * (content - x);
}
