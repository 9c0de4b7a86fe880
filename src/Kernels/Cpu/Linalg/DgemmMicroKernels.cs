// DGEMM micro-kernels: one MR x NR tile of C from packed slivers (A: kc columns of MR values, B: kc rows of NR
// values). Versions: Kernel8x16 (Vector512, 16 accumulators), Kernel6x8 (Vector256, 12 accumulators),
// KernelScalar (no SIMD). Dgemm picks the widest the CPU accelerates. Tested through DgemmTests.
// C = alpha * acc + beta * C; beta == 0 means C is write-only.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Opacity.Kernels.Cpu.Linalg;

internal static unsafe class DgemmMicroKernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8x16(int kc, double* a, double* b, double alpha, double beta, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<double> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<double> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<double> b0 = Vector512.Load(b);
            Vector512<double> b1 = Vector512.Load(b + 8);
            Vector512<double> ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00); c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10); c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20); c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30); c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40); c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50); c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60); c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70); c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            a += 8;
            b += 16;
        }
        Store512(c, c00, c01, alpha, beta);
        Store512(c + ldc, c10, c11, alpha, beta);
        Store512(c + 2 * ldc, c20, c21, alpha, beta);
        Store512(c + 3 * ldc, c30, c31, alpha, beta);
        Store512(c + 4 * ldc, c40, c41, alpha, beta);
        Store512(c + 5 * ldc, c50, c51, alpha, beta);
        Store512(c + 6 * ldc, c60, c61, alpha, beta);
        Store512(c + 7 * ldc, c70, c71, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(double* c, Vector512<double> x0, Vector512<double> x1, double alpha, double beta)
    {
        Vector512<double> va = Vector512.Create(alpha);
        if (beta == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + 8);
        }
        else
        {
            Vector512<double> vb = Vector512.Create(beta);
            Vector512.FusedMultiplyAdd(x0, va, Vector512.Load(c) * vb).Store(c);
            Vector512.FusedMultiplyAdd(x1, va, Vector512.Load(c + 8) * vb).Store(c + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x8(int kc, double* a, double* b, double alpha, double beta, double* c, int ldc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<double> b0 = Vector256.Load(b);
            Vector256<double> b1 = Vector256.Load(b + 4);
            Vector256<double> ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00); c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10); c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20); c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30); c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40); c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50); c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 8;
        }
        Store256(c, c00, c01, alpha, beta);
        Store256(c + ldc, c10, c11, alpha, beta);
        Store256(c + 2 * ldc, c20, c21, alpha, beta);
        Store256(c + 3 * ldc, c30, c31, alpha, beta);
        Store256(c + 4 * ldc, c40, c41, alpha, beta);
        Store256(c + 5 * ldc, c50, c51, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(double* c, Vector256<double> x0, Vector256<double> x1, double alpha, double beta)
    {
        Vector256<double> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            (x0 * va).Store(c);
            (x1 * va).Store(c + 4);
        }
        else
        {
            Vector256<double> vb = Vector256.Create(beta);
            Vector256.FusedMultiplyAdd(x0, va, Vector256.Load(c) * vb).Store(c);
            Vector256.FusedMultiplyAdd(x1, va, Vector256.Load(c + 4) * vb).Store(c + 4);
        }
    }

    public static void KernelScalar(int kc, double* a, double* b, double alpha, double beta, double* c, int ldc, int mr, int nr)
    {
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++)
            {
                double s = 0;
                for (int p = 0; p < kc; p++)
                    s = Math.FusedMultiplyAdd(a[p * mr + i], b[p * nr + j], s);
                double* cij = c + (nint)i * ldc + j;
                *cij = alpha * s + (beta == 0 ? 0 : beta * *cij);
            }
    }
}
