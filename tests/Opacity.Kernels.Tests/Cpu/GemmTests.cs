// SGEMM (every version and micro-kernel shape) against the scalar GemmReference: all transpose combinations,
// sizes {0,1,3,17,65,130} in every m,n,k combination, beta 0 over a NaN-filled C, beta 1 and a general
// alpha/beta, padded leading dimensions, block-crossing and threaded sizes, and argument validation.
using Opacity.Kernels.Cpu;
using Opacity.Kernels.Cpu.Reference;

namespace Opacity.Kernels.Tests.Cpu;

public sealed class GemmTests
{
    private const float Atol = 1e-4f, Rtol = 1e-4f;
    private static readonly int[] Sizes = [0, 1, 3, 17, 65, 130];

    public static IEnumerable<TestCaseData> Variants()
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                yield return new TestCaseData(1, nameof(GemmKernelShape.Avx512_12x32), ta, tb).SetArgDisplayNames("v1", $"tA={ta}", $"tB={tb}");
                yield return new TestCaseData(2, nameof(GemmKernelShape.Avx512_12x32), ta, tb).SetArgDisplayNames("v2-12x32", $"tA={ta}", $"tB={tb}");
                yield return new TestCaseData(2, nameof(GemmKernelShape.V256_6x16), ta, tb).SetArgDisplayNames("v2-6x16", $"tA={ta}", $"tB={tb}");
            }
    }

    [TestCaseSource(nameof(Variants))]
    public void Matches_reference_over_size_sweep(int version, string kernel, bool transA, bool transB)
    {
        var shape = Enum.Parse<GemmKernelShape>(kernel);
        if (shape == GemmKernelShape.Avx512_12x32 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Ignore("no AVX-512 on this machine");
        int seed = 0;
        foreach (int m in Sizes) foreach (int n in Sizes) foreach (int k in Sizes)
        {
            Check(version, shape, transA, transB, m, n, k, 1f, 0f, pad: 0, seed++);
            Check(version, shape, transA, transB, m, n, k, 1f, 1f, pad: 0, seed++);
        }
    }

    [TestCaseSource(nameof(Variants))]
    public void Matches_reference_with_padded_ld_alpha_beta_and_large_blocks(int version, string kernel, bool transA, bool transB)
    {
        var shape = Enum.Parse<GemmKernelShape>(kernel);
        if (shape == GemmKernelShape.Avx512_12x32 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Ignore("no AVX-512 on this machine");
        Check(version, shape, transA, transB, 17, 65, 3, 1.5f, 0.5f, pad: 3, 1);
        Check(version, shape, transA, transB, 130, 17, 65, -0.75f, 0f, pad: 5, 2);
        // Crosses Mc (144), Kc (256) and the threading threshold (2^20 multiply-adds); then Nc (2048).
        Check(version, shape, transA, transB, 301, 257, 520, 1f, 1f, pad: 1, 3);
        Check(version, shape, transA, transB, 13, 2100, 7, 1f, 0f, pad: 0, 4);
    }

    // The 8- and 4-row cuts of the 12x32 kernel (a last row block of M mod 12 <= 8, e.g. OC = 16 as 12 + 4) must
    // give the full kernel's rows bit for bit (same FMAs in the same order per element), so switching a conv's
    // last block to a cut cannot move a training run; and they must not write C below their rows.
    [TestCase(4, 1, 1f, 0f)]
    [TestCase(4, 37, 1f, 1f)]
    [TestCase(8, 144, 1f, 1f)]
    [TestCase(8, 300, -0.5f, 0.75f)]
    public unsafe void Row_cuts_match_the_full_kernel_bit_for_bit(int rows, int kc, float alpha, float beta)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Ignore("no AVX-512 on this machine");
        const int ldc = 40;
        float[] a = CloseAssert.Random(12 * kc, 1), b = CloseAssert.Random(kc * 32 + 16, 2), c0 = CloseAssert.Random(12 * ldc, 3);
        float[] full = (float[])c0.Clone(), cut = (float[])c0.Clone();
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pf = full) fixed (float* pc = cut)
        {
            GemmMicroKernel.Kernel12x32(kc, pa, pb, pf, ldc, alpha, beta);
            if (rows == 4) GemmMicroKernel.Kernel4x32(kc, pa, pb, pc, ldc, alpha, beta);
            else GemmMicroKernel.Kernel8x32(kc, pa, pb, pc, ldc, alpha, beta);
        }
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < ldc; j++)
            {
                float want = i < rows && j < 32 ? full[i * ldc + j] : c0[i * ldc + j];
                Assert.That(BitConverter.SingleToInt32Bits(cut[i * ldc + j]), Is.EqualTo(BitConverter.SingleToInt32Bits(want)),
                    $"{rows}-row cut, row {i}, column {j}");
            }
    }

    [Test]
    public void Rejects_short_spans_and_bad_leading_dimensions()
    {
        var a = new float[6]; var b = new float[6]; var c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, new float[3], 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.DoesNotThrow(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }

    private static void Check(int version, GemmKernelShape shape, bool ta, bool tb, int m, int n, int k,
        float alpha, float beta, int pad, int seed)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = CloseAssert.Random(Math.Max(0, aRows * lda), seed);
        float[] b = CloseAssert.Random(Math.Max(0, bRows * ldb), seed + 1000);
        float[] c0 = beta == 0f ? Enumerable.Repeat(float.NaN, m * ldc).ToArray() : CloseAssert.Random(m * ldc, seed + 2000);
        float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
        GemmReference.Gemm(ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, expected, Math.Max(1, ldc));
        Gemm.Sgemm(version, shape, ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, actual, Math.Max(1, ldc));
        if (pad > 0)
        {
            // Padding columns of C are outside the matrix: they must come back untouched (NaN stays NaN).
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++)
                    Assert.That(BitConverter.SingleToInt32Bits(actual[i * ldc + j]), Is.EqualTo(BitConverter.SingleToInt32Bits(c0[i * ldc + j])), "C padding was written");
        }
        float[] e = new float[m * n], g = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            Array.Copy(expected, i * ldc, e, i * n, n);
            Array.Copy(actual, i * ldc, g, i * n, n);
        }
        CloseAssert.Close(e, g, Atol, Rtol, $"sgemm v{version} {shape} tA={ta} tB={tb} m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad}");
    }
}
