using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

/// <summary>A view with a new shape; the gradient is dy viewed back in the input's shape.</summary>
internal sealed class Reshape(Tensor x) : Node(x)
{
    public static Tensor Apply(Tensor x, int[] dims)
    {
        int[] d = (int[])dims.Clone();
        int infer = Array.IndexOf(d, -1);
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < d.Length; i++) if (i != infer) known *= d[i];
            if (known == 0 || x.Numel % known != 0)
                throw new ShapeMismatchException($"Reshape: cannot infer -1 in {string.Join("x", dims)} for {x.Describe()}.");
            d[infer] = (int)(x.Numel / known);
        }
        var shape = new Shape(d);
        if (shape.Numel != x.Numel)
            throw new ShapeMismatchException($"Reshape: {x.Describe()} has {x.Numel} elements, shape {shape} needs {shape.Numel}.");
        return Record(new Reshape(x), x.ViewAs(shape));
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0];
        if (GradTarget(x, out bool acc) is not { } dx) return;
        using Tensor view = dy.ViewAs(x.Shape);
        if (acc) x.Backend.AddInPlace(dx, view); else x.Backend.Copy(view, dx);
    }
}
