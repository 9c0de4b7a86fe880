// Reverse-mode sweep. The graph is ordered by an iterative depth-first search (no recursion, so a
// graph thousands of ops deep cannot overflow the stack), then nodes run in reverse topological order.
// A non-leaf gradient is freed as soon as its producer has consumed it, which keeps peak memory close
// to the activations alone.
namespace Opacity.Tensors.Autograd;

internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward from {root.Describe()}, which does not require a gradient (no parameter or input on its path requires one).");
        if (gradient is null && root.Numel != 1)
            throw new ShapeMismatchException($"Backward from non-scalar {root.Describe()} needs an explicit gradient of shape {root.Shape}.");
        if (gradient is not null && gradient.Shape != root.Shape)
            throw new ShapeMismatchException($"Backward gradient has shape {gradient.Shape}, but {root.Describe()} has shape {root.Shape}.");

        using (GradMode.NoGrad())
        {
            Tensor seed = TensorScope.Untracked(() => gradient?.Clone() ?? Tensor.Ones(root.Shape, root.DType, root.Device));
            if (root.Grad is null) root.Grad = seed;
            else { root.Backend.AddInPlace(root.Grad, seed); seed.Dispose(); }

            List<Node> order = TopologicalOrder(root);
            for (int i = order.Count - 1; i >= 0; i--)
            {
                Node node = order[i];
                Tensor output = node.Output!;
                if (output.Grad is not { } dy) continue; // no path from root reached this node's output
                using (Profiler.Scope(node.Name, backward: true))
                    node.Backward(dy);
                if (!output.RetainGrad)
                {
                    output.Grad = null;
                    dy.Dispose();
                }
            }
        }
    }

    private static List<Node> TopologicalOrder(Tensor root)
    {
        var order = new List<Node>();
        if (root.GradFn is null) return order;
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((root.GradFn, 0));
        visited.Add(root.GradFn);
        while (stack.Count > 0)
        {
            (Node node, int next) = stack.Pop();
            if (next < node.Inputs.Count)
            {
                stack.Push((node, next + 1));
                if (node.Inputs[next].GradFn is { } child && visited.Add(child))
                    stack.Push((child, 0));
            }
            else order.Add(node); // post-order: every producer before its consumers
        }
        return order;
    }
}
