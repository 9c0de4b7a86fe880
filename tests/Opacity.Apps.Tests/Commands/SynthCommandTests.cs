// `opacity synth`: a small run writes the folder and a final line; bad input prints one sentence on stderr
// and exits non-zero (no stack trace).
using Opacity.Cli;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class SynthCommandTests
{
    [Test]
    public void Small_run_writes_manifest_and_images()
    {
        string dir = Path.Combine(Path.GetTempPath(), "synth_cli_" + Guid.NewGuid().ToString("N"));
        try
        {
            (int code, string output, string err) = Run("synth", "--out", dir, "--count", "4", "--size", "64", "--seed", "2");
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Wrote 4 phantoms").And.Contain(dir));
            string[] lines = File.ReadAllLines(Path.Combine(dir, "manifest.csv"));
            Assert.That(lines, Has.Length.EqualTo(5));
            Assert.That(Directory.GetFiles(dir, "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(2 * 4 + 2 * 2)); // images+lung masks, truths+opacity masks
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestCase("--size", "32", "Size 32")]
    [TestCase("--size", "2048", "Size 2048")]
    [TestCase("--count", "0", "--count 0")]
    [TestCase("--count", "-3", "--count -3")]
    [TestCase("--mix", "ggo=1,tumour=1", "tumour")]
    public void Bad_input_prints_one_sentence_and_fails(string option, string value, string expected)
    {
        string dir = Path.Combine(Path.GetTempPath(), "synth_bad_" + Guid.NewGuid().ToString("N"));
        var args = new List<string> { "synth", "--out", dir, option, value };
        if (option != "--count") args.AddRange(["--count", "2"]);
        if (option != "--size") args.AddRange(["--size", "64"]);
        (int code, _, string err) = Run([.. args]);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(err.Trim(), Does.Contain(expected));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), "one sentence, no stack trace");
        Assert.That(Directory.Exists(dir), Is.False, "nothing written for bad options");
    }

    [Test]
    public void Unwritable_output_folder_fails_with_one_sentence()
    {
        string file = Path.GetTempFileName();   // a file where a folder is expected
        try
        {
            (int code, _, string err) = Run("synth", "--out", Path.Combine(file, "sub"), "--count", "2", "--size", "64");
            Assert.That(code, Is.Not.EqualTo(0));
            Assert.That(err, Does.Contain("not writable"));
            Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
