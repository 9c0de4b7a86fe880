// The few numbers of an evaluation printed to the console at the end of `opacity eval` and `opacity demo`
// (report.md and metrics.json hold them all): one line per row, untranslated first and the paired truth
// last. On phantoms three columns against the paired truth join them: PSNR to the truth, the share of the
// lesions' excess density removed and the change outside the true opacity (the anatomy-kept number);
// without truth (real data) those columns are left out rather than printed as dashes. With a lesion-map
// judge its called rate joins the classifier's ("map").
using System.Globalization;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Metrics;

namespace Opacity.Cli.Commands;

internal static class ScoreSummary
{
    /// <summary>One line per row of <paramref name="rows"/>, then <paramref name="ideal"/> (the paired truth) when there is one.</summary>
    public static void Print(IEnumerable<MethodScores> rows, MethodScores? ideal)
    {
        List<MethodScores> all = [.. rows];
        if (ideal is not null) all.Add(ideal);
        bool truth = all.All(r => r.Truth is not null);
        bool map = all.All(r => double.IsFinite(r.LesionJudgeRate));
        static string N(double v, string f) => double.IsFinite(v) ? v.ToString(f, CultureInfo.InvariantCulture) : "-";
        static string Pc(double v) => double.IsFinite(v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
        Console.WriteLine($"{"method",-32} {"FID",9} {"KID",8} {"called",6}{(map ? $" {"map",6}" : "")} {"mIoU",6} {"sens",6} {"spec",6} {"AUC",6}" +
            (truth ? $" {"PSNR",6} {"removed",7} {"outside",7}" : ""));
        foreach (MethodScores r in all)
            Console.WriteLine($"{r.Method,-32} {N(r.Fid, "F2"),9} {N(r.KidMean, "F4"),8} {N(r.OpacityRate, "F3"),6}{(map ? $" {N(r.LesionJudgeRate, "F3"),6}" : "")} {N(r.LungMiou, "F3"),6} {N(r.Sensitivity, "F3"),6} {N(r.Specificity, "F3"),6} {N(r.Auc, "F3"),6}" +
                (truth ? $" {N(r.Truth!.PsnrToTruth, "F2"),6} {Pc(r.Truth.LesionRemoved),7} {Pc(r.Truth.ChangeOutsideMask),7}" : ""));
        if (map)
            Console.WriteLine("called / map: share of translated opacity images called opacity by the evaluation classifier / by the lesion-map judge.");
        if (truth)
            Console.WriteLine("PSNR: to the paired truth (dB); removed: share of the lesions' excess density over the truth taken away; " +
                $"outside: mean change outside the true opacity (bar {Pc(PhantomTruthMetrics.AnatomyBar)}).");
    }
}
