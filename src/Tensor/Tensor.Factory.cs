namespace Opacity.Tensors;

public sealed partial class Tensor
{
    /// <summary>Uninitialised storage: every element must be written before it is read.</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.F32, Device device = default)
        => new(Backends.Backend.For(device).Allocate(dtype, (int)shape.Numel, zero: false), shape);

    public static Tensor Zeros(Shape shape, DType dtype = DType.F32, Device device = default)
        => new(Backends.Backend.For(device).Allocate(dtype, (int)shape.Numel, zero: true), shape);

    public static Tensor Full(Shape shape, double value, DType dtype = DType.F32, Device device = default)
    {
        Tensor t = Empty(shape, dtype, Device.Cpu);
        if (dtype == DType.F32) t.AsSpan().Fill((float)value); else t.AsSpanF64().Fill(value);
        return device.IsCpu ? t : t.To(device);
    }

    public static Tensor Ones(Shape shape, DType dtype = DType.F32, Device device = default) => Full(shape, 1.0, dtype, device);
    public static Tensor Scalar(double value, DType dtype = DType.F32) => Full(new Shape(), value, dtype);

    /// <summary>Wraps a copy of <paramref name="data"/> (row-major) in a tensor of the given shape.</summary>
    public static Tensor FromArray(float[] data, params int[] dims)
    {
        var shape = new Shape(dims);
        if (shape.Numel != data.Length)
            throw new ShapeMismatchException($"FromArray: {data.Length} values do not fill shape {shape} ({shape.Numel} elements).");
        Tensor t = Empty(shape, DType.F32);
        data.CopyTo(t.AsSpan());
        return t;
    }

    public static Tensor FromArray(double[] data, params int[] dims)
    {
        var shape = new Shape(dims);
        if (shape.Numel != data.Length)
            throw new ShapeMismatchException($"FromArray: {data.Length} values do not fill shape {shape} ({shape.Numel} elements).");
        Tensor t = Empty(shape, DType.F64);
        data.CopyTo(t.AsSpanF64());
        return t;
    }

    /// <summary>Normal(mean, std) samples from a seeded generator; the same seed gives the same values everywhere.</summary>
    public static Tensor Normal(Shape shape, Rng rng, double mean = 0, double std = 1, DType dtype = DType.F32)
    {
        Tensor t = Empty(shape, dtype);
        if (dtype == DType.F32) { Span<float> s = t.AsSpan(); for (int i = 0; i < s.Length; i++) s[i] = (float)(mean + std * rng.NextNormal()); }
        else { Span<double> s = t.AsSpanF64(); for (int i = 0; i < s.Length; i++) s[i] = mean + std * rng.NextNormal(); }
        return t;
    }

    /// <summary>Uniform samples in [low, high) from a seeded generator.</summary>
    public static Tensor Uniform(Shape shape, Rng rng, double low = 0, double high = 1, DType dtype = DType.F32)
    {
        Tensor t = Empty(shape, dtype);
        if (dtype == DType.F32) { Span<float> s = t.AsSpan(); for (int i = 0; i < s.Length; i++) s[i] = (float)(low + (high - low) * rng.NextDouble()); }
        else { Span<double> s = t.AsSpanF64(); for (int i = 0; i < s.Length; i++) s[i] = low + (high - low) * rng.NextDouble(); }
        return t;
    }

    public static Tensor Randn(Shape shape, ulong seed, DType dtype = DType.F32) => Normal(shape, new Rng(seed), dtype: dtype);

    /// <summary>A deep copy (new storage), outside the autograd graph.</summary>
    public Tensor Clone()
    {
        Tensor c = Empty(Shape, DType, Device);
        Backend.Copy(this, c);
        return c;
    }

    /// <summary>Copies to another device (a no-op view when it is already there).</summary>
    public Tensor To(Device device)
    {
        if (device == Device) return this;
        Tensor dst = Empty(Shape, DType, device);
        Backends.Backend.CopyAcross(this, dst);
        return dst;
    }

    /// <summary>Moves this tensor's elements to <paramref name="device"/> in place (same object, new storage; the
    /// gradient is dropped). For leaves that other objects hold by reference: module parameters and buffers.</summary>
    public void MoveTo(Device device)
    {
        if (device == Device) return;
        if (!IsLeaf) throw new InvalidOperationException($"MoveTo: {Describe()} is not a leaf; use To(device) for op results.");
        Tensor moved = Autograd.TensorScope.Untracked(() => To(device));
        Storage old = _storage;
        _storage = moved._storage;
        moved._storage.AddRef();
        moved.Dispose();
        old.Release();
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>Converts to another element type (a new tensor; no gradient flows through the cast).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        if (!Device.IsCpu) throw new NotSupportedException($"dtype conversion runs on the CPU; tensor {Describe()} is on {Device}.");
        Tensor dst = Empty(Shape, dtype);
        if (dtype == DType.F64) { Span<float> s = AsSpan(); Span<double> d = dst.AsSpanF64(); for (int i = 0; i < s.Length; i++) d[i] = s[i]; }
        else { Span<double> s = AsSpanF64(); Span<float> d = dst.AsSpan(); for (int i = 0; i < s.Length; i++) d[i] = (float)s[i]; }
        return dst;
    }

    /// <summary>Overwrites this tensor's elements with <paramref name="source"/>'s (same shape and dtype); not recorded by autograd.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ShapeMismatchException($"CopyFrom: {source.Describe()} into {Describe()}: shapes differ.");
        if (source.DType != DType) throw new TensorMixException($"CopyFrom: {source.Describe()} into {Describe()}: dtypes differ.");
        if (source.Device == Device) Backend.Copy(source, this); else Backends.Backend.CopyAcross(source, this);
    }
}
