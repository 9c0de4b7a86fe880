// Packing of GEMM operands into micro-kernel slivers (BLIS layout), for plain row-major matrices.
// A block (rows i0..i0+mc, depth p0..p0+kc) -> ceil(mc/MR) slivers, sliver s at dst + s*MR*kc, element [p*MR + r].
// B block (depth p0..p0+kc, cols j0..j0+nc) -> ceil(nc/NR) slivers, sliver s at dst + s*NR*kc, element [p*NR + j].
// Rows/columns past the end are zero, so the micro-kernel always runs full tiles. Transposing packs (A stored
// row-major, B stored transposed) go through PanelTranspose's register transposes.
// The packers are unmanaged structs (raw pointers) so the generic driver (GemmPacked.cs) is specialised per
// packer by the JIT and can hand them to worker threads; implicit-im2col packers for conv live in Conv2dPack.cs.
// Tested through GemmTests (all four transpose combinations against GemmReference).
using Opacity.Kernels.Cpu.Simd;

namespace Opacity.Kernels.Cpu;

internal unsafe interface IGemmPackA
{
    void Pack(float* dst, int mr, int i0, int mc, int p0, int kc);
}

internal unsafe interface IGemmPackB
{
    void Pack(float* dst, int nr, int p0, int kc, int j0, int nc);
}

/// <summary>op(A) = A (row-major m x k, leading dimension ld) or A^T (A stored k x m).</summary>
internal readonly unsafe struct MatrixPackA(float* a, int ld, bool trans) : IGemmPackA
{
    public void Pack(float* dst, int mr, int i0, int mc, int p0, int kc)
    {
        for (int s = 0; s * mr < mc; s++, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - s * mr);
            int i = i0 + s * mr;
            if (trans)
            {
                // op(A)[i+r, p] = a[p*ld + i + r]: a contiguous run of `rows` per depth step.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * ld + i;
                    float* d = dst + p * mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = 0f;
                }
            }
            else
            {
                PanelTranspose.Pack(a + (long)i * ld + p0, ld, rows, kc, dst, mr);
            }
        }
    }
}

/// <summary>op(B) = B (row-major k x n, leading dimension ld) or B^T (B stored n x k).</summary>
internal readonly unsafe struct MatrixPackB(float* b, int ld, bool trans) : IGemmPackB
{
    public void Pack(float* dst, int nr, int p0, int kc, int j0, int nc)
    {
        for (int s = 0; s * nr < nc; s++, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - s * nr);
            int j = j0 + s * nr;
            if (trans)
            {
                // op(B)[p, j+c] = b[(j+c)*ld + p]: stored rows become sliver columns.
                PanelTranspose.Pack(b + (long)j * ld + p0, ld, cols, kc, dst, nr);
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * ld + j;
                    var d = new Span<float>(dst + p * nr, nr);
                    new ReadOnlySpan<float>(src, cols).CopyTo(d);
                    if (cols < nr) d[cols..].Clear();
                }
            }
        }
    }
}
