// `opacity fid-kid` end to end on small .npy files: JSON keys, same seed same KID, and every bad input named in
// the issue (mismatched d, fewer than 2 samples, NaN, non-.npy, truncated .npy, subset too large) gives one
// sentence on stderr and a non-zero exit code.
using System.Text.Json;
using Opacity.Gan.Data;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests;

[NonParallelizable]   // redirects Console
public sealed class FidKidCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"opacity-fidkid-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Features(string name, int n, int d, int seed, bool float32 = false, double poison = 0)
    {
        var rng = new Random(seed);
        double[] x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() + seed * 0.01).ToArray();
        if (poison != 0)
            x[^1] = double.NaN;
        string path = Path.Combine(_dir, name);
        Npy.Write(path, x, n, d, float32);
        return path;
    }

    [Test]
    public void Json_has_fid_and_kid_and_is_repeatable()
    {
        string r = Features("r.npy", 40, 8, 1), f = Features("f.npy", 30, 8, 2, float32: true);
        string[] args = ["fid-kid", "--real", r, "--fake", f, "--kid-subsets", "4", "--kid-subset-size", "20", "--seed", "5", "--json"];
        (int code, string stdout, string stderr) = Run(args);
        Assert.That(code, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        double fid = doc.RootElement.GetProperty("fid").GetDouble();
        double kidMean = doc.RootElement.GetProperty("kid_mean").GetDouble();
        Assert.That(fid, Is.GreaterThan(0));
        Assert.That(doc.RootElement.GetProperty("kid_std").GetDouble(), Is.GreaterThanOrEqualTo(0));
        using var again = JsonDocument.Parse(Run(args).Out);
        Assert.That(again.RootElement.GetProperty("kid_mean").GetDouble(), Is.EqualTo(kidMean));
        Assert.That(again.RootElement.GetProperty("fid").GetDouble(), Is.EqualTo(fid));
    }

    [Test]
    public void Bad_inputs_give_one_sentence_and_a_nonzero_exit_code()
    {
        string ok = Features("ok.npy", 20, 4, 1);
        string ok2 = Features("ok2.npy", 20, 4, 2);
        string wide = Features("wide.npy", 20, 5, 3);
        string one = Features("one.npy", 1, 4, 4);
        string nan = Features("nan.npy", 20, 4, 5, poison: 1);
        string text = Path.Combine(_dir, "text.npy");
        File.WriteAllText(text, "not numpy at all");
        string cut = Path.Combine(_dir, "cut.npy");
        byte[] full = File.ReadAllBytes(ok);
        File.WriteAllBytes(cut, full[..^10]);
        (string[] Args, string Words)[] cases =
        [
            (["--real", ok, "--fake", wide], "dimensions differ"),
            (["--real", one, "--fake", ok], "at least 2"),
            (["--real", ok, "--fake", nan], "non-finite"),
            (["--real", text, "--fake", ok], "not a NumPy .npy file"),
            (["--real", ok, "--fake", cut], "truncated"),
            (["--real", ok, "--fake", ok2, "--kid-subset-size", "21"], "larger than"),
            (["--real", Path.Combine(_dir, "missing.npy"), "--fake", ok], "does not exist"),
        ];
        foreach ((string[] args, string words) in cases)
        {
            (int code, string stdout, string stderr) = Run(["fid-kid", .. args, .. (args.Contains("--kid-subset-size") ? Array.Empty<string>() : ["--kid-subset-size", "10"])]);
            Assert.That(code, Is.Not.Zero, words);
            Assert.That(stderr, Does.Contain(words), words);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(stdout, Is.Empty);
        }
    }
}
