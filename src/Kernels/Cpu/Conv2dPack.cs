// Implicit im2col for conv-as-GEMM: packers that build GEMM slivers straight from one NCHW image, so the
// column matrix col[r, pix] (r = (ic, kh, kw), pix = (oh, ow)), K*P floats (37 MB for 64ch 3x3 at 128 px),
// is never materialised; each Kc x Nc block is gathered into the packing buffer that the GEMM needs anyway.
//   Im2ColPackB   B = col      (K x P), for Forward:         y[oc, pix]  = w[oc, r] col[r, pix]
//   Im2ColTPackB  B = col^T    (P x K), for BackwardWeight:  dw[oc, r]  += dy[oc, pix] col[r, pix]
// Col2Im.ScatterRow is the adjoint (dx[ic, ih, iw] += dcol[r, pix]) used by Conv2d's strided BackwardInput.
// Legend: S stride, P pad, D dilation; output pixel (oh, ow) and tap (kh, kw) read x[ic, oh*S-P+kh*D, ow*S-P+kw*D].
// Tested through Conv2dTests against ConvReference (odd sizes, stride 1/2, pad 0/1/3, dilation 1/2).
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Opacity.Kernels.Cpu.Simd;

namespace Opacity.Kernels.Cpu;

/// <summary>One image's im2col addressing: plane pointers and the row/segment walk shared by the packers.</summary>
internal readonly unsafe struct Im2ColImage(float* x, in ConvGeometry g)
{
    private readonly float* _x = x;
    private readonly int _h = g.InH, _w = g.InW, _kh = g.KernelH, _kw = g.KernelW, _ow = g.OutW;
    private readonly int _sh = g.StrideH, _sw = g.StrideW, _ph = g.PadH, _pw = g.PadW, _dh = g.DilationH, _dw = g.DilationW;

    /// <summary>col[r, pix .. pix+count) into dst[t * ds] (zeros where the tap falls in the padding).</summary>
    public void Gather(int r, int pix, int count, float* dst, int ds)
    {
        int kk = _kh * _kw, ic = r / kk, rem = r - ic * kk, kh = rem / _kw, kw = rem - kh * _kw;
        float* plane = _x + (long)ic * _h * _w;
        int oh = pix / _ow, ow = pix - oh * _ow;
        while (count > 0)
        {
            int len = Math.Min(count, _ow - ow);
            int ih = oh * _sh - _ph + kh * _dh;
            if ((uint)ih >= (uint)_h)
            {
                Zero(dst, ds, 0, len);
            }
            else
            {
                float* row = plane + (long)ih * _w;
                int iw0 = ow * _sw - _pw + kw * _dw;
                (int lo, int hi) = ValidRange(iw0, _sw, _w, len);
                Zero(dst, ds, 0, lo);
                if (ds == 1 && _sw == 1) new ReadOnlySpan<float>(row + iw0 + lo, hi - lo).CopyTo(new Span<float>(dst + lo, hi - lo));
                else for (int t = lo; t < hi; t++) dst[t * ds] = row[iw0 + t * _sw];
                Zero(dst, ds, hi, len);
            }
            dst += (long)len * ds;
            count -= len;
            oh++;
            ow = 0;
        }
    }

    /// <summary>The adjoint of Gather with ds = 1: dx[ic, ih, iw] += src[t] for every in-range tap.</summary>
    public void Scatter(int r, int pix, int count, float* src)
    {
        int kk = _kh * _kw, ic = r / kk, rem = r - ic * kk, kh = rem / _kw, kw = rem - kh * _kw;
        float* plane = _x + (long)ic * _h * _w;
        int oh = pix / _ow, ow = pix - oh * _ow;
        while (count > 0)
        {
            int len = Math.Min(count, _ow - ow);
            int ih = oh * _sh - _ph + kh * _dh;
            if ((uint)ih < (uint)_h)
            {
                float* row = plane + (long)ih * _w;
                int iw0 = ow * _sw - _pw + kw * _dw;
                (int lo, int hi) = ValidRange(iw0, _sw, _w, len);
                if (_sw == 1)
                {
                    var d = new Span<float>(row + iw0 + lo, hi - lo);
                    TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + lo, hi - lo), d);
                }
                else
                {
                    for (int t = lo; t < hi; t++) row[iw0 + t * _sw] += src[t];
                }
            }
            src += len;
            count -= len;
            oh++;
            ow = 0;
        }
    }

    // t in [lo, hi) keeps 0 <= iw0 + t*s < w, clamped to [0, len).
    private static (int Lo, int Hi) ValidRange(int iw0, int s, int w, int len)
    {
        int lo = iw0 >= 0 ? 0 : (-iw0 + s - 1) / s;
        int hi = iw0 >= w ? 0 : (w - 1 - iw0) / s + 1;
        lo = Math.Min(lo, len);
        hi = Math.Clamp(hi, lo, len);
        return (lo, hi);
    }

    private static void Zero(float* dst, int ds, int from, int to)
    {
        if (ds == 1) { if (to > from) new Span<float>(dst + from, to - from).Clear(); }
        else for (int t = from; t < to; t++) dst[(long)t * ds] = 0f;
    }
}

/// <summary>B = col (rows r = (ic, kh, kw), columns = output pixels). Each depth row is gathered once for the
/// whole block (one call per row, not per sliver: the per-call addressing cost is what dominated packing),
/// into a thread-static row buffer, then cut into NR-wide pieces.</summary>
internal readonly unsafe struct Im2ColPackB(Im2ColImage image) : IGemmPackB
{
    public void Pack(float* dst, int nr, int p0, int kc, int j0, int nc)
    {
        int slivers = (nc + nr - 1) / nr;
        float* row = PackScratch.Row(slivers * nr);
        for (int c = nc; c < slivers * nr; c++) row[c] = 0f;  // the zero tail survives: Gather writes [0, nc)
        uint bytes = (uint)(nr * sizeof(float));
        for (int p = 0; p < kc; p++)
        {
            image.Gather(p0 + p, j0, nc, row, 1);
            float* d = dst + p * nr;
            for (int s = 0; s < slivers; s++) Unsafe.CopyBlock(d + (long)s * nr * kc, row + s * nr, bytes);
        }
    }
}

/// <summary>B = col^T (rows = output pixels, columns r = (ic, kh, kw)). Each sliver's columns are gathered as
/// contiguous col rows into the thread-static row buffer, then transposed into the sliver (PanelTranspose);
/// gathering straight into the sliver stored one float at a stride of NR per element, which made dw's packing
/// cost as much as its multiply-adds.</summary>
internal readonly unsafe struct Im2ColTPackB(Im2ColImage image) : IGemmPackB
{
    public void Pack(float* dst, int nr, int p0, int kc, int j0, int nc)
    {
        float* rows = PackScratch.Row(nr * kc);
        for (int s = 0; s * nr < nc; s++, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - s * nr);
            for (int c = 0; c < cols; c++) image.Gather(j0 + s * nr + c, p0, kc, rows + (long)c * kc, 1);
            PanelTranspose.Pack(rows, kc, cols, kc, dst, nr);
        }
    }
}
