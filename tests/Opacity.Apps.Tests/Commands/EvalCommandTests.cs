// `opacity eval` end to end on tiny models (64 px phantoms, 2-step translators of width 2, 1-step
// classifiers): the report, report.html, metrics.json and PNGs for every row; defaults found in the
// demo's layout; the translator's CDAM classifier refused (by its record and by the demo layout); a folder
// without paired truth; and every bad input as one sentence with a non-zero exit code.
using System.Globalization;
using System.Text.Json;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class EvalCommandTests
{
    private string _root = "", _data = "", _cycle = "", _full = "", _cls = "", _cdam = "", _seg = "";

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static void Ok((int Code, string Out, string Err) r) => Assert.That(r.Code, Is.EqualTo(0), r.Err + r.Out);

    [OneTimeSetUp]
    public void MakeModels()
    {
        _root = Path.Combine(Path.GetTempPath(), "eval_cli_" + Guid.NewGuid().ToString("N"));
        _data = P("data");
        // 40 patients, half train: the test split has 4 opacity + 5 clear images, val 4 + 6 (seed 3).
        Ok(Run("synth", "--out", _data, "--count", "40", "--size", "64", "--seed", "3", "--train", "0.5", "--val", "0.25"));
        _cls = P("eval_cls.safetensors"); _cdam = P("cdam.safetensors"); _seg = P("seg.safetensors");
        Ok(Run("train-classifier", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--kind", "plain", "--seed", "7", "--out", _cls));
        Ok(Run("train-classifier", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--kind", "resnet", "--seed", "5", "--out", _cdam));
        Ok(Run("train-segmenter", "--data", _data, "--steps", "1", "--width", "2", "--depth", "2", "--batch", "2", "--out", _seg));
        string[] gan = ["--data", _data, "--steps", "2", "--size", "64", "--ngf", "2", "--ndf", "2", "--blocks", "0", "--sample-every", "0"];
        Ok(Run(["train", "--out", P("cyc"), "--ablation", "cyclegan", .. gan]));
        Ok(Run(["train", "--out", P("full"), "--ablation", "full", "--classifier", _cdam, .. gan]));
        _cycle = P("cyc", "checkpoint.safetensors"); _full = P("full", "checkpoint.safetensors");
    }

    [OneTimeTearDown]
    public void Clean() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    private string[] Eval(string outName, params string[] extra) => ["eval", "--data", _data, "--out", P(outName), .. extra];

    private static string InceptionFixture() => Opacity.TestSupport.RepoFiles.Find("tests", "fixtures", "golden", "inception_fid_w8.safetensors");

    [Test]
    public void Inception_features_add_their_own_fid_and_kid_columns()
    {
        var (code, output, err) = Run(Eval("ev_incep", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--inception-weights", InceptionFixture()));
        Assert.That(code, Is.EqualTo(0), err + output);
        string md = File.ReadAllText(P("ev_incep", "report.md"));
        Assert.That(md, Does.Contain("| FID (Inception-v3) | KID (Inception-v3) |").And.Contain("Inception-v3 columns: Inception-v3 pool3"));
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(P("ev_incep", "metrics.json")));
        foreach (JsonElement r in json.RootElement.GetProperty("rows").EnumerateArray())
        {
            Assert.That(r.GetProperty("fid_inception").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(r.GetProperty("fid_inception").GetDouble(), Is.GreaterThanOrEqualTo(0));
        }
        // without the option the columns are absent and the JSON says null
        Assert.That(Run(Eval("ev_noincep", "--model", _full, "--classifier", _cls, "--segmenter", _seg)).Code, Is.EqualTo(0));
        Assert.That(File.ReadAllText(P("ev_noincep", "report.md")), Does.Not.Contain("FID (Inception-v3)"));
    }

    [Test]
    public void Bad_inception_weights_or_device_are_one_sentence()
    {
        var r = Run(Eval("ev_badincep", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--inception-weights", _cls));
        Assert.That(r.Code, Is.Not.EqualTo(0));
        Assert.That(r.Err, Does.Contain("Inception weights"));
        Assert.That(r.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        r = Run(Eval("ev_baddev", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--device", "tpu"));
        Assert.That(r.Code, Is.Not.EqualTo(0));
        Assert.That(r.Err, Does.Contain("Unknown device 'tpu'"));
    }

    [Test]
    public void Writes_report_html_metrics_and_images_for_every_row()
    {
        var (code, output, err) = Run(Eval("ev", "--model", _cycle, "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--html"));
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(output, Does.Contain("Report: "));
        string md = File.ReadAllText(P("ev", "report.md"));
        Assert.That(md, Does.Contain("| untranslated |").And.Contain("| cyclegan |").And.Contain("| full |"));
        Assert.That(md, Does.Contain("## Ablation").And.Contain("## Against the phantom's paired truth").And.Contain("| FID | ours, phantoms |"));
        Assert.That(md, Does.Contain("FID (evaluation-classifier features)"));
        foreach (string png in new[] { "samples.png", "samples-cyclegan.png", "samples-full.png", "losses.png", "losses-full.png" })
            Assert.That(File.Exists(P("ev", png)), Is.True, png);
        string html = File.ReadAllText(P("ev", "report.html"));
        Assert.That(html, Does.Contain("<img src=\"samples-full.png\"").And.Contain(">full</td>").And.Contain("<h2>Ablation</h2>"));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(P("ev", "metrics.json")));
        JsonElement[] rows = [.. json.RootElement.GetProperty("rows").EnumerateArray()];
        Assert.That(rows.Select(r => r.GetProperty("method").GetString()), Is.EqualTo(new[] { "untranslated", "cyclegan", "full" }));
        Assert.That(rows.Select(r => r.GetProperty("ablation").ValueKind == JsonValueKind.Null ? null : r.GetProperty("ablation").GetString()), Is.EqualTo(new[] { null, "cyclegan", "full" }));
        // The table and the JSON carry the same numbers.
        foreach (JsonElement r in rows)
        {
            string fid = r.GetProperty("fid").GetDouble().ToString("F2", CultureInfo.InvariantCulture);
            Assert.That(md, Does.Contain($"| {r.GetProperty("method").GetString()} | {fid} |"));
        }
        // The untranslated row changes nothing: its PSNR to the truth is the input's, nothing changes outside the opacity.
        JsonElement truth = rows[0].GetProperty("phantom_truth");
        // By lesion kind: for the untranslated row, "still called, of those called before" is 100 % by definition.
        Assert.That(md, Does.Contain("## Called opacity, by lesion kind (test split)"));
        if (rows[0].GetProperty("opacity_rate_among_detected").ValueKind == JsonValueKind.Number)
            Assert.That(rows[0].GetProperty("opacity_rate_among_detected").GetDouble(), Is.EqualTo(1.0));
        Assert.That(rows[0].GetProperty("opacity_rate_by_kind").EnumerateObject().Count(), Is.GreaterThan(0));
        Assert.That(md, Does.Contain("Lesion sensitivity by lesion kind (test split; same thresholds):"));
        // The second operating point calls at least 90 % of the originals by construction.
        Assert.That(rows[0].GetProperty("opacity_rate_at_sensitive_point").GetDouble(), Is.GreaterThanOrEqualTo(0.9));
        Assert.That(md, Does.Contain("| called at the point calling 90 % of originals |"));
        Assert.That(rows.All(r => r.GetProperty("lesion_sensitivity_by_kind").EnumerateObject().Count() == rows[0].GetProperty("opacity_rate_by_kind").EnumerateObject().Count()), Is.True);
        Assert.That(truth.GetProperty("psnr_to_truth").GetDouble(), Is.EqualTo(truth.GetProperty("input_psnr").GetDouble()));
        Assert.That(truth.GetProperty("change_outside_mask").GetDouble(), Is.Zero);
        Assert.That(truth.GetProperty("mask_iou").ValueKind, Is.EqualTo(JsonValueKind.Null));
        // Nothing changed, nothing removed: the untranslated row's lesion removed is 0, overall and for every kind.
        Assert.That(truth.GetProperty("lesion_removed").GetDouble(), Is.Zero);
        Assert.That(truth.GetProperty("lesion_removed_by_kind").EnumerateObject().Select(k => k.Value.GetDouble()), Is.All.Zero);
        Assert.That(md, Does.Contain("| lesion removed |").And.Contain("Lesion removed, by lesion kind"));
        string removed = (100 * rows[2].GetProperty("phantom_truth").GetProperty("lesion_removed").GetDouble()).ToString("F1", CultureInfo.InvariantCulture);
        Assert.That(md, Does.Contain($" {removed} % |"), "the table carries the JSON's number");
        Assert.That(rows[2].GetProperty("phantom_truth").GetProperty("mask_iou").ValueKind, Is.EqualTo(JsonValueKind.Number), "the full method has a mask");

        // The ideal row (the paired truth scored as a translation; its numbers are checked in TranslationEvaluationTests)
        // is in metrics.json and in the tables.
        JsonElement ideal = json.RootElement.GetProperty("ideal");
        Assert.That(ideal.GetProperty("method").GetString(), Is.EqualTo("paired truth (ideal translation)"));
        Assert.That(output, Does.Contain("paired truth (ideal translation)"), "the console summary ends with the ideal row");
        string fullLine = output.Split('\n').Single(l => l.StartsWith("full ", StringComparison.Ordinal));
        Assert.That(fullLine, Does.Contain($" {removed}%"), "the console summary's removed column is metrics.json's lesion_removed");
        string idealFid = ideal.GetProperty("fid").GetDouble().ToString("F2", CultureInfo.InvariantCulture);
        Assert.That(md, Does.Contain($"| paired truth (ideal translation) | {idealFid} |"));
        // Its truth scores are trivial (PSNR infinite): the phantom-truth table leaves it out.
        int truthTable = md.IndexOf("## Against the phantom's paired truth", StringComparison.Ordinal);
        Assert.That(md.IndexOf("| paired truth (ideal translation) |", truthTable, StringComparison.Ordinal), Is.EqualTo(-1));
    }

    [Test]
    public void Two_checkpoints_of_one_ablation_are_told_apart_by_their_run_folder()
    {
        Directory.CreateDirectory(P("cyc2"));
        File.Copy(_cycle, P("cyc2", "checkpoint.safetensors"), overwrite: true);
        var (code, output, err) = Run(Eval("ev_two", "--model", _cycle, "--model", P("cyc2", "checkpoint.safetensors"), "--classifier", _cls, "--segmenter", _seg));
        Assert.That(code, Is.EqualTo(0), err + output);
        string md = File.ReadAllText(P("ev_two", "report.md"));
        Assert.That(md, Does.Contain("| cyclegan (cyc) |").And.Contain("| cyclegan (cyc2) |"));
        Assert.That(File.Exists(P("ev_two", "samples-cyclegan--cyc-.png")) && File.Exists(P("ev_two", "samples-cyclegan--cyc2-.png")), Is.True);
    }

    [Test]
    public void Finds_the_demo_layout_models_and_refuses_the_cdam_one_there()
    {
        string demo = P("demo");
        Directory.CreateDirectory(Path.Combine(demo, "models"));
        Directory.CreateDirectory(Path.Combine(demo, "translator-full"));
        File.Copy(_cls, Path.Combine(demo, "models", "eval_classifier.safetensors"));
        File.Copy(_seg, Path.Combine(demo, "models", "lung_unet.safetensors"));
        File.Copy(_cdam, Path.Combine(demo, "models", "cdam_classifier.safetensors"));
        string ckpt = Path.Combine(demo, "translator-full", "checkpoint.safetensors");
        File.Copy(_full, ckpt);   // without the run's cdam_classifier.json: only the demo layout identifies the CDAM file
        File.Copy(_cls, Path.Combine(demo, "models", "eval_judge_2.safetensors"));
        File.Copy(_cls, Path.Combine(demo, "models", "eval_judge_4.safetensors"));   // after a gap: not part of the panel
        string lesion = Path.Combine(demo, "models", "lesion_map_judge.safetensors");
        Ok(Run("train-classifier", "--kind", "lesion-map", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--seed", "9", "--out", lesion));
        var (code, output, err) = Run(Eval("ev_demo", "--model", ckpt));
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(output, Does.Contain("judges: the demo's 1 beside"));
        Assert.That(output, Does.Contain($"lesion-map judge: the demo's {lesion}"));
        string demoReport = File.ReadAllText(P("ev_demo", "report.md"));
        Assert.That(demoReport, Does.Contain(Path.Combine(demo, "models", "eval_classifier.safetensors")));
        Assert.That(demoReport, Does.Contain("Called opacity by a panel of evaluation classifiers").And.Contain("eval_judge_2.safetensors").And.Not.Contain("eval_judge_4"));
        (code, output, err) = Run(Eval("ev_demo_chosen", "--model", ckpt, "--classifier", Path.Combine(demo, "models", "eval_classifier.safetensors")));
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(File.ReadAllText(P("ev_demo_chosen", "report.md")), Does.Not.Contain("panel of evaluation classifiers"), "a chosen classifier brings no judges along");
        Assert.That(File.Exists(P("ev_demo", "losses.png")), Is.False, "no losses.csv was copied");
        string copy = P("cdam_copy.safetensors");
        File.Copy(_cdam, copy, overwrite: true);
        Expect(Run(Eval("ev_demo2", "--model", ckpt, "--classifier", copy)), "the same bytes as");
    }

    [Test]
    public void Refuses_the_classifier_the_translator_was_trained_with() =>
        Expect(Run(Eval("ev_cdam", "--model", _cycle, "--model", _full, "--classifier", _cdam, "--segmenter", _seg)),
            "evaluation must use a classifier trained apart from the translator");

    [Test]
    public void Judges_add_a_panel_table_and_the_cdam_classifier_is_refused_as_judge()
    {
        string judge = P("judge2.safetensors");
        Ok(Run("train-classifier", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--kind", "plain", "--seed", "8", "--out", judge));
        var (code, output, err) = Run(Eval("ev_judges", "--model", _full, "--classifier", _cls, "--judge", judge, "--judge", _cls, "--segmenter", _seg));
        Assert.That(code, Is.EqualTo(0), err + output);
        string report = File.ReadAllText(P("ev_judges", "report.md"));
        Assert.That(report, Does.Contain("Called opacity by a panel of evaluation classifiers").And.Contain("| judge 3 |").And.Contain("judge2.safetensors"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(P("ev_judges", "metrics.json"))))
        {
            JsonElement row = doc.RootElement.GetProperty("rows")[1];
            // judge 3 is the evaluation classifier again: its rate is the row's own
            Assert.That(row.GetProperty("opacity_rate_panel")[1].GetDouble(), Is.EqualTo(row.GetProperty("opacity_rate").GetDouble()));
        }
        Expect(Run(Eval("ev_judge_cdam", "--model", _full, "--classifier", _cls, "--judge", _cdam, "--segmenter", _seg)),
            "evaluation must use a classifier trained apart from the translator");
        Expect(Run(Eval("ev_judge_miss", "--model", _full, "--classifier", _cls, "--judge", P("nojudge.safetensors"), "--segmenter", _seg)),
            "Judge classifier '" + P("nojudge.safetensors") + "' does not exist");
    }

    [Test]
    public void Lesion_map_judge_adds_its_table_and_bad_files_are_one_sentence()
    {
        string lesion = P("lesion.safetensors");
        var (code, output, err) = Run("train-classifier", "--kind", "lesion-map", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--seed", "9", "--out", lesion);
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(output, Does.Contain("Trained a lesion-map judge (width 2, depth 3)"));
        (code, output, err) = Run(Eval("ev_lesion", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--lesion-judge", lesion));
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(output, Does.Contain(" called    map "), "the console summary has the lesion-map column");
        Assert.That(File.ReadAllText(P("ev_lesion", "report.md")), Does.Contain("## Called opacity by the lesion-map judge (test split)").And.Contain("lesion.safetensors"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(P("ev_lesion", "metrics.json"))))
            foreach (JsonElement row in doc.RootElement.GetProperty("rows").EnumerateArray())
                Assert.That(row.GetProperty("opacity_rate_lesion_map").GetDouble(), Is.InRange(0.0, 1.0));
        // without one (and none in a demo layout) the table is left out and the JSON says null
        (code, output, err) = Run(Eval("ev_no_lesion", "--model", _full, "--classifier", _cls, "--segmenter", _seg));
        Assert.That(code, Is.EqualTo(0), err + output);
        Assert.That(File.ReadAllText(P("ev_no_lesion", "report.md")), Does.Not.Contain("lesion-map judge"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(P("ev_no_lesion", "metrics.json"))))
            Assert.That(doc.RootElement.GetProperty("rows")[0].GetProperty("opacity_rate_lesion_map").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Expect(Run(Eval("ev_lesion_miss", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--lesion-judge", P("nolesion.safetensors"))),
            "Lesion-map judge file '" + P("nolesion.safetensors") + "' does not exist.");
        Expect(Run(Eval("ev_lesion_cls", "--model", _full, "--classifier", _cls, "--segmenter", _seg, "--lesion-judge", _cls)),
            $"'{_cls}' is not a lesion-map judge checkpoint (its metadata model is 'opacity-classifier').");
    }

    [Test]
    public void Refuses_every_member_of_a_cdam_ensemble_by_the_record_and_by_the_demo_layout()
    {
        string second = P("cdam_member2.safetensors");
        Ok(Run("train-classifier", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--kind", "resnet", "--seed", "6", "--out", second));
        string[] gan = ["--data", _data, "--steps", "1", "--size", "64", "--ngf", "2", "--ndf", "2", "--blocks", "0", "--sample-every", "0"];
        Ok(Run(["train", "--out", P("ens"), "--ablation", "full", "--classifier", _cdam, "--classifier", second, .. gan]));
        string ens = P("ens", "checkpoint.safetensors");
        Assert.That(File.ReadAllText(P("ens", "cdam_classifier.json")), Does.Contain("cdam_member2.safetensors").And.Contain("cdam.safetensors"));
        Expect(Run(Eval("ev_ens1", "--model", ens, "--classifier", _cdam, "--segmenter", _seg)), "evaluation must use a classifier trained apart from the translator");
        Expect(Run(Eval("ev_ens2", "--model", ens, "--classifier", second, "--segmenter", _seg)), "evaluation must use a classifier trained apart from the translator");
        // the demo layout: the second member as models/cdam_classifier_2.safetensors, no record beside the checkpoint
        string demo = P("demo_ens");
        Directory.CreateDirectory(Path.Combine(demo, "models"));
        Directory.CreateDirectory(Path.Combine(demo, "translator-full"));
        File.Copy(second, Path.Combine(demo, "models", "cdam_classifier_2.safetensors"));
        string ckpt = Path.Combine(demo, "translator-full", "checkpoint.safetensors");
        File.Copy(ens, ckpt);
        string copy = P("member2_copy.safetensors");
        File.Copy(second, copy, overwrite: true);
        Expect(Run(Eval("ev_ens3", "--model", ckpt, "--classifier", copy, "--segmenter", _seg)), "the same bytes as");
    }

    [Test]
    public void Refuses_a_classifier_with_the_cdam_ones_kind_width_seed_and_steps()
    {
        // Same kind, width, seed and steps as the CDAM classifier, another learning rate: other bytes, same recipe.
        string twin = P("cdam_twin.safetensors");
        Ok(Run("train-classifier", "--data", _data, "--steps", "1", "--width", "2", "--batch", "2", "--kind", "resnet", "--seed", "5", "--lr", "0.01", "--out", twin));
        Assert.That(File.ReadAllBytes(twin), Is.Not.EqualTo(File.ReadAllBytes(_cdam)));
        Expect(Run(Eval("ev_twin", "--model", _full, "--classifier", twin, "--segmenter", _seg)), "the same kind, width, size, seed and steps as");
    }

    [Test]
    public void Folder_without_paired_truth_leaves_the_truth_table_out()
    {
        string real = P("real");
        CopyTree(_data, real);
        string manifest = Path.Combine(real, "manifest.csv");
        string[] lines = File.ReadAllLines(manifest);
        File.WriteAllLines(manifest, lines.Take(1).Concat(lines.Skip(1).Select(l => { string[] f = l.Split(','); f[6] = ""; return string.Join(',', f); })));
        var (code, output, err) = Run(["eval", "--data", real, "--out", P("ev_real"), "--model", _full, "--classifier", _cls, "--segmenter", _seg]);
        Assert.That(code, Is.EqualTo(0), err + output);
        string md = File.ReadAllText(P("ev_real", "report.md"));
        Assert.That(md, Does.Contain("Left out: the test opacity images have no paired clear truth").And.Not.Contain("PSNR to truth"));
        Assert.That(output, Does.Contain(" called ").And.Not.Contain(" removed "), "the console summary leaves the truth columns out");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(P("ev_real", "metrics.json")));
        Assert.That(json.RootElement.GetProperty("has_phantom_truth").GetBoolean(), Is.False);
        Assert.That(json.RootElement.GetProperty("ideal").ValueKind, Is.EqualTo(JsonValueKind.Null), "no paired truth, no ideal row");
        Assert.That(md, Does.Not.Contain("paired truth (ideal translation)"));
    }

    [Test]
    public void Missing_models_name_the_flag()
    {
        Expect(Run(Eval("ev_nocls", "--model", _cycle, "--segmenter", _seg)), "give --classifier FILE");
        Expect(Run(Eval("ev_noseg", "--model", _cycle, "--classifier", _cls)), "give --segmenter FILE");
        Expect(Run(Eval("ev_miss", "--model", P("none.safetensors"), "--classifier", _cls, "--segmenter", _seg)), "none.safetensors' does not exist");
        Expect(Run(Eval("ev_misscls", "--model", _cycle, "--classifier", P("nocls.safetensors"), "--segmenter", _seg)), "nocls.safetensors' does not exist");
    }

    [Test]
    public void Corrupt_or_foreign_model_files_are_one_sentence()
    {
        string corrupt = P("corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Expect(Run(Eval("ev_c1", "--model", corrupt, "--classifier", _cls, "--segmenter", _seg)), "corrupt.safetensors' is not a valid safetensors file");
        Expect(Run(Eval("ev_c2", "--model", _cycle, "--classifier", corrupt, "--segmenter", _seg)), "corrupt.safetensors' is not a valid safetensors file");
        Expect(Run(Eval("ev_c3", "--model", _cls, "--classifier", _cls, "--segmenter", _seg)), "is not an Opacity GAN checkpoint");
        Expect(Run(Eval("ev_c4", "--model", _cycle, "--classifier", _seg, "--segmenter", _seg)), "is not an opacity classifier checkpoint");
    }

    [Test]
    public void Checkpoint_of_another_size_than_the_data_fails()
    {
        string big = P("data128");
        Ok(Run("synth", "--out", big, "--count", "4", "--size", "128", "--seed", "4", "--train", "1", "--val", "0"));
        Ok(Run("train", "--data", big, "--out", P("g128"), "--steps", "1", "--size", "128", "--ngf", "2", "--ndf", "2", "--blocks", "0", "--ablation", "mask", "--sample-every", "0"));
        Expect(Run(Eval("ev_size", "--model", P("g128", "checkpoint.safetensors"), "--classifier", _cls, "--segmenter", _seg)), "is a 128 px translator, but the images in");
    }

    [Test]
    public void Bad_data_folders_fail()
    {
        string[] models = ["--model", _cycle, "--classifier", _cls, "--segmenter", _seg];
        string empty = P("empty");
        Directory.CreateDirectory(empty);
        Expect(Run(["eval", "--data", empty, "--out", P("e1"), .. models]), "is empty: it has no manifest.csv");
        Expect(Run(["eval", "--data", P("nowhere"), "--out", P("e2"), .. models]), "nowhere' does not exist");
        string noTest = P("notest");
        Ok(Run("synth", "--out", noTest, "--count", "6", "--size", "64", "--seed", "3", "--train", "0.5", "--val", "0.5"));
        Expect(Run(["eval", "--data", noTest, "--out", P("e3"), .. models]), "has no test-split images");
        string oneDomain = P("onedomain");
        Ok(Run("synth", "--out", oneDomain, "--count", "6", "--size", "64", "--seed", "3", "--clear-fraction", "0", "--train", "0", "--val", "0"));
        Expect(Run(["eval", "--data", oneDomain, "--out", P("e4"), .. models]), "has 6 opacity and 0 clear images");
    }

    private static void CopyTree(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }

    private static void Expect((int Code, string Out, string Err) r, string expected)
    {
        Assert.That(r.Code, Is.Not.EqualTo(0), r.Out);
        Assert.That(r.Err, Does.Contain(expected));
        Assert.That(r.Err.Trim().Split('\n'), Has.Length.EqualTo(1), "one sentence, no stack trace");
        Assert.That(r.Err, Does.Not.Contain("   at "));
    }
}
