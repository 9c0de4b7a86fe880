// Softmax and log-softmax along one axis, viewed as (outer, axis, inner), forward and backward.
// Max-subtracted for stability. Backward: softmax dx = y * (dy - sum(dy * y));
// log-softmax dx = dy - exp(y) * sum(dy). One generic version; its own reference.
using System.Numerics;

namespace Opacity.Kernels.Cpu;

public static class Softmax
{
    public static void Forward<T>(bool log, ReadOnlySpan<T> x, int outer, int axis, int inner, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * axis * inner + i;
                T max = T.NegativeInfinity;
                for (int a = 0; a < axis; a++) max = T.Max(max, x[b + a * inner]);
                double sum = 0;
                for (int a = 0; a < axis; a++) sum += double.CreateTruncating(T.Exp(x[b + a * inner] - max));
                T logSum = T.CreateTruncating(Math.Log(sum));
                for (int a = 0; a < axis; a++)
                {
                    T z = x[b + a * inner] - max - logSum;
                    y[b + a * inner] = log ? z : T.Exp(z);
                }
            }
    }

    public static void Backward<T>(bool log, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int outer, int axis, int inner, Span<T> dx, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * axis * inner + i;
                double s = 0;
                for (int a = 0; a < axis; a++)
                    s += log ? double.CreateTruncating(dy[b + a * inner]) : double.CreateTruncating(dy[b + a * inner] * y[b + a * inner]);
                T st = T.CreateTruncating(s);
                for (int a = 0; a < axis; a++)
                {
                    int k = b + a * inner;
                    T g = log ? dy[k] - T.Exp(y[k]) * st : y[k] * (dy[k] - st);
                    dx[k] = accumulate ? dx[k] + g : g;
                }
            }
    }
}
