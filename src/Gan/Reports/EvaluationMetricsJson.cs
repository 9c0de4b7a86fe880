// metrics.json of an evaluation report: every number of every row (MethodScores and, on phantoms, the
// mean PhantomTruthScores), which row is which translator (ablation, checkpoint), the feature extractor
// of FID/KID and the caller's setup facts (data, models, counts). Non-finite values (NaN = not
// measured, +Infinity PSNR of identical images) are written as null, since JSON has no NaN; the
// Markdown shows them as "-". "ideal" holds the paired-truth row (null on real data). Keys are snake_case. Tested by EvalCommandTests (parses it back).
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Opacity.Gan.Evaluation;
using Opacity.Gan.Metrics;

namespace Opacity.Gan.Reports;

internal static class EvaluationMetricsJson
{
    public static void Save(string path, EvaluationReportInput input)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("feature_extractor", input.FeatureExtractor);
            w.WriteString("data", input.DataDescription);
            w.WriteBoolean("has_phantom_truth", input.HasTruth);
            w.WriteStartObject("setup");
            foreach (var (k, v) in input.Facts) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("rows");
            Row(w, input.Untranslated, null);
            foreach (EvaluatedTranslator m in input.Models) Row(w, m.Scores, m);
            w.WriteEndArray();
            // The paired truth scored as a translation (phantoms only): what a perfect translation scores.
            if (input.Ideal is { } ideal) { w.WritePropertyName("ideal"); Row(w, ideal, null); }
            else w.WriteNull("ideal");
            w.WriteEndObject();
        }
        try { File.WriteAllText(path, Encoding.UTF8.GetString(stream.ToArray()) + "\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new ReportException($"Metrics: cannot write '{path}' ({e.Message.TrimEnd('.')}).", e); }
    }

    private static void Row(Utf8JsonWriter w, MethodScores s, EvaluatedTranslator? m)
    {
        w.WriteStartObject();
        w.WriteString("method", s.Method);
        if (m is null) w.WriteNull("ablation"); else w.WriteString("ablation", EvaluationReport.AblationName(m.Ablation));
        if (m?.Checkpoint is null) w.WriteNull("checkpoint"); else w.WriteString("checkpoint", m.Checkpoint);
        Num(w, "opacity_rate", s.OpacityRate);
        Num(w, "opacity_rate_among_detected", s.RateAmongDetected);
        Num(w, "opacity_rate_at_sensitive_point", s.OpacityRateAtSensitivePoint);
        if (s.PanelRates is { } panel)
        {
            w.WriteStartArray("opacity_rate_panel");   // judges 2.. of the panel (the evaluation classifier is opacity_rate)
            foreach (double rate in panel) { if (double.IsFinite(rate)) w.WriteNumberValue(rate); else w.WriteNullValue(); }
            w.WriteEndArray();
        }
        ByKind(w, "opacity_rate_by_kind", s.RateByKind);
        Num(w, "opacity_rate_lesion_map", s.LesionJudgeRate);
        ByKind(w, "opacity_rate_lesion_map_by_kind", s.LesionJudgeRateByKind);
        Num(w, "lung_miou", s.LungMiou);
        Num(w, "lesion_sensitivity", s.Sensitivity);
        Num(w, "lesion_specificity", s.Specificity);
        Num(w, "lesion_auc", s.Auc);
        ByKind(w, "lesion_sensitivity_by_kind", s.SensitivityByKind);
        Num(w, "fid", s.Fid);
        Num(w, "kid_mean", s.KidMean);
        Num(w, "fid_inception", s.FidExtra);
        Num(w, "kid_inception", s.KidExtra);
        if (s.Truth is PhantomTruthScores t)
        {
            w.WriteStartObject("phantom_truth");
            Num(w, "psnr_to_truth", t.PsnrToTruth);
            Num(w, "ssim_to_truth", t.SsimToTruth);
            Num(w, "input_psnr", t.InputPsnr);
            Num(w, "input_ssim", t.InputSsim);
            Num(w, "change_outside_mask", t.ChangeOutsideMask);
            Num(w, "residual_inside_mask", t.ResidualInsideMask);
            Num(w, "true_residual_inside_mask", t.TrueResidualInsideMask);
            Num(w, "error_inside_mask", t.ErrorInsideMask);
            Num(w, "mask_iou", t.MaskIou);
            Num(w, "excess_inside_mask", t.ExcessInsideMask);
            Num(w, "excess_left_inside_mask", t.ExcessLeftInsideMask);
            Num(w, "lesion_removed", t.LesionRemoved);
            ByKind(w, "lesion_removed_by_kind", s.RemovedByKind);
            w.WriteEndObject();
        }
        else w.WriteNull("phantom_truth");
        w.WriteEndObject();
    }

    /// <summary>A per-lesion-kind object (kind -> value), left out when the row has none.</summary>
    private static void ByKind(Utf8JsonWriter w, string key, IReadOnlyDictionary<string, double>? byKind)
    {
        if (byKind is null) return;
        w.WriteStartObject(key);
        foreach (var (kind, v) in byKind) Num(w, kind, v);
        w.WriteEndObject();
    }

    private static void Num(Utf8JsonWriter w, string key, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(key, v);
        else w.WriteNull(key);
    }
}
