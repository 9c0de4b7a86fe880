// `opacity demo` end to end at a toy budget: every stage runs, the report and its images are written,
// and the report's tables hold numbers for all three rows and the paired-truth (ideal) row; the
// evaluation-only patients join the validation and test splits; the CDAM ensemble's members are saved;
// the judge panel and the lesion-map judge have their tables and metrics. Bad sizes, member and judge counts, mask prior and generator are one sentence.
using Opacity.Cli;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class DemoCommandTests
{
    [Test]
    public void Tiny_demo_writes_a_report_with_all_rows()
    {
        string dir = Path.Combine(Path.GetTempPath(), "demo_" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = Run("demo", "--out", dir, "--count", "60", "--eval-count", "8", "--gan-steps", "3", "--classifier-steps", "3", "--segmenter-steps", "2", "--lesion-judge-steps", "2", "--ngf", "4", "--ndf", "2", "--blocks", "1", "--mask-prior", "saliency");
            Assert.That(code, Is.EqualTo(0), err + output);
            Assert.That(output, Does.Contain("Report: "));
            Assert.That(output, Does.Contain(" PSNR removed outside"), "the console summary has the columns against the paired truth");
            Assert.That(output.Split('\n').Count(l => l.StartsWith("full method ", StringComparison.Ordinal)), Is.EqualTo(1), "one summary line per row");
            string report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.That(report, Does.Contain("| untranslated |").And.Contain("| CycleGAN (ablation) |").And.Contain("| full method |"));
            Assert.That(report, Does.Contain("| paired truth (ideal translation) |"));
            Assert.That(output, Does.Contain("evaluation on 10 validation and 10 test patients"), "6 + 6 of the 60 patients, plus 4 + 4 evaluation-only ones");
            Assert.That(File.Exists(Path.Combine(dir, "samples.png")), Is.True);
            string[] cdam = ["cdam_classifier.safetensors", "cdam_classifier_2.safetensors", "cdam_classifier_3.safetensors"];
            Assert.That(cdam.All(f => File.Exists(Path.Combine(dir, "models", f))), "the three CDAM ensemble members are saved");
            Assert.That(Enumerable.Range(2, 4).All(j => File.Exists(Path.Combine(dir, "models", $"eval_judge_{j}.safetensors"))), "judges 2-5 are saved");
            Assert.That(report, Does.Contain("ensemble of 3 ResNets"));
            Assert.That(File.Exists(Path.Combine(dir, "models", "lesion_map_judge.safetensors")), "the lesion-map judge is saved");
            Assert.That(report, Does.Contain("Called opacity by the lesion-map judge").And.Contain("(2 steps, seed 41)"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "metrics.json")), Does.Contain("\"opacity_rate_lesion_map\"").And.Contain("\"opacity_rate_lesion_map_by_kind\""));
            Assert.That(output, Does.Contain(" called    map "), "the console summary has the lesion-map judge's column");
            Assert.That(report, Does.Contain("Called opacity by a panel of evaluation classifiers").And.Contain("| judge 5 |"));
            // The shared EvaluationReport (the one `opacity eval` writes) also leaves every number in metrics.json.
            Assert.That(File.ReadAllText(Path.Combine(dir, "metrics.json")), Does.Contain("\"method\": \"full method\"").And.Contain("\"opacity_rate_panel\""));
            Assert.That(report, Does.Contain("saliency (their smoothed input gradient)"), "the tiny run uses --mask-prior saliency and the report says so");
            Assert.That(report, Does.Contain("negatives of the clear-domain discriminator (weight 1)"), "D_N's opacity negatives are on by default");
            Assert.That(File.ReadAllText(Path.Combine(dir, "metrics.json")), Does.Contain("\"label_weight\": \"0.7\""), "metrics.json names the label weight");
            Assert.That(report, Does.Contain("CDAM label (weight 0.7) and feature (F1) alignment"), "the report names the demo's label weight");
            Assert.That(report, Does.Contain("U-Net generator (width 4, depth 3), 70x70 PatchGAN (width 2)"), "--ndf sets the discriminators' width apart from --ngf");
            var (weights, _) = Opacity.Nn.Serialization.SafeTensors.Load(Path.Combine(dir, "translator-full", "checkpoint.safetensors"));
            Assert.That(weights["D_A.model.0.weight"].Shape[0], Is.EqualTo(2), "the trained PatchGAN's first conv has --ndf channels");
            Assert.That(weights["G_AB.unet.down.0.0.weight"].Shape[0], Is.EqualTo(4), "and the generator's first conv --ngf");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Test]
    public void Bad_size_is_one_sentence()
    {
        var (code, _, err) = Run("demo", "--out", Path.GetTempPath(), "--size", "70");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Does.Contain("--size 70 must be a multiple of 16"));
    }

    [TestCase("--cdam-classifiers", "0")]
    [TestCase("--cdam-classifiers", "11")]
    [TestCase("--judges", "0")]
    [TestCase("--judges", "11")]
    public void Bad_member_or_judge_count_is_one_sentence(string option, string count)
    {
        var (code, _, err) = Run("demo", "--out", Path.GetTempPath(), option, count);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Does.Contain($"{option} {count} must be between 1 and 10"));
    }

    [TestCase("1")]
    [TestCase("-0.5")]
    public void Bad_generator_average_is_one_sentence(string decay)
    {
        var (code, _, err) = Run("demo", "--out", Path.GetTempPath(), "--generator-average", decay);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Does.Contain($"--generator-average {decay} must be 0 (off) or in (0, 1)"));
    }

    [TestCase("--mask-prior", "none", "--mask-prior none leaves the demo's full method without its mask prior")]
    [TestCase("--mask-prior", "gradcam", "Unknown mask prior 'gradcam'; expected none, cam or saliency.")]
    [TestCase("--generator", "vgg", "resnet or unet")]
    [TestCase("--d-opacity-negatives", "-1", "--d-opacity-negatives -1 must be zero or positive.")]
    [TestCase("--label-weight", "-0.5", "--label-weight -0.5 must be zero or positive.")]
    [TestCase("--ndf", "0", "--ndf 0 must be positive.")]
    [TestCase("--ngf", "0", "--ngf 0 must be positive.")]
    [TestCase("--lesion-judge-steps", "0", "--lesion-judge-steps 0 must be positive.")]
    public void Bad_method_option_is_one_sentence(string option, string value, string message)
    {
        var (code, _, err) = Run("demo", "--out", Path.GetTempPath(), option, value);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Does.Contain(message));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void Too_few_evaluation_images_is_one_sentence_before_any_training()
    {
        string dir = Path.Combine(Path.GetTempPath(), "demo_" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = Run("demo", "--out", dir, "--count", "40", "--eval-count", "0");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err.Trim(), Does.Match("The evaluation (validation|test) split has \\d+ opacity and \\d+ clear images; the evaluation needs at least 2 of each"));
            Assert.That(output, Does.Not.Contain("2/6"), "no classifier was trained");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
