// Scalar oracle for channel concatenation of two NCHW tensors (U-Net skips; kernels/cu/concat.cu):
// y = [a, b] along C, a: N x ca x hw, b: N x cb x hw, y: N x (ca + cb) x hw. The backward splits dy
// back into da, db (accumulating per G3; an empty span skips it).
// Tested by tests/Opacity.Kernels.Tests/Cuda/EmulatorUpsampleConcatTests.cs.
using System.Numerics;

namespace Opacity.Kernels.Cpu.Reference;

public static class ConcatReference
{
    public static void ChannelsForward<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y, int n, int ca, int cb, int hw)
        where T : IFloatingPointIeee754<T>
    {
        Check(n, ca, cb, hw);
        ReferenceChecks.Length(a.Length, (long)n * ca * hw, nameof(a));
        ReferenceChecks.Length(b.Length, (long)n * cb * hw, nameof(b));
        ReferenceChecks.Length(y.Length, (long)n * (ca + cb) * hw, nameof(y));
        for (int i = 0; i < n; i++)
        {
            a.Slice(i * ca * hw, ca * hw).CopyTo(y.Slice(i * (ca + cb) * hw, ca * hw));
            b.Slice(i * cb * hw, cb * hw).CopyTo(y.Slice((i * (ca + cb) + ca) * hw, cb * hw));
        }
    }

    public static void ChannelsBackward<T>(ReadOnlySpan<T> dy, Span<T> da, Span<T> db, int n, int ca, int cb, int hw,
        bool accumulateA, bool accumulateB) where T : IFloatingPointIeee754<T>
    {
        Check(n, ca, cb, hw);
        ReferenceChecks.Length(dy.Length, (long)n * (ca + cb) * hw, nameof(dy));
        ReferenceChecks.OptionalLength(da.Length, (long)n * ca * hw, nameof(da));
        ReferenceChecks.OptionalLength(db.Length, (long)n * cb * hw, nameof(db));
        for (int i = 0; i < n; i++)
            for (int k = 0; k < (ca + cb) * hw; k++)
            {
                T g = dy[i * (ca + cb) * hw + k];
                if (k < ca * hw) { if (!da.IsEmpty) Store(ref da[i * ca * hw + k], g, accumulateA); }
                else if (!db.IsEmpty) Store(ref db[i * cb * hw + k - ca * hw], g, accumulateB);
            }
    }

    private static void Store<T>(ref T d, T g, bool accumulate) where T : IFloatingPointIeee754<T>
        => d = accumulate ? d + g : g;

    private static void Check(int n, int ca, int cb, int hw)
    {
        ReferenceChecks.Positive(n, nameof(n));
        ReferenceChecks.Positive(ca, nameof(ca));
        ReferenceChecks.Positive(cb, nameof(cb));
        ReferenceChecks.Positive(hw, nameof(hw));
    }
}
