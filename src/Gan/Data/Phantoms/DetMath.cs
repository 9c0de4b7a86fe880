// Deterministic elementary functions for the phantom generator: exp, log, pow, sin, cos built from plain
// IEEE double arithmetic (+ - * / and Math.Sqrt, Math.Round, Math.Floor, which are exact/correctly rounded
// everywhere). System.Math.Exp/Log/Sin/Cos call the platform C library and may differ in the last bit
// between machines; a phantom must be byte-identical for a seed on any machine, so we do not use them.
// One version; accuracy ~1e-15 relative, far below the 16-bit output quantisation.
// Tested by DetMathTests (against System.Math to 1e-13) and by the byte-determinism tests.
namespace Opacity.Gan.Data.Phantoms;

internal static class DetMath
{
    private const double Ln2 = 0.6931471805599453;
    private const double TwoPi = 6.283185307179586;
    // 1/k! (constant-folded by the compiler, so the same bits everywhere)
    private const double I2 = 1.0 / 2, I3 = I2 / 3, I4 = I3 / 4, I5 = I4 / 5, I6 = I5 / 6, I7 = I6 / 7, I8 = I7 / 8;
    private const double I9 = I8 / 9, I10 = I9 / 10, I11 = I10 / 11, I12 = I11 / 12, I13 = I12 / 13;

    /// <summary><c>e^x</c>; underflows to 0 below -708, saturates at +709.</summary>
    public static double Exp(double x)
    {
        if (x < -708) return 0;
        if (x > 709) x = 709;
        double k = Math.Round(x / Ln2);
        double r = x - k * Ln2;                       // |r| <= ln2/2
        // Taylor series to degree 13 in Horner form: r^14/14! < 4e-17 for |r| <= 0.347.
        double sum = 1 + r * (1 + r * (I2 + r * (I3 + r * (I4 + r * (I5 + r * (I6 + r * (I7 + r * (I8 + r * (I9 + r * (I10 + r * (I11 + r * (I12 + r * I13))))))))))));
        return sum * Pow2((int)k);
    }

    /// <summary>Natural logarithm for <c>x &gt; 0</c>; returns -745 for x &lt;= 0 (the log of the smallest double).</summary>
    public static double Log(double x)
    {
        if (x <= 0) return -745;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF);
        if (e == 0)                                   // subnormal: rescale into the normal range
            return Log(x * 4503599627370496.0) - 52 * Ln2;
        e -= 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1,2)
        if (m > 1.4142135623730951) { m *= 0.5; e++; }
        // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: the odd series to s^25 is exact to 1e-19.
        double s = (m - 1) / (m + 1), s2 = s * s;
        double sum = s * (1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 + s2 * (1.0 / 13
                   + s2 * (1.0 / 15 + s2 * (1.0 / 17 + s2 * (1.0 / 19 + s2 * (1.0 / 21 + s2 * (1.0 / 23 + s2 * (1.0 / 25)))))))))))));
        return 2 * sum + e * Ln2;
    }

    /// <summary><c>a^b</c> for <c>a &gt;= 0</c> (0^b = 0 for b &gt; 0).</summary>
    public static double Pow(double a, double b) => a <= 0 ? 0 : Exp(b * Log(a));

    public static double Sin(double x)
    {
        SinCos(x, out double s, out _);
        return s;
    }

    public static double Cos(double x)
    {
        SinCos(x, out _, out double c);
        return c;
    }

    /// <summary>sin and cos together: reduce to [-pi, pi], evaluate at x/4 by Taylor, double the angle twice.</summary>
    public static void SinCos(double x, out double sin, out double cos)
    {
        x -= Math.Round(x / TwoPi) * TwoPi;
        double q = x * 0.25, q2 = q * q;              // |q| <= 0.786
        double s = q, c = 1, ts = q, tc = 1;
        for (int i = 1; i <= 9; i++)
        {
            ts *= -q2 / ((2 * i) * (2 * i + 1));
            tc *= -q2 / ((2 * i - 1) * (2 * i));
            s += ts;
            c += tc;
        }
        for (int k = 0; k < 2; k++)
        {
            double s2 = 2 * s * c;
            c = c * c - s * s;
            s = s2;
        }
        sin = s;
        cos = c;
    }

    /// <summary>Smooth 0..1 ramp: 0 below <paramref name="e0"/>, 1 above <paramref name="e1"/>, cubic between.</summary>
    public static double SmoothStep(double e0, double e1, double x)
    {
        double t = (x - e0) / (e1 - e0);
        if (t <= 0) return 0;
        if (t >= 1) return 1;
        return t * t * (3 - 2 * t);
    }

    public static double Clamp01(double x) => x < 0 ? 0 : x > 1 ? 1 : x;

    private static double Pow2(int k)
    {
        if (k < -1022) return Pow2(-1022) * Pow2(k + 1022);
        return BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }
}
