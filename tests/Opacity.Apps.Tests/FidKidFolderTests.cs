// `opacity fid-kid` on image folders (PNG, JPEG, DICOM) through both feature extractors: Inception-v3 with the
// width-1/8 golden weights (tests/fixtures/golden/inception_fid_w8.safetensors, the loader path a user's
// pytorch-fid weights take) and a small OpacityClassifier checkpoint written here. Checks that the output
// names the extractor, that a folder against itself gives FID 0, that the result is repeatable, and that every
// misuse is one sentence with a non-zero exit code.
using System.Text.Json;
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests;

[NonParallelizable]   // redirects Console
public sealed class FidKidFolderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"opacity-fidkid-img-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(params string[] parts) => Opacity.TestSupport.RepoFiles.Find(["tests", "fixtures", .. parts]);

    private static string Weights => Fixture("golden", "inception_fid_w8.safetensors");

    /// <summary>A folder of <paramref name="count"/> gray PNGs (non-square, so the centre crop runs) with brightness
    /// <paramref name="level"/>, plus a DICOM and a text file (which is skipped).</summary>
    private string Folder(string name, int count, double level, int seed)
    {
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            using var img = new Image<L8>(40, 36);
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    img[x, y] = new L8((byte)Math.Clamp(level * (x + y) * 3 + rng.Next(60), 0, 255));
            img.SaveAsPng(Path.Combine(dir, $"img{i:D2}.png"));
        }
        File.Copy(Fixture("readers", "dicom", "df8_mono2.dcm"), Path.Combine(dir, "zz.dcm"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
        return dir;
    }

    private static JsonElement Json(string[] args)
    {
        (int code, string stdout, string stderr) = Run(args);
        Assert.That(code, Is.Zero, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Test]
    public void Inception_features_of_two_folders()
    {
        string a = Folder("a", 4, 1.0, 1), b = Folder("b", 5, 0.4, 2);
        string[] args = ["fid-kid", "--real", a, "--fake", b, "--features", "inception", "--weights", Weights, "--size", "64",
            "--kid-subset-size", "4", "--batch-size", "3", "--json"];
        JsonElement r = Json(args);
        Assert.That(r.GetProperty("features").GetString(), Is.EqualTo("inception"));
        Assert.That(r.GetProperty("feature_extractor").GetString(), Does.Contain("Inception-v3 pool3").And.Contain(Weights));
        Assert.That(r.GetProperty("dim").GetInt32(), Is.EqualTo(256), "2048 / 8");
        Assert.That((r.GetProperty("n_real").GetInt32(), r.GetProperty("n_fake").GetInt32()), Is.EqualTo((5, 6)), "PNGs + the DICOM, not the .txt");
        Assert.That(r.GetProperty("image_size").GetInt32(), Is.EqualTo(64));
        Assert.That(r.GetProperty("images_per_second").GetDouble(), Is.GreaterThan(0));
        double fid = r.GetProperty("fid").GetDouble();
        Assert.That(fid, Is.GreaterThan(0));
        Assert.That(Json(args).GetProperty("fid").GetDouble(), Is.EqualTo(fid), "same folders, same FID");

        JsonElement self = Json(["fid-kid", "--real", a, "--fake", a, "--features", "inception", "--weights", Weights, "--size", "64", "--kid-subsets", "0", "--json"]);
        Assert.That(self.GetProperty("fid").GetDouble(), Is.LessThan(1e-6 * fid), "a folder against itself");
        JsonElement native = Json(["fid-kid", "--real", a, "--fake", b, "--features", "inception", "--weights", Weights, "--size", "0", "--kid-subsets", "0", "--json"]);
        Assert.That(native.GetProperty("feature_extractor").GetString(), Does.Contain("images as read"));
        Assert.That(native.GetProperty("fid").GetDouble(), Is.GreaterThan(0).And.Not.EqualTo(fid), "pytorch-fid's pipeline (no crop) gives its own FID");
        (int code, string text, _) = Run(["fid-kid", "--real", a, "--fake", b, "--features", "inception", "--weights", Weights, "--size", "64", "--kid-subset-size", "4"]);
        Assert.That(code, Is.Zero);
        Assert.That(text, Does.Contain("features: Inception-v3 pool3").And.Contain("images/s"));
    }

    [Test]
    public void Classifier_features_at_the_checkpoints_size()
    {
        string ckpt = Path.Combine(_dir, "classifier.safetensors");
        ClassifierCheckpoint.Save(new OpacityClassifier(ClassifierKind.ResNet, width: 4), ckpt, size: 32, seed: 1, steps: 0, validation: null);
        string a = Folder("a", 4, 1.0, 1), b = Folder("b", 4, 0.4, 2);
        JsonElement r = Json(["fid-kid", "--real", a, "--fake", b, "--features", "classifier", "--classifier", ckpt, "--kid-subset-size", "4", "--json"]);
        Assert.That(r.GetProperty("features").GetString(), Is.EqualTo("classifier"));
        Assert.That(r.GetProperty("feature_extractor").GetString(), Does.Contain("OpacityClassifier resnet width 4"));
        Assert.That(r.GetProperty("dim").GetInt32(), Is.EqualTo(16), "4 x width");
        Assert.That(r.GetProperty("image_size").GetInt32(), Is.EqualTo(32));
        Assert.That(double.IsFinite(r.GetProperty("fid").GetDouble()));
    }

    [Test]
    public void Bad_inputs_give_one_sentence_and_a_nonzero_exit_code()
    {
        string ok = Folder("ok", 3, 1.0, 1), ok2 = Folder("ok2", 3, 0.5, 2);
        string empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.txt"), "no images here");
        string broken = Folder("broken", 2, 1.0, 3);
        File.WriteAllText(Path.Combine(broken, "bad.png"), "this is not a png");
        string ckpt = Path.Combine(_dir, "classifier.safetensors");
        ClassifierCheckpoint.Save(new OpacityClassifier(ClassifierKind.ResNet, width: 4), ckpt, size: 32, seed: 1, steps: 0, validation: null);
        string npy = Path.Combine(_dir, "f.npy");
        Opacity.Gan.Data.Npy.Write(npy, new double[20], 5, 4, false);
        string[] inc = ["--features", "inception", "--weights", Weights, "--size", "48"];
        (string[] Args, string Words)[] cases =
        [
            (["--real", empty, "--fake", ok, .. inc], "has no PNG, JPEG or DICOM files"),
            (["--real", ok, "--fake", ok2, "--features", "inception"], "needs --weights"),
            (["--real", ok, "--fake", ok2, "--features", "inception", "--weights", Path.Combine(_dir, "none.safetensors")], "does not exist"),
            (["--real", ok, "--fake", ok2, "--features", "inception", "--weights", ckpt], "no tensor 'Conv2d_1a_3x3.conv.weight'"),
            (["--real", ok, "--fake", ok2, "--features", "classifier", "--classifier", Weights], Weights),
            (["--real", ok, "--fake", ok2, "--features", "classifier"], "needs --classifier"),
            (["--real", ok, "--fake", ok2, "--features", "classifier", "--classifier", ckpt, "--size", "64"], "trained at"),
            (["--real", ok, "--fake", ok2], "pass --features"),
            (["--real", ok, "--fake", ok2, "--features", "vgg"], "not one of inception, classifier"),
            (["--real", ok, "--fake", npy, .. inc], "must both be .npy files or both image folders"),
            (["--real", npy, "--fake", npy, "--features", "inception"], "applies to image folders"),
            (["--real", broken, "--fake", ok, .. inc], "bad.png"),
            (["--real", ok, "--fake", ok2, .. inc[..4], "--size", "-1"], "--size -1"),
        ];
        foreach ((string[] args, string words) in cases)
        {
            (int code, string stdout, string stderr) = Run(["fid-kid", .. args, "--kid-subset-size", "2"]);
            Assert.That(code, Is.Not.Zero, words);
            Assert.That(stderr, Does.Contain(words), words);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), $"one line: {stderr}");
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        }
    }
}
