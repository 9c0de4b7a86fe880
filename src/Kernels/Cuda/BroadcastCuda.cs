// Launcher for kernels/cu/broadcast.cu: fill, block copy, broadcast binary, reduce-to-shape, unary
// forward/backward (every UnaryKind, numbered as in the .cu header), mul/div gradient terms.
// Versions: v1 = one thread per output element; v2 (binary, reduce-to) = rows of the innermost dim (see
// the .cu header). With version = ByShape (the default) Binary and ReduceTo pick v2 where it wins on a
// GPU (long contiguous innermost rows, bench/results/nvidia-h200/) and v1 elsewhere; the other ops have
// v1 only. Shapes are coalesced here to <= 4 dims.
// Tested: Cuda/EmulatorBackendKernelTests.cs vs Opacity.Kernels.Cpu.Broadcast and the CPU unary ops.
namespace Opacity.Kernels.Cuda;

public static class BroadcastCuda
{
    public const int DefaultVersion = 1;
    public const int VersionCount = 1;
    /// <summary>The version argument that lets Binary and ReduceTo pick v1 or v2 from the shape.</summary>
    public const int ByShape = 0;
    public const int BinaryVersionCount = 2;
    public const int ReduceToVersionCount = 2;
    /// <summary>Binary v2 from this many innermost elements; ReduceTo v2 from this many contiguous reduced ones.</summary>
    internal const int BinaryRowMin = 128, ReduceRowMin = 32;
    public const int MaxRank = 4;
    private const string Module = "broadcast";
    internal static readonly KernelId[] FillK = LaunchShape.Table(Module, "fill_fwd", VersionCount);
    internal static readonly KernelId[] CopyBlocksK = LaunchShape.Table(Module, "copy_blocks_fwd", VersionCount);
    internal static readonly KernelId[] BinaryK = LaunchShape.Table(Module, "binary_fwd", BinaryVersionCount);
    internal static readonly KernelId[] ReduceToK = LaunchShape.Table(Module, "reduce_to_fwd", ReduceToVersionCount);
    internal static readonly KernelId[] UnaryFwdK = LaunchShape.Table(Module, "unary_fwd", VersionCount);
    internal static readonly KernelId[] UnaryBwdK = LaunchShape.Table(Module, "unary_bwd", VersionCount);
    internal static readonly KernelId[] MulAccK = LaunchShape.Table(Module, "mul_acc_bwd", VersionCount);
    internal static readonly KernelId[] DivDenK = LaunchShape.Table(Module, "div_den_bwd", VersionCount);

    public static void Fill(IKernelLauncher l, ulong y, float value, int count, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(y); args.Add(value); args.Add(count);
        Run(l, FillK, version, count, ref args);
    }

    public static void CopyBlocks(IKernelLauncher l, ulong src, int srcOffset, int srcStride, ulong dst, int dstOffset, int dstStride,
        int rows, int length, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(src); args.Add(srcOffset); args.Add(srcStride); args.Add(dst); args.Add(dstOffset); args.Add(dstStride);
        args.Add(rows); args.Add(length); args.Add(accumulate);
        Run(l, CopyBlocksK, version, (long)rows * length, ref args);
    }

    /// <summary><c>y[i] = a[i·aStrides] op b[i·bStrides]</c> over <paramref name="shape"/> (y contiguous); kind: 0 add, 1 sub, 2 mul, 3 div.</summary>
    public static void Binary(IKernelLauncher l, int kind, ulong a, ReadOnlySpan<int> aStrides, ulong b, ReadOnlySpan<int> bStrides, ulong y,
        ReadOnlySpan<int> shape, int version = ByShape)
    {
        var (dims, sa, sb) = Coalesce(shape, aStrides, bStrides);
        var args = new KernelArgs();
        args.Add(kind); args.Add(a); args.Add(b); args.Add(y);
        foreach (int d in dims) args.Add(d);
        foreach (int s in sa) args.Add(s);
        foreach (int s in sb) args.Add(s);
        if (version == ByShape) version = dims[3] >= BinaryRowMin ? 2 : 1;
        if (version != 2) { Run(l, BinaryK, version, dims[0] * (long)dims[1] * dims[2] * dims[3], ref args); return; }
        l.Launch(BinaryK[2], LaunchShape.RowsGrid(dims[3], (long)dims[0] * dims[1] * dims[2]), new Dim3(LaunchShape.BlockSize), 0, ref args);
    }

    /// <summary>dst (+)= src summed over the dims where <paramref name="dstStrides"/> is 0 (src contiguous with <paramref name="shape"/>).</summary>
    public static void ReduceTo(IKernelLauncher l, ulong src, ReadOnlySpan<int> shape, ulong dst, ReadOnlySpan<int> dstStrides, bool accumulate,
        int version = ByShape)
    {
        int[] srcStrides = Contiguous(shape);
        var kept = new List<(int Dim, int Stride)>();
        var reduced = new List<(int Dim, int Stride)>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            (dstStrides[d] == 0 ? reduced : kept).Add((shape[d], srcStrides[d]));
        }
        (int[] kd, int[] ks) = Merge(kept, "kept");
        (int[] rd, int[] rs) = Merge(reduced, "reduced");
        var args = new KernelArgs();
        args.Add(src); args.Add(dst); args.Add(accumulate);
        foreach (int v in kd) args.Add(v);
        foreach (int v in ks) args.Add(v);
        foreach (int v in rd) args.Add(v);
        foreach (int v in rs) args.Add(v);
        long outputs = kd[0] * (long)kd[1] * kd[2] * kd[3];
        if (version == ByShape) version = rs[3] == 1 && rd[3] >= ReduceRowMin ? 2 : 1;
        if (version != 2) { Run(l, ReduceToK, version, outputs, ref args); return; }
        // One block per output, ~4 row elements per thread (a block sum per output is the fixed cost).
        l.Launch(ReduceToK[2], new Dim3((uint)Math.Clamp(outputs, 1, LaunchShape.MaxGridY)), LaunchShape.ReductionBlock((rd[3] + 3) / 4), 0, ref args);
    }

    /// <summary>Unary forward; kind numbered as Opacity.Tensors.UnaryKind (0 neg .. 10 pow).</summary>
    public static void Unary(IKernelLauncher l, int kind, ulong x, ulong y, int count, float p1, float p2, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(kind); args.Add(x); args.Add(y); args.Add(count); args.Add(p1); args.Add(p2);
        Run(l, UnaryFwdK, version, count, ref args);
    }

    public static void UnaryBackward(IKernelLauncher l, int kind, ulong x, ulong y, ulong dy, ulong dx, int count, bool accumulate, float p1, float p2,
        int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(kind); args.Add(x); args.Add(y); args.Add(dy); args.Add(dx); args.Add(count); args.Add(accumulate); args.Add(p1); args.Add(p2);
        Run(l, UnaryBwdK, version, count, ref args);
    }

    /// <summary>r (+)= b * c.</summary>
    public static void MulAccumulate(IKernelLauncher l, ulong b, ulong c, ulong r, int count, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(b); args.Add(c); args.Add(r); args.Add(count); args.Add(accumulate);
        Run(l, MulAccK, version, count, ref args);
    }

    /// <summary>r (+)= -dy * a / b².</summary>
    public static void DivDenominatorGrad(IKernelLauncher l, ulong a, ulong b, ulong dy, ulong r, int count, bool accumulate, int version = DefaultVersion)
    {
        var args = new KernelArgs();
        args.Add(a); args.Add(b); args.Add(dy); args.Add(r); args.Add(count); args.Add(accumulate);
        Run(l, DivDenK, version, count, ref args);
    }

    internal static int[] Contiguous(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    /// <summary>Drops size-1 dims, merges neighbours that are contiguous in all operands, pads to 4 leading 1s.</summary>
    private static (int[] Dims, int[] A, int[] B) Coalesce(ReadOnlySpan<int> shape, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb)
    {
        var d = new List<int>(); var a = new List<int>(); var b = new List<int>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            int n = d.Count - 1;
            if (n >= 0 && a[n] == sa[i] * shape[i] && b[n] == sb[i] * shape[i]) { d[n] *= shape[i]; a[n] = sa[i]; b[n] = sb[i]; continue; }
            d.Add(shape[i]); a.Add(sa[i]); b.Add(sb[i]);
        }
        if (d.Count > MaxRank) throw new NotSupportedException($"broadcast over {d.Count} non-mergeable dims: the CUDA kernel handles at most {MaxRank}.");
        while (d.Count < MaxRank) { d.Insert(0, 1); a.Insert(0, 0); b.Insert(0, 0); }
        return ([.. d], [.. a], [.. b]);
    }

    private static (int[] Dims, int[] Strides) Merge(List<(int Dim, int Stride)> dims, string what)
    {
        var d = new List<int>(); var s = new List<int>();
        foreach (var (dim, stride) in dims)
        {
            int n = d.Count - 1;
            if (n >= 0 && s[n] == stride * dim) { d[n] *= dim; s[n] = stride; continue; }
            d.Add(dim); s.Add(stride);
        }
        if (d.Count > MaxRank) throw new NotSupportedException($"reduce-to with {d.Count} separate {what} dims: the CUDA kernel handles at most {MaxRank}.");
        while (d.Count < MaxRank) { d.Insert(0, 1); s.Insert(0, 0); }
        return ([.. d], [.. s]);
    }

    private static void Run(IKernelLauncher l, KernelId[] table, int version, long count, ref KernelArgs args)
        => l.Launch(LaunchShape.Pick(table, version, table[1].Name), LaunchShape.GridFor(count), new Dim3(LaunchShape.BlockSize), 0, ref args);
}
