// The side-by-side runner compares workloads by name: every C# anchor must have its PyTorch twin in
// bench/pytorch/anchor_workloads.py (and no name may exist on one side only), and every C# workload must run.
using System.Text.RegularExpressions;
using Opacity.Cli.Bench;

namespace Opacity.Apps.Tests;

public sealed partial class AnchorWorkloadTests
{
    [GeneratedRegex("""\("([a-z0-9_]+)",\s*[a-z_]+\)""")]
    private static partial Regex PythonEntry();

    [Test]
    public void Every_anchor_has_the_same_name_on_both_sides()
    {
        string text = File.ReadAllText(Opacity.TestSupport.RepoFiles.Find("bench", "pytorch", "anchor_workloads.py"));
        string list = text[text.LastIndexOf("for name, make in", StringComparison.Ordinal)..];
        string[] python = [.. PythonEntry().Matches(list).Select(m => m.Groups[1].Value)];
        Assert.That(python, Is.EquivalentTo(AnchorWorkloads.All.Select(w => w.Name)));
    }

    [Test]
    public void Translate_anchor_runs()
    {
        Action run = AnchorWorkloads.All.Single(w => w.Name == "translate_resnet9_ngf64_256px").Build(Opacity.Tensors.Device.Cpu);
        Assert.DoesNotThrow(() => run());
    }
}
