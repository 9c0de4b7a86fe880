// Runs one catalog op on a device in float32 and compares its output and input gradients with the
// CPU float64 reference (the numerical oracle), with the op's float32 tolerances (gradients x10, as the
// CPU catalog test). Used by DeviceCatalogTests and by `opacity selftest`.
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Diagnostics;

/// <summary>Worst error of one op on one device: <c>|got - want| - (atol + rtol·|want|)</c> must stay &lt;= 0.</summary>
public sealed record DeviceCheckResult(string Op, string Device, bool Passed, double MaxAbsError, string Detail, double Milliseconds);

public static class DeviceCheck
{
    public static DeviceCheckResult Run(OpCase op, Device device)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var scope = TensorScope.Begin();
        try
        {
            Tensor[] x64 = op.MakeInputs(DType.F64), xd = op.MakeInputs(DType.F32, device: device);
            Tensor y64 = op.Fn(x64), yd = op.Fn(xd);
            if (yd.Device != device) return Fail(op, device, $"output is on {yd.Device}, not {device}", clock);
            Tensor w = Tensor.Normal(y64.Shape, new Rng(3), dtype: DType.F64);
            (y64 * w).Sum().Backward();
            (yd * w.To(DType.F32).To(device)).Sum().Backward();
            var (worst, what) = Compare(y64.ToArrayF64(), yd.ToArrayF64(), op.Atol32, op.Rtol32, "forward");
            double maxAbs = worst.Abs;
            bool passed = worst.Excess <= 0;
            for (int i = 0; i < xd.Length; i++)
            {
                if (!xd[i].RequiresGrad) continue;
                if (xd[i].Grad is null) return Fail(op, device, $"input {i} got no gradient", clock);
                var (g, gw) = Compare(x64[i].Grad!.ToArrayF64(), xd[i].Grad!.ToArrayF64(), op.Atol32 * 10, op.Rtol32 * 10, $"d/d(input {i})");
                maxAbs = Math.Max(maxAbs, g.Abs);
                if (g.Excess > 0 && passed) { passed = false; what = gw; }
                else if (g.Excess > worst.Excess && !passed) what = gw;
            }
            return new DeviceCheckResult(op.Name, device.ToString(), passed, maxAbs, passed ? "" : what, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(op, device, $"{e.GetType().Name}: {e.Message}", clock);
        }
    }

    private static DeviceCheckResult Fail(OpCase op, Device device, string why, System.Diagnostics.Stopwatch clock)
        => new(op.Name, device.ToString(), false, double.NaN, why, clock.Elapsed.TotalMilliseconds);

    private static ((double Excess, double Abs), string What) Compare(double[] want, double[] got, double atol, double rtol, string what)
    {
        if (want.Length != got.Length) return ((double.PositiveInfinity, double.NaN), $"{what}: {got.Length} elements, expected {want.Length}");
        double excess = double.NegativeInfinity, maxAbs = 0;
        int at = -1;
        for (int i = 0; i < want.Length; i++)
        {
            double d = Math.Abs(got[i] - want[i]);
            double e = double.IsNaN(d) ? double.PositiveInfinity : d - (atol + rtol * Math.Abs(want[i]));
            maxAbs = Math.Max(maxAbs, double.IsNaN(d) ? double.PositiveInfinity : d);
            if (e > excess) { excess = e; at = i; }
        }
        if (at < 0) return ((0, 0), "");
        return ((excess, maxAbs), $"{what}[{at}] = {got[at]:G9}, expected {want[at]:G9} (atol {atol:G3}, rtol {rtol:G3})");
    }
}
