using Opacity.Tensors.Autograd;

namespace Opacity.Tensors;

public sealed partial class Tensor
{
    /// <summary>Keep this non-leaf tensor's gradient after backward (leaves always keep theirs).</summary>
    public bool RetainGrad { get; set; }

    /// <summary>Reverse-mode differentiation from this tensor. A non-scalar needs an explicit <paramref name="gradient"/>.
    /// Leaf gradients accumulate across calls until <see cref="ZeroGrad"/>.</summary>
    public void Backward(Tensor? gradient = null) => BackwardEngine.Run(this, gradient);

    /// <summary>Frees this tensor's gradient (it is recreated by the next backward).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>Marks this tensor as a leaf that requires a gradient; returns it.</summary>
    public Tensor RequireGrad(bool value = true)
    {
        if (!IsLeaf && !value) throw new InvalidOperationException($"{Describe()} is not a leaf; use Detach() to cut it from the graph.");
        RequiresGrad = value;
        return this;
    }
}
