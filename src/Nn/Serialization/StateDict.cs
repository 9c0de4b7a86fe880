// A module's state dict: parameters and buffers by dotted name, saved as safetensors. Loading is
// all-or-nothing: every key is checked (missing, unexpected, wrong shape) before any value is
// copied, so a bad checkpoint never leaves a module half-loaded.
using Opacity.Tensors;

namespace Opacity.Nn.Serialization;

public static class StateDict
{
    public static IEnumerable<(string Name, Tensor Value)> Of(Module module)
        => module.NamedParameters().Select(p => (p.Name, p.Param.Value)).Concat(module.NamedBuffers());

    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
        => SafeTensors.Save(path, Of(module), metadata);

    public static Dictionary<string, string> Load(Module module, string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        Apply(module, tensors, path);
        return metadata;
    }

    public static void Apply(Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var own = Of(module).ToList();
        var problems = new List<string>();
        foreach (var (name, value) in own)
        {
            if (!tensors.TryGetValue(name, out Tensor? t)) problems.Add($"missing '{name}' {value.Shape}");
            else if (t.Shape != value.Shape) problems.Add($"'{name}' has shape {t.Shape} in the file but {value.Shape} in the model");
        }
        var ownNames = own.Select(o => o.Name).ToHashSet();
        foreach (string name in tensors.Keys.Where(k => !ownNames.Contains(k)).Order()) problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new SafeTensorsException($"'{source}' does not match the model ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): {string.Join("; ", problems.Take(8))}{(problems.Count > 8 ? "; ..." : "")}.");
        foreach (var (name, value) in own)
        {
            Tensor src = tensors[name];
            value.CopyFrom(src.DType == value.DType ? src : src.To(value.DType));
        }
    }
}
