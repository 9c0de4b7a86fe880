// Copies NCHW images into a zero-bordered buffer in one pass: every element of the padded planes is written
// (the interior from x, the borders as zeros), so the buffer needs no clearing first. Why: the direct conv
// kernels (Conv2dV3, Conv2dV3Weight) cleared their whole pooled buffer and then copied the interior, two
// single-threaded passes over up to 0.8 MB per call (a 48-channel 64-px map) before the threaded work began.
// Tested through Conv2dTests (every direct shape, buffers reused dirty from the pool) and ZeroPadTests.
using System.Runtime.CompilerServices;

namespace Opacity.Kernels.Cpu;

internal static unsafe class ZeroPad
{
    /// <summary>xpad[c, h + padH, w + padW] = x[c, h, w] for each of <paramref name="channels"/> planes of
    /// h x w, zero elsewhere in the (h + 2 padH) x (w + 2 padW) planes; nothing past them is touched.</summary>
    public static void Planes(float* x, int channels, int h, int w, int padH, int padW, float* xpad)
    {
        int wp = w + 2 * padW;
        uint rowBytes = (uint)(w * sizeof(float)), padBytes = (uint)(padW * sizeof(float));
        uint borderBytes = (uint)((long)padH * wp * sizeof(float));
        for (int c = 0; c < channels; c++)
        {
            Unsafe.InitBlockUnaligned(xpad, 0, borderBytes);
            xpad += (long)padH * wp;
            for (int ih = 0; ih < h; ih++, xpad += wp, x += w)
            {
                Unsafe.InitBlockUnaligned(xpad, 0, padBytes);
                Unsafe.CopyBlockUnaligned(xpad + padW, x, rowBytes);
                Unsafe.InitBlockUnaligned(xpad + padW + w, 0, padBytes);
            }
            Unsafe.InitBlockUnaligned(xpad, 0, borderBytes);
            xpad += (long)padH * wp;
        }
    }
}
