// Launcher for kernels/cu/adam.cu (fused Adam step, torch.optim.Adam semantics). The bias corrections
// are computed here in double. Versions: v1 (default). Tested: Cuda/EmulatorAdamTests.cs vs AdamReference.
namespace Opacity.Kernels.Cuda;

public static class AdamCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    private static readonly KernelId[] Update = LaunchShape.Table("adam", "adam_update", VersionCount);

    /// <summary>One in-place step (1-based <paramref name="step"/>) over <paramref name="count"/> parameters.</summary>
    public static void Step(IKernelLauncher launcher, ulong p, ulong g, ulong m, ulong v, int count, int step, float lr,
        float beta1, float beta2, float eps, float weightDecay, int version = DefaultVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var args = new KernelArgs();
        args.Add(p); args.Add(g); args.Add(m); args.Add(v); args.Add(count);
        args.Add(lr); args.Add(beta1); args.Add(beta2); args.Add(eps); args.Add(weightDecay);
        args.Add((float)(1 - Math.Pow(beta1, step)));
        args.Add((float)(1 - Math.Pow(beta2, step)));
        launcher.Launch(LaunchShape.Pick(Update, version, "adam_update"), LaunchShape.GridFor(count),
            new Dim3(LaunchShape.BlockSize), 0, ref args);
    }
}
