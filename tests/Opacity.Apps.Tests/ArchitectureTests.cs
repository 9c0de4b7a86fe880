// Dependencies point one way: Apps -> Gan -> Nn -> Tensor -> Kernels (DESIGN.md). Each assembly may
// reference only the layers below it, and only the one directly below plus Kernels' neighbour rule:
// Gan must reach Kernels through Tensor (e.g. Linalg), never directly.
using System.Reflection;

namespace Opacity.Apps.Tests;

[TestFixture]
public sealed class ArchitectureTests
{
    private static readonly string[] Layers = ["Opacity.Kernels", "Opacity.Tensor", "Opacity.Nn", "Opacity.Gan", "opacity"];

    // Which of our assemblies each layer may reference directly.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Opacity.Kernels"] = [],
        ["Opacity.Tensor"] = ["Opacity.Kernels"],
        ["Opacity.Nn"] = ["Opacity.Tensor"],
        ["Opacity.Gan"] = ["Opacity.Nn", "Opacity.Tensor"],
        ["opacity"] = ["Opacity.Gan", "Opacity.Nn", "Opacity.Tensor", "Opacity.Kernels"],
    };

    private static Assembly LoadLayer(string name) => Assembly.Load(new AssemblyName(name));

    [TestCaseSource(nameof(Layers))]
    public void Layer_references_only_the_layers_below_it(string layer)
    {
        Assembly asm = LoadLayer(layer);
        var ours = asm.GetReferencedAssemblies().Select(a => a.Name!).Where(n => Layers.Contains(n)).ToList();
        var wrong = ours.Except(Allowed[layer]).ToList();
        Assert.That(wrong, Is.Empty, $"{layer} references {string.Join(", ", wrong)}; allowed: {string.Join(", ", Allowed[layer])}");
    }

    [Test]
    public void The_rule_itself_catches_an_upward_reference()
    {
        // Opacity.Tensor references Opacity.Kernels; judged as if it were the Kernels layer, it must break the rule.
        var refs = LoadLayer("Opacity.Tensor").GetReferencedAssemblies().Select(a => a.Name!).Where(n => Layers.Contains(n));
        Assert.That(refs.Except(Allowed["Opacity.Kernels"]), Is.Not.Empty);
    }
}
