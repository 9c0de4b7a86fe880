// Disposal scopes: every tensor created while a scope is open belongs to it and is freed when the
// scope ends, so a training step returns its intermediates to the pool deterministically instead of
// waiting for the GC (TorchSharp's DisposeScope idea). Keep(t) moves a tensor to the enclosing scope
// (or out of all scopes), for results that outlive the step.
namespace Opacity.Tensors.Autograd;

public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly List<Tensor> _owned = [];
    private readonly TensorScope? _parent;
    private bool _disposed;

    private TensorScope(TensorScope? parent) { _parent = parent; }

    public static TensorScope Begin()
    {
        var scope = new TensorScope(_current);
        _current = scope;
        return scope;
    }

    public int Count => _owned.Count;

    internal static void Track(Tensor t) => _current?._owned.Add(t);

    /// <summary>Runs <paramref name="action"/> with no scope active: tensors made there (parameters, their gradients, optimiser state) are owned by the caller.</summary>
    public static T Untracked<T>(Func<T> action)
    {
        TensorScope? saved = _current;
        _current = null;
        try { return action(); }
        finally { _current = saved; }
    }

    /// <summary>Moves <paramref name="t"/> out of this scope into its parent (or out of all scopes).</summary>
    public Tensor Keep(Tensor t)
    {
        int i = _owned.LastIndexOf(t);
        if (i >= 0) _owned.RemoveAt(i);
        _parent?._owned.Add(t);
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current != this)
            throw new InvalidOperationException("TensorScopes must be disposed in reverse order of creation.");
        _current = _parent;
        foreach (Tensor t in _owned)
        {
            // A parameter's gradient tensor may have been created in this scope; it belongs to the parameter.
            t.Dispose();
        }
        _owned.Clear();
    }
}
