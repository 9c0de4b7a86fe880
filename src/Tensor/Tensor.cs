// The tensor: shape, dtype, device, storage, and the autograd fields. Always contiguous, row-major;
// Reshape returns a view that shares storage. Creation lives in Tensor.Factory.cs, the fluent op
// methods in Tensor.Methods.cs, autograd in Autograd/.
using Opacity.Tensors.Autograd;
using Opacity.Tensors.Backends;

namespace Opacity.Tensors;

public sealed partial class Tensor : IDisposable
{
    private Storage _storage;
    private bool _disposed;

    internal Tensor(Storage storage, Shape shape)
    {
        if (shape.Numel > storage.Length)
            throw new ShapeMismatchException($"Shape {shape} needs {shape.Numel} elements but the storage has {storage.Length}.");
        _storage = storage;
        Shape = shape;
        TensorScope.Track(this);
    }

    public Shape Shape { get; }
    public DType DType => _storage.DType;
    public Device Device => _storage.Device;
    public int Numel => (int)Shape.Numel;
    public int Rank => Shape.Rank;
    public string? Name { get; set; }

    /// <summary>True when gradients are computed for this tensor in backward.</summary>
    public bool RequiresGrad { get; set; }
    /// <summary>The accumulated gradient after <see cref="Backward"/>; same shape as this tensor.</summary>
    public Tensor? Grad { get; set; }
    /// <summary>The op that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }
    public bool IsLeaf => GradFn is null;

    internal Backend Backend => Backend.For(Device);
    internal Storage Storage => _disposed ? throw new ObjectDisposedException(Describe(), $"Tensor {Describe()} was disposed.") : _storage;

    /// <summary>The float32 elements (CPU only), row-major.</summary>
    public Span<float> AsSpan() => CheckCpu().Storage.F32.AsSpan(0, Numel);
    /// <summary>The float64 elements (CPU only), row-major.</summary>
    public Span<double> AsSpanF64() => CheckCpu().Storage.F64.AsSpan(0, Numel);

    internal float[] F32 => Storage.F32;
    internal double[] F64 => Storage.F64;

    private Tensor CheckCpu() => Device.IsCpu ? this
        : throw new InvalidOperationException($"Tensor {Describe()} lives on {Device}; copy it with .To(Device.Cpu) to read it on the host.");

    /// <summary>A copy of the elements as float32 (converting from float64 if needed).</summary>
    public float[] ToArray()
    {
        Tensor cpu = Device.IsCpu ? this : To(Device.Cpu);
        return DType == DType.F32 ? cpu.AsSpan().ToArray() : Array.ConvertAll(cpu.AsSpanF64().ToArray(), v => (float)v);
    }

    public double[] ToArrayF64()
    {
        Tensor cpu = Device.IsCpu ? this : To(Device.Cpu);
        return DType == DType.F64 ? cpu.AsSpanF64().ToArray() : Array.ConvertAll(cpu.AsSpan().ToArray(), v => (double)v);
    }

    /// <summary>The single element of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new ShapeMismatchException($"Item() needs a one-element tensor, but {Describe()} has shape {Shape}.");
        return ToArrayF64()[0];
    }

    /// <summary>A view with another shape over the same storage (element count must match; one dim may be -1).</summary>
    public Tensor Reshape(params int[] dims) => Ops.Reshape.Apply(this, dims);

    /// <summary>A view that shares storage but is cut from the graph: no gradient flows through it.</summary>
    public Tensor Detach()
    {
        Storage.AddRef();
        return new Tensor(_storage, Shape) { Name = Name };
    }

    internal Tensor ViewAs(Shape shape)
    {
        Storage.AddRef();
        return new Tensor(_storage, shape);
    }

    public string Describe() => Name is null ? $"{DType.Name()}{Shape}" : $"'{Name}' {DType.Name()}{Shape}";
    public override string ToString() => $"Tensor {Describe()} on {Device}";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _storage.Release();
    }
}
