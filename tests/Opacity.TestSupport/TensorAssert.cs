// One comparison rule everywhere (STYLE.md G4, llm.c's check_tensor): |ref - got| <= atol + rtol*|ref|.
// On failure the message lists the first mismatches, the worst element and its index.
using System.Text;
using NUnit.Framework;
using Opacity.Tensors;

namespace Opacity.TestSupport;

public static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, double atol, double rtol, string name)
    {
        if (expected.Shape != actual.Shape)
            Assert.Fail($"{name}: shape {actual.Shape} differs from expected {expected.Shape}.");
        Close(expected.ToArrayF64(), actual.ToArrayF64(), atol, rtol, name);
    }

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol, string name)
    {
        if (expected.Length != actual.Length)
            Assert.Fail($"{name}: {actual.Length} values, expected {expected.Length}.");
        int bad = 0, worst = -1;
        double worstExcess = double.NegativeInfinity, maxAbs = 0;
        var first = new StringBuilder();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], diff = Math.Abs(e - a);
            bool ok = diff <= atol + rtol * Math.Abs(e) || (double.IsNaN(e) && double.IsNaN(a)) || (e == a);
            if (!double.IsNaN(diff)) maxAbs = Math.Max(maxAbs, diff);
            double excess = double.IsNaN(diff) ? double.PositiveInfinity : diff - (atol + rtol * Math.Abs(e));
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
            if (!ok && bad++ < 5) first.Append($"\n  [{i}] expected {e:G9}, got {a:G9} (|diff| {diff:G3})");
        }
        if (bad > 0)
            Assert.Fail($"{name}: {bad} of {expected.Length} elements outside atol {atol:G3} + rtol {rtol:G3}*|ref|; max |diff| {maxAbs:G3}, worst at [{worst}] (expected {expected[worst]:G9}, got {actual[worst]:G9}).{first}");
    }

    public static void Close(float[] expected, float[] actual, double atol, double rtol, string name)
        => Close(Array.ConvertAll(expected, v => (double)v), Array.ConvertAll(actual, v => (double)v), atol, rtol, name);
}
