// Symmetrising and mirroring square row-major matrices in 64 x 64 tiles: the transposed partner of each
// element is read from a tile that is still in cache, instead of a column walk with a 16 KB stride at d = 2048
// (which maps every access of a column onto a few cache sets). One version; exercised by every SYRK and
// TraceSqrtProduct test.
namespace Opacity.Kernels.Cpu.Linalg;

internal static class Symmetrise
{
    private const int Tile = 64;

    /// <summary>dst[i, j] = dst[j, i] = 0.5 (src[i, j] + src[j, i]) * w[i] * w[j] (w = 1 when empty).
    /// src and dst may be the same buffer.</summary>
    public static void Average(ReadOnlySpan<double> src, Span<double> dst, int n, ReadOnlySpan<double> w)
    {
        bool scaled = !w.IsEmpty;
        for (int i0 = 0; i0 < n; i0 += Tile)
            for (int j0 = i0; j0 < n; j0 += Tile)
            {
                int i1 = Math.Min(i0 + Tile, n), j1 = Math.Min(j0 + Tile, n);
                for (int i = i0; i < i1; i++)
                    for (int j = Math.Max(j0, i); j < j1; j++)
                    {
                        double v = 0.5 * (src[i * n + j] + src[j * n + i]);
                        if (scaled)
                            v *= w[i] * w[j];
                        dst[i * n + j] = v;
                        dst[j * n + i] = v;
                    }
            }
    }

    /// <summary>Copies the strict upper triangle of C (leading dimension ldc) onto the lower one.</summary>
    public static unsafe void MirrorUpper(double* c, int n, int ldc)
    {
        for (int i0 = 0; i0 < n; i0 += Tile)
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                int i1 = Math.Min(i0 + Tile, n), j1 = Math.Min(j0 + Tile, n);
                for (int i = i0; i < i1; i++)
                {
                    double* row = c + (nint)i * ldc;
                    for (int j = j0; j < Math.Min(j1, i); j++)
                        row[j] = c[(nint)j * ldc + i];
                }
            }
    }
}
