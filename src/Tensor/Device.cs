namespace Opacity.Tensors;

public enum DeviceKind
{
    Cpu,
    Cuda,
}

/// <summary>Where a tensor's storage lives. <c>Device.Cpu</c> is the default and the numerical oracle.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu => new(DeviceKind.Cpu);
    public static Device Cuda => new(DeviceKind.Cuda);
    public bool IsCpu => Kind == DeviceKind.Cpu;
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda;
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out int i) && i >= 0)
            return new Device(DeviceKind.Cuda, i);
        throw new ArgumentException($"Unknown device '{text}': expected cpu, cuda or cuda:N.");
    }
}
