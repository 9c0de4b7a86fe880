// Instance norm and batch norm (NCHW). Instance norm: statistics per (n, c) plane, always from the
// input (as PyTorch's InstanceNorm2d with track_running_stats=False). Batch norm: statistics per
// channel over (N, H, W) in training, running statistics in eval; training updates the running
// mean and the unbiased running variance with the given momentum, outside the graph.
// Variance in the normalisation is biased (divide by M), as PyTorch. Gamma/beta optional (affine).
using Opacity.Tensors.Autograd;

namespace Opacity.Tensors.Ops;

internal sealed class Normalize : Node
{
    private readonly bool _perInstance, _batchStatistics;
    private readonly Tensor _mean, _rstd;
    private readonly bool _hasGamma, _hasBeta;

    private Normalize(bool perInstance, bool batchStatistics, Tensor x, Tensor? gamma, Tensor? beta, Tensor mean, Tensor rstd)
        : base([x, .. gamma is null ? Array.Empty<Tensor>() : [gamma], .. beta is null ? Array.Empty<Tensor>() : [beta]])
    {
        _perInstance = perInstance; _batchStatistics = batchStatistics;
        _mean = mean; _rstd = rstd; _hasGamma = gamma is not null; _hasBeta = beta is not null;
    }

    public override string Name => _perInstance ? "InstanceNorm" : "BatchNorm";

    private static void Check(string op, Tensor x, Tensor? p, string name)
    {
        if (x.Rank < 2) throw new ShapeMismatchException($"{op}: input {x.Describe()} needs at least (N, C).");
        if (p is null) return;
        OpChecks.SameKind(op, x, p);
        if (p.Rank != 1 || p.Shape[0] != x.Shape[1])
            throw new ShapeMismatchException($"{op}: {name} {p.Describe()} must have shape [{x.Shape[1]}] for input {x.Describe()}.");
    }

    public static Tensor InstanceNorm(Tensor x, Tensor? gamma, Tensor? beta, double eps)
    {
        Check("InstanceNorm", x, gamma, "weight"); Check("InstanceNorm", x, beta, "bias");
        int groups = x.Shape[0] * x.Shape[1];
        Tensor mean = Tensor.Empty(new Shape(groups), x.DType, x.Device), rstd = Tensor.Empty(new Shape(groups), x.DType, x.Device);
        Tensor y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using (Profiler.Scope("InstanceNorm"))
        {
            x.Backend.NormStatistics(x, perInstance: true, eps, mean, rstd);
            x.Backend.NormApply(x, perInstance: true, mean, rstd, gamma, beta, y);
        }
        return Record(new Normalize(true, true, x, gamma, beta, mean, rstd), y);
    }

    public static Tensor BatchNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar, bool training, double momentum, double eps)
    {
        Check("BatchNorm", x, gamma, "weight"); Check("BatchNorm", x, beta, "bias");
        Check("BatchNorm", x, runningMean, "running mean"); Check("BatchNorm", x, runningVar, "running var");
        int c = x.Shape[1];
        long m = x.Numel / c;
        Tensor mean = Tensor.Empty(new Shape(c), x.DType, x.Device), rstd = Tensor.Empty(new Shape(c), x.DType, x.Device);
        Tensor y = Tensor.Empty(x.Shape, x.DType, x.Device);
        using (Profiler.Scope("BatchNorm"))
        {
            if (training)
            {
                if (m < 2) throw new ShapeMismatchException($"BatchNorm: training needs more than one value per channel, got {x.Describe()}.");
                x.Backend.NormStatistics(x, perInstance: false, eps, mean, rstd);
                UpdateRunning(mean, rstd, runningMean, runningVar, momentum, eps, m);
            }
            else
            {
                x.Backend.Copy(runningMean, mean);
                double[] rv = runningVar.ToArrayF64();
                Tensor r = Tensor.FromArray(Array.ConvertAll(rv, v => 1.0 / Math.Sqrt(v + eps)), c).To(x.DType);
                x.Backend.Copy(r, rstd);
            }
            x.Backend.NormApply(x, perInstance: false, mean, rstd, gamma, beta, y);
        }
        return Record(new Normalize(false, training, x, gamma, beta, mean, rstd), y);
    }

    // running = (1 - momentum) * running + momentum * batch; the variance stored is unbiased (M / (M - 1)).
    private static void UpdateRunning(Tensor mean, Tensor rstd, Tensor runningMean, Tensor runningVar, double momentum, double eps, long m)
    {
        double[] mu = mean.ToArrayF64(), rs = rstd.ToArrayF64(), rm = runningMean.ToArrayF64(), rv = runningVar.ToArrayF64();
        for (int i = 0; i < mu.Length; i++)
        {
            double biased = 1.0 / (rs[i] * rs[i]) - eps;
            rm[i] = (1 - momentum) * rm[i] + momentum * mu[i];
            rv[i] = (1 - momentum) * rv[i] + momentum * biased * m / (m - 1);
        }
        using (GradMode.NoGrad())
        {
            runningMean.CopyFrom(Tensor.FromArray(rm, rm.Length).To(runningMean.DType));
            runningVar.CopyFrom(Tensor.FromArray(rv, rv.Length).To(runningVar.DType));
        }
    }

    protected internal override void Backward(Tensor dy)
    {
        Tensor x = Inputs[0];
        Tensor? gamma = _hasGamma ? Inputs[1] : null;
        Tensor? beta = _hasBeta ? Inputs[_hasGamma ? 2 : 1] : null;
        Tensor? dx = GradTarget(x, out bool accX);
        bool accG = false, accB = false;
        Tensor? dg = gamma is null ? null : GradTarget(gamma, out accG);
        Tensor? db = beta is null ? null : GradTarget(beta, out accB);
        if (dx is null && dg is null && db is null) return;
        dy.Backend.NormBackward(x, dy, _perInstance, _batchStatistics, _mean, _rstd, gamma, dx, accX, dg, accG, db, accB);
    }
}
