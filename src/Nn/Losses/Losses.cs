// Losses, written as composites of differentiable ops (no hand backward; STYLE.md G2). Each returns
// a scalar tensor (mean reduction, as PyTorch's default).
using Opacity.Tensors;

namespace Opacity.Nn.Losses;

public static class Loss
{
    private static void SameShape(string name, Tensor a, Tensor b)
    {
        if (a.Shape != b.Shape) throw new ShapeMismatchException($"{name}: prediction {a.Describe()} and target {b.Describe()} differ in shape.");
    }

    /// <summary><c>mean |a - b|</c>.</summary>
    public static Tensor L1(Tensor prediction, Tensor target) { SameShape("L1", prediction, target); return F.Abs(prediction - target).Mean(); }

    /// <summary><c>mean (a - b)^2</c>.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target) { SameShape("MSE", prediction, target); Tensor d = prediction - target; return (d * d).Mean(); }

    /// <summary>Least-squares GAN loss against a constant label: <c>mean (p - label)^2</c>.</summary>
    public static Tensor LeastSquares(Tensor prediction, double label) { Tensor d = prediction - label; return (d * d).Mean(); }

    /// <summary>Numerically stable <c>mean(max(x,0) - x*z + log(1 + exp(-|x|)))</c>, PyTorch's BCEWithLogitsLoss.</summary>
    public static Tensor BceWithLogits(Tensor logits, Tensor target)
    {
        SameShape("BCEWithLogits", logits, target);
        Tensor softplusNegAbs = F.Log(F.Exp(-F.Abs(logits)) + 1.0);
        return (F.Relu(logits) - logits * target + softplusNegAbs).Mean();
    }

    /// <summary>BCE with logits whose positive targets weigh <paramref name="positiveWeight"/> (PyTorch's
    /// BCEWithLogitsLoss(pos_weight)): <c>mean((1 - z) x + (1 + (w - 1) z) (log(1 + exp(-|x|)) + max(-x, 0)))</c>.
    /// For rare positives (lesion pixels among lung and background), so that predicting "none" everywhere is not
    /// the cheap optimum.</summary>
    public static Tensor BceWithLogits(Tensor logits, Tensor target, double positiveWeight)
    {
        SameShape("BCEWithLogits", logits, target);
        if (!(positiveWeight > 0) || !double.IsFinite(positiveWeight))
            throw new ArgumentOutOfRangeException(nameof(positiveWeight), $"BCEWithLogits: positive weight {positiveWeight} must be positive and finite.");
        Tensor logSigmoidNeg = F.Log(F.Exp(-F.Abs(logits)) + 1.0) + F.Relu(-logits);   // -log sigmoid(x), stable
        return ((1.0 - target) * logits + (target * (positiveWeight - 1) + 1.0) * logSigmoidNeg).Mean();
    }

    /// <summary>Cross-entropy of logits (N, C) against one-hot or soft targets (N, C): <c>mean_n -sum_c t log softmax(x)</c>.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targetProbabilities)
    {
        SameShape("CrossEntropy", logits, targetProbabilities);
        Tensor logp = F.LogSoftmax(logits, 1);
        return -(F.Sum(logp * targetProbabilities, [1])).Mean();
    }

    /// <summary>Cross-entropy against class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, int[] classes)
    {
        int n = logits.Shape[0], c = logits.Shape[1];
        if (classes.Length != n) throw new ShapeMismatchException($"CrossEntropy: {classes.Length} labels for {logits.Describe()}.");
        var onehot = new float[n * c];
        for (int i = 0; i < n; i++)
        {
            if (classes[i] < 0 || classes[i] >= c) throw new ArgumentOutOfRangeException(nameof(classes), $"CrossEntropy: label {classes[i]} at {i} is outside [0, {c}).");
            onehot[i * c + classes[i]] = 1;
        }
        return CrossEntropy(logits, Tensor.FromArray(onehot, n, c).To(logits.DType));
    }

    /// <summary>Soft Dice loss on probabilities: <c>1 - (2 sum(p t) + s) / (sum p + sum t + s)</c>, per sample then averaged.</summary>
    public static Tensor Dice(Tensor probabilities, Tensor target, double smooth = 1.0)
    {
        SameShape("Dice", probabilities, target);
        int[] axes = Enumerable.Range(1, probabilities.Rank - 1).ToArray();
        Tensor inter = F.Sum(probabilities * target, axes);
        Tensor denom = F.Sum(probabilities, axes) + F.Sum(target, axes);
        return (1.0 - (inter * 2.0 + smooth) / (denom + smooth)).Mean();
    }
}
