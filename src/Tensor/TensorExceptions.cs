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
