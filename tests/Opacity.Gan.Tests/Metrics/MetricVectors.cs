// Loads tests/fixtures/metrics/metrics_vectors.json (written by make_vectors.py with skimage/scipy) for the metric tests.
using System.Text.Json;

namespace Opacity.Gan.Tests.Metrics;

internal static class MetricVectors
{
    private static readonly Lazy<JsonDocument> Doc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "fixtures", "metrics", "metrics_vectors.json"))));

    public static IEnumerable<JsonElement> Section(string name) => Doc.Value.RootElement.GetProperty(name).EnumerateArray();

    public static JsonElement Case(string section, string name) => Section(section).Single(e => e.GetProperty("name").GetString() == name);

    public static IEnumerable<string> Names(string section) => Section(section).Select(e => e.GetProperty("name").GetString()!).ToArray();

    public static float[] Floats(JsonElement e, string prop) => e.GetProperty(prop).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
    public static double[] Doubles(JsonElement e, string prop) => e.GetProperty(prop).EnumerateArray().Select(v => v.GetDouble()).ToArray();
    public static bool[] Bools(JsonElement e, string prop) => e.GetProperty(prop).EnumerateArray().Select(v => v.GetBoolean()).ToArray();
}
