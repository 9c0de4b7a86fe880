namespace Opacity.Tensors.Autograd;

/// <summary>Thread-local switch for graph recording. <c>using (GradMode.NoGrad()) { ... }</c> runs ops
/// without building a graph (inference, optimiser updates, image-pool bookkeeping).</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    public static bool IsEnabled => _disabledDepth == 0;

    public static IDisposable NoGrad()
    {
        _disabledDepth++;
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        private bool _done;
        public void Dispose() { if (!_done) { _done = true; _disabledDepth--; } }
    }
}
