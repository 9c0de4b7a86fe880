// `opacity train` and `opacity translate`: a tiny end-to-end run (synth -> train -> translate), and every
// bad input as one sentence on stderr with a non-zero exit code.
using Opacity.Cli;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class TrainCommandTests
{
    private string _root = "";
    private string _data = "";

    [OneTimeSetUp]
    public void MakeData()
    {
        _root = Path.Combine(Path.GetTempPath(), "train_cli_" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "data");
        var (code, _, err) = Run("synth", "--out", _data, "--count", "6", "--size", "64", "--seed", "3", "--train", "1", "--val", "0");
        Assert.That(code, Is.EqualTo(0), err);
    }

    [OneTimeTearDown]
    public void Clean() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    private string[] Train(string outName, params string[] extra) =>
        ["train", "--data", _data, "--out", Path.Combine(_root, outName), "--steps", "2", "--size", "64", "--ngf", "4", "--ndf", "4", "--blocks", "1", "--sample-every", "1", .. extra];

    [Test]
    public void Train_then_translate_writes_checkpoint_samples_and_pngs()
    {
        var (code, output, err) = Run(Train("run", "--ablation", "mask"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 2 steps"));
        string ckpt = Path.Combine(_root, "run", "checkpoint.safetensors");
        Assert.That(File.Exists(ckpt) && File.Exists(Path.Combine(_root, "run", "samples", "step0000002.png")), Is.True);
        string outDir = Path.Combine(_root, "translated");
        string opacityDir = Path.Combine(_data, "train", "opacity");
        string oneClear = Directory.GetFiles(Path.Combine(_data, "train", "clear"))[0];
        int n = Directory.GetFiles(opacityDir, "*.png").Length + 1;
        (code, output, err) = Run("translate", opacityDir, oneClear, "--model", ckpt, "--out", outDir);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain($"Translated {n} images"));
        Assert.That(Directory.GetFiles(outDir, "*_clear.png"), Has.Length.EqualTo(n));
        Assert.That(Directory.GetFiles(outDir, "*_mask.png"), Has.Length.EqualTo(n));
        // resume to 3 steps continues from step 2
        (code, output, err) = Run(["train", "--data", _data, "--out", Path.Combine(_root, "run"), "--steps", "3", "--resume"]);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 3 steps"));
    }

    [Test]
    public void UNet_generator_with_residual_content_and_masked_cycle_trains()
    {
        var (code, output, err) = Run(Train("unet", "--ablation", "mask", "--generator", "unet", "--unet-depth", "2",
            "--content", "residual", "--cycle-scope", "outside-mask"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 2 steps"));
    }

    [Test]
    public void Profile_steps_prints_the_per_op_table_of_the_window_after_the_warm_up()
    {
        string[] args = ["train", "--data", _data, "--out", Path.Combine(_root, "profile"), "--steps", "6", "--size", "64", "--ngf", "4",
            "--ndf", "4", "--blocks", "1", "--ablation", "mask", "--profile-steps", "2"];
        var (code, output, err) = Run(args);
        Assert.That(code, Is.EqualTo(0), err);
        // 6 steps: the warm-up is half the run (3 steps), then steps 4 and 5 are timed.
        Assert.That(output, Does.Contain("per-op time over steps 4-5"));
        Assert.That(output, Does.Contain("ms per step (wall)"));
        Assert.That(output, Does.Contain("Conv2d.fwd").And.Contain("Conv2d.bwd"));
        Assert.That(output, Does.Contain("Trained 6 steps"));

        (code, _, err) = Run([.. args[..^1], "-1"]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim(), Is.EqualTo("--profile-steps -1 must be 0 (off) or positive."));
    }

    [Test]
    public void Smaller_discriminator_patches_train_and_resume()
    {
        string[] Run2(int steps, params string[] extra) =>
            ["train", "--data", _data, "--out", Path.Combine(_root, "dlayers"), "--steps", $"{steps}", "--size", "64", "--ngf", "4", "--ndf", "4",
             "--blocks", "1", "--ablation", "mask", .. extra];
        var (code, output, err) = Run(Run2(2, "--d-layers", "2"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 2 steps"));
        (code, output, err) = Run(Run2(3, "--d-layers", "2", "--resume"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 3 steps"));
        // --resume takes the method options from the checkpoint: without --d-layers it goes on with 34x34 patches.
        (code, output, err) = Run(Run2(4, "--resume"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 4 steps"));
    }

    [TestCase("--generator", "vgg", "expected resnet or unet")]
    [TestCase("--content", "mix", "expected absolute or residual")]
    [TestCase("--mask-prior", "gradcam", "expected none, cam or saliency")]
    [TestCase("--cycle-scope", "half", "expected full or outside-mask")]
    [TestCase("--classifier-view", "rotated", "expected plain or jittered")]
    [TestCase("--generator-average", "1.5", "Generator average decay 1.5 must be 0 (off) or in (0, 1)")]
    [TestCase("--label-reference", "mean", "Unknown label reference 'mean'; expected fixed or real.")]
    [TestCase("--d-layers", "0", "The PatchGAN of 0 stride-2 layers needs at least 1")]
    [TestCase("--d-layers", "5", "The PatchGAN of 5 stride-2 layers needs at least 1 and an image of at least 4 x 2^layers pixels (size 64).")]
    [TestCase("--d-opacity-negatives", "-1", "The weight of opacity negatives for D_N, -1, must be zero or positive.")]
    public void Unknown_method_option_values_fail(string option, string value, string message) =>
        Expect(Run(Train("badopt", "--ablation", "mask", option, value)), message);

    [Test]
    public void Cam_prior_without_classifier_fails() =>
        Expect(Run(Train("camnocls", "--ablation", "mask", "--mask-prior", "cam")), "--mask-prior cam needs the frozen classifier");

    [Test]
    public void Saliency_prior_without_classifier_fails() =>
        Expect(Run(Train("salnocls", "--ablation", "mask", "--mask-prior", "saliency")), "--mask-prior saliency needs the frozen classifier");

    [Test]
    public void Cdam_ablation_without_classifier_fails() =>
        Expect(Run(Train("nocls", "--ablation", "full")), "needs --classifier");

    [Test]
    public void Missing_classifier_file_fails() =>
        Expect(Run(Train("misscls", "--ablation", "mask+label", "--classifier", Path.Combine(_root, "nope.safetensors"))), "nope.safetensors' does not exist");

    [Test]
    public void Classifier_of_the_wrong_architecture_fails()
    {
        string fake = Path.Combine(_root, "gan_as_classifier.safetensors");
        var (code, _, err) = Run(Train("wrongsrc", "--ablation", "mask"));
        Assert.That(code, Is.EqualTo(0), err);
        File.Copy(Path.Combine(_root, "wrongsrc", "checkpoint.safetensors"), fake, overwrite: true);
        Expect(Run(Train("wrongcls", "--ablation", "full", "--classifier", fake)), "is not an opacity classifier checkpoint");
    }

    [Test]
    public void Full_method_trains_with_a_classifier_from_train_classifier()
    {
        string cls = Path.Combine(_root, "cls.safetensors");
        var (code, _, err) = Run("train-classifier", "--data", _data, "--size", "64", "--steps", "2", "--seed", "5", "--out", cls, "--width", "4", "--batch", "2");
        Assert.That(code, Is.EqualTo(0), err);
        (code, string output, err) = Run(Train("full", "--ablation", "full", "--classifier", cls));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Trained 2 steps (full, 64 px)"));
        Expect(Run(["train", "--data", _data, "--out", Path.Combine(_root, "full96"), "--steps", "1", "--size", "96", "--ablation", "full", "--classifier", cls]), "trained at 64 px");
        (code, _, err) = Run(Train("jittered", "--ablation", "full", "--classifier", cls, "--classifier-view", "jittered", "--generator-average", "0.9"));
        Assert.That(code, Is.EqualTo(0), err);
        var saved = Opacity.Gan.Training.GanCheckpoint.Read(Path.Combine(_root, "jittered", Opacity.Gan.Training.GanCheckpoint.FileName)).Options;
        Assert.That(saved.ClassifierViewing, Is.EqualTo(Opacity.Gan.Training.ClassifierViewing.Jittered));
        Assert.That(saved.GeneratorAverageDecay, Is.EqualTo(0.9));
    }

    [Test]
    public void Empty_data_folder_fails()
    {
        string empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        Expect(Run(["train", "--data", empty, "--out", Path.Combine(_root, "e"), "--steps", "1", "--size", "64", "--ablation", "mask"]), "is empty");
    }

    [Test]
    public void One_domain_data_folder_fails()
    {
        string one = Path.Combine(_root, "one");
        Assert.That(Run("synth", "--out", one, "--count", "2", "--size", "64", "--clear-fraction", "0", "--train", "1", "--val", "0").Item1, Is.EqualTo(0));
        Expect(Run(["train", "--data", one, "--out", Path.Combine(_root, "o"), "--steps", "1", "--size", "64", "--ablation", "mask"]), "only one domain");
    }

    [Test]
    public void Wrong_image_size_fails() =>
        Expect(Run(["train", "--data", _data, "--out", Path.Combine(_root, "s"), "--steps", "1", "--size", "128", "--ablation", "mask"]), "holds 64 px images but --size is 128");

    [Test]
    public void Translate_with_missing_model_or_input_fails()
    {
        Expect(Run("translate", Path.Combine(_data, "train", "opacity"), "--model", Path.Combine(_root, "none.safetensors"), "--out", Path.Combine(_root, "t")), "does not exist");
        Expect(Run("translate", Path.Combine(_root, "no_such_image.png"), "--model", Path.Combine(_root, "none.safetensors"), "--out", Path.Combine(_root, "t")), "no_such_image.png' does not exist");
    }

    [Test]
    public void Translate_on_a_missing_or_unknown_device_fails()
    {
        var (code, _, err) = Run(Train("dev", "--ablation", "mask"));
        Assert.That(code, Is.EqualTo(0), err);
        string ckpt = Path.Combine(_root, "dev", "checkpoint.safetensors");
        string input = Path.Combine(_data, "train", "opacity");
        Expect(Run("translate", input, "--model", ckpt, "--out", Path.Combine(_root, "t"), "--device", "tpu"), "Unknown device 'tpu'");
        Opacity.Tensors.CudaRuntime.UseHardware();
        if (Opacity.Tensors.CudaRuntime.IsAvailable(out _)) Assert.Ignore("a CUDA device is present, so there is no missing-GPU message to check");
        Expect(Run("translate", input, "--model", ckpt, "--out", Path.Combine(_root, "t"), "--device", "cuda"), "Cannot translate on cuda:0");
    }

    private static void Expect((int Code, string Out, string Err) r, string expected)
    {
        Assert.That(r.Code, Is.Not.EqualTo(0));
        Assert.That(r.Err, Does.Contain(expected));
        Assert.That(r.Err.Trim().Split('\n'), Has.Length.EqualTo(1), "one sentence, no stack trace");
        Assert.That(r.Err, Does.Not.Contain("   at "));
    }
}
