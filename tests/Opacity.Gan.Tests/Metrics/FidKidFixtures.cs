// Locates tests/fixtures/fidkid (made by make_vectors.py with numpy/scipy) from the test output folder and
// reads expected.json.
using System.Text.Json;

namespace Opacity.Gan.Tests.Metrics;

internal static class FidKidFixtures
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "tests", "fixtures", "fidkid");
            if (File.Exists(Path.Combine(p, "expected.json")))
                return p;
        }
        throw new InvalidOperationException("tests/fixtures/fidkid/expected.json not found above the test folder.");
    });

    public static string Path_(string file) => Path.Combine(Dir.Value, file);

    public static JsonElement Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("expected.json")));
        return doc.RootElement.Clone();
    }

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (JsonElement c in Expected().GetProperty("cases").EnumerateArray())
            yield return new TestCaseData(c.GetProperty("name").GetString()).SetName($"{{m}}({c.GetProperty("name").GetString()})");
    }

    public static JsonElement Case(string name)
        => Expected().GetProperty("cases").EnumerateArray().First(c => c.GetProperty("name").GetString() == name);
}
