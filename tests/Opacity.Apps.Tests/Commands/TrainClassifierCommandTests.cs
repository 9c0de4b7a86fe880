// `opacity train-classifier` / `train-segmenter`: a tiny run writes a checkpoint with metadata and a final
// line; bad input (no data option, missing or empty folder, one-domain folder, bad size, bad kind) prints
// one sentence on stderr and exits non-zero.
using Opacity.Cli;
using Opacity.Nn.Serialization;
using static Opacity.Apps.Tests.CliRunner;

namespace Opacity.Apps.Tests.Commands;

[NonParallelizable]
public sealed class TrainClassifierCommandTests
{
    private static string TempDir(string tag)
    {
        string d = Path.Combine(Path.GetTempPath(), $"train_cli_{tag}_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    // The same seed gives the same weights whatever the machine's core count: a classifier run's weight gradients go
    // through the direct dw kernel, whose partial sums once came one per core (sessions 11-12), so two machines with
    // different core counts trained different classifiers. Two child processes, DOTNET_PROCESSOR_COUNT 1 and 3.
    // Width 16 so that the 16-channel 3x3 convs at 32 px also take the Winograd paths (forward, dx, dw: their tasks
    // and partial sums are fixed by the shapes too); width 56 at batch 1 so that a 32-px map is one forward task,
    // which then splits its output channels over the cores, and one dw chunk, which dw cuts into two slabs.
    [TestCase(16, 4)]
    [TestCase(56, 1)]
    public void Training_gives_the_same_bytes_whatever_the_core_count(int width, int batch)
    {
        string dir = TempDir("cores");
        try
        {
            string? dll = typeof(Program).Assembly.Location;
            Assume.That(File.Exists(dll), "the opacity.dll next to the tests");
            string Train(int cores)
            {
                string path = Path.Combine(dir, $"c{cores}.safetensors");
                var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string a in new[] { dll, "train-classifier", "--synth", "24", "--size", "64", "--steps", "3", "--width", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", path })
                    psi.ArgumentList.Add(a);
                psi.Environment["DOTNET_PROCESSOR_COUNT"] = cores.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var p = System.Diagnostics.Process.Start(psi)!;
                string err = p.StandardError.ReadToEnd();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.That(p.ExitCode, Is.EqualTo(0), err);
                return path;
            }
            Assert.That(File.ReadAllBytes(Train(3)), Is.EqualTo(File.ReadAllBytes(Train(1))), "checkpoints trained on 1 and 3 cores");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Tiny_runs_write_checkpoints_with_metadata()
    {
        string dir = TempDir("ok");
        try
        {
            string c = Path.Combine(dir, "c.safetensors"), s = Path.Combine(dir, "s.safetensors");
            var (code, output, err) = Run("train-classifier", "--synth", "12", "--size", "64", "--steps", "2", "--width", "2", "--batch", "4", "--kind", "plain", "--seed", "5", "--out", c);
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Trained a plain classifier (width 2)").And.Contain(c));
            var meta = SafeTensors.Load(c).Metadata;
            Assert.That((meta["model"], meta["kind"], meta["width"], meta["size"], meta["seed"]), Is.EqualTo(("opacity-classifier", "plain", "2", "64", "5")));
            (code, output, err) = Run("train-segmenter", "--synth", "12", "--size", "64", "--steps", "2", "--width", "2", "--depth", "2", "--batch", "2", "--out", s);
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Trained a U-Net lung segmenter (width 2, depth 2)"));
            Assert.That(SafeTensors.Load(s).Metadata["model"], Is.EqualTo("lung-segmenter"));
            string l = Path.Combine(dir, "l.safetensors");
            (code, output, err) = Run("train-classifier", "--kind", "lesion-map", "--synth", "12", "--size", "64", "--steps", "2", "--batch", "2", "--seed", "6", "--out", l);
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Trained a lesion-map judge (width 8, depth 3)"), "the lesion map's own default width");
            meta = SafeTensors.Load(l).Metadata;
            Assert.That((meta["model"], meta["width"], meta["depth"], meta["size"], meta["seed"]), Is.EqualTo(("lesion-map-judge", "8", "3", "64", "6")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Bad_input_prints_one_sentence_and_fails()
    {
        string dir = TempDir("bad");
        try
        {
            string ckpt = Path.Combine(dir, "x.safetensors");
            string oneDomain = Path.Combine(dir, "opacity_only");
            Assert.That(Run("synth", "--out", oneDomain, "--count", "4", "--size", "64", "--clear-fraction", "0").Code, Is.EqualTo(0));
            string empty = Path.Combine(dir, "empty");
            Directory.CreateDirectory(empty);
            (string[] Args, string Expected)[] cases =
            [
                (["train-classifier", "--steps", "1", "--out", ckpt], "exactly one of --data DIR or --synth N"),
                (["train-classifier", "--data", Path.Combine(dir, "missing"), "--out", ckpt], "does not exist"),
                (["train-classifier", "--data", empty, "--out", ckpt], "manifest.csv' does not exist"),
                (["train-classifier", "--data", oneDomain, "--out", ckpt], "has only opacity images"),
                (["train-segmenter", "--data", oneDomain, "--out", ckpt], "no clear images"),
                (["train-classifier", "--synth", "4", "--size", "100", "--out", ckpt], "Image size 100 px"),
                (["train-classifier", "--data", oneDomain, "--size", "48", "--out", ckpt], "does not divide the 64 px images"),
                (["train-segmenter", "--synth", "4", "--size", "72", "--out", ckpt], "multiple of 16"),
                (["train-classifier", "--synth", "4", "--kind", "vgg", "--out", ckpt], "'vgg'"),
                (["train-classifier", "--kind", "lesion-map", "--data", oneDomain, "--out", ckpt], "has only opacity images"),
                (["train-classifier", "--kind", "lesion-map", "--synth", "4", "--size", "8", "--out", ckpt], "Image size 8 px is not usable by a U-Net of depth 3"),
                (["train-classifier", "--kind", "lesion-map", "--synth", "4", "--width", "0", "--out", ckpt], "--width 0 must be positive"),
            ];
            foreach (var (args, expected) in cases)
            {
                var (code, _, err) = Run(args);
                Assert.That(code, Is.Not.EqualTo(0), string.Join(' ', args));
                Assert.That(err.Trim(), Does.Contain(expected), string.Join(' ', args));
                Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
            }
            Assert.That(File.Exists(ckpt), Is.False);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
