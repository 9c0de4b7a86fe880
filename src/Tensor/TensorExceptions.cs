namespace Opacity.Tensors;

/// <summary>Two shapes that an op cannot combine; the message names the op and both shapes.</summary>
public sealed class ShapeMismatchException : ArgumentException
{
    public ShapeMismatchException(string message) : base(message) { }
    public ShapeMismatchException() { }
    public ShapeMismatchException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Tensors of different dtypes or devices given to one op.</summary>
public sealed class TensorMixException : ArgumentException
{
    public TensorMixException(string message) : base(message) { }
    public TensorMixException() { }
    public TensorMixException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A device (CUDA) that cannot be used on this machine; the message is one sentence saying why and where it looked.</summary>
public sealed class DeviceUnavailableException : InvalidOperationException
{
    public DeviceUnavailableException(string message) : base(message) { }
    public DeviceUnavailableException() { }
    public DeviceUnavailableException(string message, Exception inner) : base(message, inner) { }
}
