// Argument checks shared by the scalar references: one clear sentence naming the buffer and the sizes.
namespace Opacity.Kernels.Cpu.Reference;

internal static class ReferenceChecks
{
    public static void Length(int actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements but the sizes given need {expected}.", name);
    }

    /// <summary>An empty span means "this gradient is not wanted"; otherwise it must have the full length.</summary>
    public static void OptionalLength(int actual, long expected, string name)
    {
        if (actual != 0) Length(actual, expected, name);
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
