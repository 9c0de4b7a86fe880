// How far a device run may drift from the CPU oracle after a few Adam steps, and a max-difference helper for
// the training device tests (GanTrainerDeviceTests, TrainerDeviceTests).
//
// Why a bound on Adam's step and not on the gradient: a conv bias followed by a normalisation has a true
// gradient of 0, so what each device computes for it is rounding noise of either sign, and Adam's normalised
// step lr m / (sqrt(v) + eps) turns that noise into a full-size move (measured: the largest device-vs-CPU
// differences are such biases). At step t, m and v are bias-corrected weighted sums sum_k a_k g_k and
// sum_k w_k g_k^2, so by Cauchy-Schwarz |m| / sqrt(v) <= sqrt(sum_k a_k^2 / w_k) = C_t (C_1 = 1; C_2 = 1.054 at
// betas 0.5 / 0.999, 1.003 at 0.9 / 0.999). Two copies moving in opposite directions part by at most
// 2 lr sum_t C_t. Weights with a real gradient agree far closer; the tests print the measured maximum.
using Opacity.Tensors;

namespace Opacity.Gan.Tests.Training;

internal static class DeviceTolerance
{
    /// <summary>2 lr sum_{t=1..steps} C_t for a constant learning rate.</summary>
    public static double AdamBound(double lr, double beta1, double beta2, int steps)
    {
        double total = 0;
        for (int t = 1; t <= steps; t++)
        {
            double c = 0;
            for (int k = 1; k <= t; k++)
            {
                double a = (1 - beta1) * Math.Pow(beta1, t - k) / (1 - Math.Pow(beta1, t));
                double w = (1 - beta2) * Math.Pow(beta2, t - k) / (1 - Math.Pow(beta2, t));
                c += a * a / w;
            }
            total += Math.Sqrt(c);
        }
        return 2 * lr * total;
    }

    /// <summary>Largest |a - b| over tensors of the same names (the names and shapes must agree), and where.</summary>
    public static (double Max, string Where) MaxDifference(IReadOnlyDictionary<string, Tensor> x, IReadOnlyDictionary<string, Tensor> y)
    {
        Assert.That(y.Keys.Order(), Is.EqualTo(x.Keys.Order()));
        double max = 0;
        string where = "";
        foreach (var (name, t) in x)
        {
            Assert.That(y[name].Shape, Is.EqualTo(t.Shape), name);
            float[] p = t.ToArray(), q = y[name].ToArray();
            for (int i = 0; i < p.Length; i++)
                if (Math.Abs(p[i] - q[i]) > max) { max = Math.Abs(p[i] - q[i]); where = $"{name}[{i}]"; }
        }
        return (max, where);
    }
}
