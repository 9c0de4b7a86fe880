// safetensors round trips and every bad-input path: truncated, foreign, inconsistent offsets,
// and state dicts with missing, unexpected or mis-shaped keys (nothing may be half-loaded).
using System.Buffers.Binary;
using System.Text;
using Opacity.Nn.Layers;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using T = Opacity.Tensors.Tensor;

namespace Opacity.Nn.Tests;

[TestFixture]
public sealed class SafeTensorsTests
{
    private string _dir = "";

    [SetUp] public void MakeDir() { _dir = Path.Combine(Path.GetTempPath(), "opk-st-" + Guid.NewGuid().ToString("N")); Directory.CreateDirectory(_dir); }
    [TearDown] public void RemoveDir() => Directory.Delete(_dir, true);

    private static Sequential Net(int width = 4) => new(new Conv2d(1, width, 3, rng: new Rng(1)), new BatchNorm2d(width), Lambda.Relu(), new Conv2d(width, 2, 1, rng: new Rng(2)));

    [Test]
    public void State_dict_round_trips_bit_for_bit_and_leaves_no_temp_file()
    {
        var a = Net();
        string path = Path.Combine(_dir, "m.safetensors");
        StateDict.Save(a, path, new Dictionary<string, string> { ["step"] = "7" });
        var b = new Sequential(new Conv2d(1, 4, 3, rng: new Rng(9)), new BatchNorm2d(4), Lambda.Relu(), new Conv2d(4, 2, 1, rng: new Rng(8)));
        var meta = StateDict.Load(b, path);
        Assert.That(meta["step"], Is.EqualTo("7"));
        foreach (var ((na, ta), (nb, tb)) in StateDict.Of(a).Zip(StateDict.Of(b)))
        {
            Assert.That(nb, Is.EqualTo(na));
            Assert.That(tb.ToArray(), Is.EqualTo(ta.ToArray()).AsCollection, na);
        }
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }

    [Test]
    public void Header_follows_the_published_layout()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        SafeTensors.Save(path, [("w", T.FromArray([1f, 2f, 3f], 3))]);
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.That(json, Does.Contain("\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}"));
        Assert.That(bytes.Length, Is.EqualTo(8 + (int)n + 12));
        Assert.That(BitConverter.ToSingle(bytes, 8 + (int)n + 4), Is.EqualTo(2f));
    }

    [Test]
    public void Truncated_file_is_refused_with_its_name()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        StateDict.Save(Net(), path);
        byte[] bytes = File.ReadAllBytes(path);
        foreach (int len in new[] { 0, 5, 8, 20, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..len]);
            var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path), $"length {len}");
            Assert.That(e!.Message, Does.Contain(path));
        }
    }

    [Test]
    public void Foreign_file_is_refused()
    {
        string path = Path.Combine(_dir, "x.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, 1, 2, 3, 4]);
        Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path));
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(4UL), .. "nope"u8.ToArray()]);
        Assert.That(Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path))!.Message, Does.Contain("not valid JSON"));
    }

    [Test]
    public void Inconsistent_offsets_are_refused()
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[12]]);
        Assert.That(Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path))!.Message, Does.Contain("'w'"));
    }

    // Found reading the loader (session 12): a shape whose element count wraps around 2^64 to 0 matched empty data offsets
    // and loaded as a tensor of 65536^4 elements with no data.
    [TestCase("[65536,65536,65536,65536]", "[0,0]")]
    [TestCase("[1073741824,4]", "[0,0]")]
    [TestCase("[2147483647,2]", "[0,0]")]
    public void Shapes_whose_element_count_overflows_are_refused(string shape, string offsets)
    {
        string path = Path.Combine(_dir, "huge.safetensors");
        byte[] header = Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header]);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path));
        Assert.That(e!.Message, Does.Contain("'w'").And.Contain(path));
    }

    [Test]
    public void A_zero_dimension_gives_an_empty_tensor_whatever_the_other_dimensions()
    {
        string path = Path.Combine(_dir, "empty.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,0,2147483647],\"data_offsets\":[0,0]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header]);
        var (tensors, _) = SafeTensors.Load(path);
        Assert.That(tensors["w"].Numel, Is.EqualTo(0));
    }

    [Test]
    public void Mismatched_state_dict_names_every_problem_and_loads_nothing()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        StateDict.Save(Net(width: 4), path);
        var other = Net(width: 5);
        float[] before = other.NamedParameters().First().Param.Value.ToArray();
        var e = Assert.Throws<SafeTensorsException>(() => StateDict.Load(other, path))!;
        Assert.That(e.Message, Does.Contain("'0.weight' has shape [4, 1, 3, 3] in the file but [5, 1, 3, 3] in the model"));
        Assert.That(other.NamedParameters().First().Param.Value.ToArray(), Is.EqualTo(before).AsCollection, "nothing half-loaded");

        var extra = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), Lambda.Relu());
        e = Assert.Throws<SafeTensorsException>(() => StateDict.Load(extra, path))!;
        Assert.That(e.Message, Does.Contain("unexpected '3.weight'"));

        var missing = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), Lambda.Relu(), new Conv2d(4, 2, 1), new Conv2d(2, 2, 1));
        e = Assert.Throws<SafeTensorsException>(() => StateDict.Load(missing, path))!;
        Assert.That(e.Message, Does.Contain("missing '4.weight'"));
    }
}
