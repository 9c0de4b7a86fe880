// A recorded op in the autograd graph. Each op file in Ops/ defines a Node subclass next to its
// forward code; Backward adds the op's local gradient into each input's .Grad following one
// contract (STYLE.md G3): the first contribution overwrites a fresh buffer, later ones accumulate,
// so fan-out (residual blocks, skip connections, a frozen classifier read twice) costs no temporaries.
namespace Opacity.Tensors.Autograd;

public abstract class Node
{
    protected Node(params Tensor[] inputs) { Inputs = inputs; }

    public IReadOnlyList<Tensor> Inputs { get; }
    public virtual string Name => GetType().Name;

    /// <summary>The tensor this node produced (set when the node is recorded).</summary>
    internal Tensor? Output { get; set; }

    /// <summary>Adds dL/d(input) for every input that requires a gradient, given dL/d(output) = <paramref name="dy"/>.</summary>
    protected internal abstract void Backward(Tensor dy);

    /// <summary>The gradient buffer of input <paramref name="index"/>, or null when that input needs none.
    /// <paramref name="accumulate"/> tells the kernel whether to add to it (true) or overwrite it (false).</summary>
    protected static Tensor? GradTarget(Tensor input, out bool accumulate)
    {
        accumulate = false;
        if (!input.RequiresGrad) return null;
        if (input.Grad is { } g) { accumulate = true; return g; }
        // Gradients outlive the step's scope (leaves) or are freed by the engine right after use (non-leaves).
        input.Grad = TensorScope.Untracked(() => Tensor.Empty(input.Shape, input.DType, input.Device));
        return input.Grad;
    }

    protected Tensor? GradTarget(int index, out bool accumulate) => GradTarget(Inputs[index], out accumulate);

    /// <summary>Records <paramref name="node"/> as the producer of <paramref name="output"/> when grad mode is on
    /// and any input requires a gradient. Returns <paramref name="output"/>.</summary>
    internal static Tensor Record(Node node, Tensor output)
    {
        if (!GradMode.IsEnabled) return output;
        bool any = false;
        foreach (Tensor t in node.Inputs) any |= t.RequiresGrad;
        if (!any) return output;
        output.RequiresGrad = true;
        output.GradFn = node;
        node.Output = output;
        return output;
    }
}
