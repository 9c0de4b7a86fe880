// Average and max pooling, square window k, stride s, zero padding p on every side (floor output size,
// PyTorch's ceil_mode=False). Shape rule: O = (I + 2p - k) / s + 1, with 0 <= p <= k/2 as PyTorch requires.
// Average pooling divides by k*k (countIncludePad, the default) or by the real pixels in the window
// (count_include_pad=False, used by pytorch-fid's Inception blocks); max pooling treats padding as -inf and
// saves the argmax of each window for the backward scatter.
// Kernels: Kernels/Cpu/Pooling.cs (float32), Reference/PoolingReference.cs (float64), spatial.cu (CUDA).
// Tested by the op catalog (avg_pool*, max_pool*: float64 gradcheck, float32 vs float64, every device).
using Opacity.Kernels.Cpu;
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Pool2d(bool max, Tensor x, int k, int s, int pad, bool countIncludePad, int[]? argmax) : Node(x)
{
    public override string Name => max ? "MaxPool2d" : "AvgPool2d";

    public static Tensor Apply(bool max, Tensor x, int kernel, int stride, int padding = 0, bool countIncludePad = true)
    {
        string op = max ? "MaxPool2d" : "AvgPool2d";
        if (x.Rank < 2) throw new ShapeMismatchException($"{op}: {x.Describe()} needs at least 2 dimensions.");
        if (kernel <= 0 || stride <= 0) throw new ArgumentException($"{op}: kernel {kernel} and stride {stride} must be positive.");
        if (padding < 0 || 2 * padding > kernel) throw new ArgumentException($"{op}: padding {padding} must be between 0 and half the kernel {kernel}.");
        int h = x.Shape[-2], w = x.Shape[-1];
        if (kernel > h + 2 * padding || kernel > w + 2 * padding)
            throw new ShapeMismatchException($"{op}: kernel {kernel} is larger than the padded input {h + 2 * padding}x{w + 2 * padding} of {x.Describe()}.");
        Shape shape = x.Shape.With(-2, Pooling.OutSize(h, kernel, stride, padding)).With(-1, Pooling.OutSize(w, kernel, stride, padding));
        Tensor y = Tensor.Empty(shape, x.DType, x.Device);
        // The argmax feeds only the backward scatter: skipped when nothing will be recorded (inference).
        int[]? argmax = max && GradMode.IsEnabled && x.RequiresGrad ? new int[shape.Numel] : null;
        using (Profiler.Scope(op))
        {
            if (max) x.Backend.MaxPool(x, kernel, stride, padding, y, argmax);
            else x.Backend.AvgPool(x, kernel, stride, padding, countIncludePad, y);
        }
        return Record(new Pool2d(max, x, kernel, stride, padding, countIncludePad, argmax), y);
    }

    protected internal override void Backward(Tensor dy)
    {
        if (GradTarget(0, out bool acc) is not { } dx) return;
        if (max) dy.Backend.MaxPoolBackward(dy, argmax!, k, s, pad, dx, acc);
        else dy.Backend.AvgPoolBackward(dy, k, s, pad, countIncludePad, dx, acc);
    }
}
