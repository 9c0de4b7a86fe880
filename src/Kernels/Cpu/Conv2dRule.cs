// The per-shape rule that picks, for one conv pass, which Conv2d code path runs: the direct stride-1 kernels
// (Conv2dV3, Conv2dV3Weight), the implicit-im2col GEMM (Conv2dV2) and, for BackwardInput, the flipped-weight
// forward or the col2im scatter. Two rules, so that both stay benchmarkable in one process run:
//   v3 (first rule, from bench/results/amd-epyc-2core/gemm_conv.md): direct whenever its row tiles fit (and
//       OC <= 32 for dw); dx flips onto the direct forward when that applies, else col2im.
//   v4 (default, revised with bench/results/amd-epyc-2core/conv_shapes_rule.txt, GAN and demo layer shapes):
//     Forward:        direct only with >= 128 taps (K = IC*KH*KW). The direct micro-kernel reads each of its K
//                     input rows in place (unaligned, from K scattered offsets) and pays a fixed per-tile cost
//                     (12x32 output tile read/written at plane stride, band set-up, the padded image copy);
//                     with few taps (1-channel stem 7x7: K = 49, 1-channel 3x3: K = 9, 1x1 heads: K = IC) that
//                     cost is not amortised, and the GEMM, whose packed B panel is small and contiguous when K
//                     is small, measured 1.1-2.4x faster (we did not profile which cost dominates). The 7x7
//                     head's flipped dx (K = 2*49 = 98) is near a tie (0.82-1.18x, GEMM ahead in 4 of 7
//                     runs). From K = 144 up (3x3 with >= 16 channels) the direct kernel won or tied on every
//                     measured shape.
//                     (v4 once sent GEMM forwards with OC > OH*OW, the 8-px maps with 64-128 channels, through
//                     an explicit im2col first, after 1.05-1.7x wins on a loaded machine; re-measured idle,
//                     conv_shapes_rule_idle.txt, the implicit-im2col GEMM was 1.56-1.74x faster on all three
//                     such shapes, so that clause is gone.)
//     BackwardInput:  stride 1 with IC >= 8: the flipped conv (OC' = IC, K' = OC*KH*KW taps) goes to the direct
//                     kernel when the Forward rule above picks it for the flipped geometry; otherwise, when OC
//                     < 8, to the flipped GEMM, because col2im's GEMM has depth OC and is all packing and
//                     scatter at OC = 1..7 (PatchGAN's last 128->1 conv: 13-18x slower than the flipped GEMM;
//                     the U-Net's 1x1 head 16->2: 2.6-2.8x);
//                     otherwise col2im (the flipped GEMM lost 2-5x on 8-16 px rows with OC >= 64).
//     BackwardWeight: direct for OC <= 16 always, and for OC <= 32 while K < 128. The GEMM computes dw as
//                     (OC x K) = dy (OC x P) * col^T, so its 32-wide panels run along K: a short K (49 for the
//                     7x7 stem) leaves them part-empty, and a small OC leaves each packed col^T element only
//                     2*OC flops; at OC = 32 with K = 288..864 (U-Net 32- and 96-channel 3x3 convs at 32 px)
//                     the GEMM measured 1.07-1.46x faster than the L2-bound direct dot products (a tie at K = 144).
//   v5: v4, except that 3x3 stride-1 forwards and flipped dx go to Winograd F(4x4, 3x3) wherever
//     Conv2dWinograd.Applies (>= 16 channels each side, rows of >= 7 tiles): it won or tied on every such demo
//     and anchor shape in quick-conv-shapes (conv anchor fwd 2.2x, the U-Net's 64-px up conv 1.9x).
//   v6 (default): v5, and dw of the same convs on Winograd's adjoint (Conv2dWinogradWeight): it won on every
//     such demo shape (1.04-1.6x) and on the conv anchor (75 -> 42 ms).
//   v7 (not the default): v6, with Winograd (forward, flipped dx, dw) also on rows that 4-tile runs fill
//     (TileLayout's quads: the 16-px maps of the demo's U-Nets, 4 tiles a row, one 16-tile group per map).
//     quick-conv-shapes, session 14, at batch 1 (after the one-task forward split its output channels over the
//     cores and dx stopped copying flipped weights): the forward wins on 16-px maps (96 -> 96 0.27 against v6's
//     0.37 ms, 32 -> 64 and 32 -> 32 1.3-1.4x), dx ties (96 -> 96 0.36 / 0.34 ms, 288 -> 96 0.85-0.96 / 1.0-1.1)
//     and dw loses (96 -> 96 0.32-0.39 against 0.26-0.36, 288 -> 96 0.82 against 0.64): a one-image 16-px map is
//     one group, so its 32-lane slivers are half empty, and dw's products have a depth of 16 tiles. Worth ~1 % of
//     the demo's step, not a retraining of every model; a 16-lane micro-kernel for one-group maps is what it lacks.
// Both rules keep every path's own applicability (stride 1, AVX-512, rows that fill 32-px tiles >= 80%).
// Tested by Conv2dTests (every version, including both rules, against ConvReference); timed by
// bench `quick-conv-shapes` (v4 vs v3 rows are the rule's after vs before).
namespace Opacity.Kernels.Cpu;

/// <summary>How BackwardInput computes dx.</summary>
internal enum ConvDxPath
{
    /// <summary>dcol = w^T dy, then col2im scatter-add.</summary>
    Col2Im,

    /// <summary>dx = conv(dy, flipped w) on the implicit-im2col GEMM (Conv2dV2.Forward).</summary>
    FlippedGemm,

    /// <summary>dx = conv(dy, flipped w) on the direct kernel (Conv2dV3).</summary>
    FlippedDirect,

    /// <summary>dx = conv(dy, flipped w) on Winograd F(4x4, 3x3) (Conv2dWinograd).</summary>
    FlippedWinograd,
}

internal static class Conv2dRule
{
    private const int MinDirectTaps = 128;
    private const int MinFlippedInChannels = 8;
    private const int MinCol2ImOutChannels = 8;
    private const int DirectWeightMaxOutChannels = 32, DirectWeightAlwaysOutChannels = 16, DirectWeightMaxTaps = 128;

    /// <summary>Forward on the direct kernel (else the implicit-im2col GEMM). <paramref name="version"/> 3 or 4.</summary>
    public static bool DirectForward(in ConvGeometry g, int version)
        => Conv2dV3.Applies(g) && (version == 3 || g.InChannels * g.KernelH * g.KernelW >= MinDirectTaps);

    /// <summary>The dx path of <paramref name="version"/> 2 to 7 (5 and 6: Winograd where its eights apply, 7: also its
    /// quads; else as 4).</summary>
    public static ConvDxPath BackwardInput(in ConvGeometry g, int version)
    {
        int padH = g.DilationH * (g.KernelH - 1) - g.PadH, padW = g.DilationW * (g.KernelW - 1) - g.PadW;
        // The flipped forward's GEMM has M = InChannels rows; with few input channels (the 1-channel stem) most
        // of each 12-row micro-tile would be padding, so such convs take the col2im route (measured 10x faster).
        bool canFlip = g.StrideH == 1 && g.StrideW == 1 && padH >= 0 && padW >= 0 && g.InChannels >= MinFlippedInChannels;
        if (!canFlip) return ConvDxPath.Col2Im;
        if (version == 2) return ConvDxPath.FlippedGemm;
        var flipped = Flipped(g);
        if (version >= 5 && Conv2dWinograd.Applies(flipped, quads: version >= 7)) return ConvDxPath.FlippedWinograd;
        version = Math.Min(version, 4);
        if (DirectForward(flipped, version)) return ConvDxPath.FlippedDirect;
        return version == 4 && g.OutChannels < MinCol2ImOutChannels ? ConvDxPath.FlippedGemm : ConvDxPath.Col2Im;
    }

    /// <summary>BackwardWeight on the direct kernel (else the implicit-im2col GEMM). <paramref name="version"/> 3 or 4.</summary>
    public static bool DirectWeight(in ConvGeometry g, int version)
    {
        if (!Conv2dV3.Applies(g) || g.OutChannels > DirectWeightMaxOutChannels) return false;
        return version == 3 || g.OutChannels <= DirectWeightAlwaysOutChannels
            || g.InChannels * g.KernelH * g.KernelW < DirectWeightMaxTaps;
    }

    /// <summary>dx = conv(dy, w~) with w~[ic,oc,kh,kw] = w[oc,ic,KH-1-kh,KW-1-kw] and pad' = D*(K-1) - P, stride 1.</summary>
    public static ConvGeometry Flipped(in ConvGeometry g)
    {
        int padH = g.DilationH * (g.KernelH - 1) - g.PadH, padW = g.DilationW * (g.KernelW - 1) - g.PadW;
        return new ConvGeometry(g.Batch, g.OutChannels, g.OutH, g.OutW, g.InChannels, g.KernelH, g.KernelW,
            1, 1, Math.Max(0, padH), Math.Max(0, padW), g.DilationH, g.DilationW);
    }
}
