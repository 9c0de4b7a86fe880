// WeightAverage: avg = d avg + (1 - d) theta after each update, starting at the initial weights; its state
// round-trips under the module's parameter names; a bad decay and a missing or misshapen saved average are
// refused with a sentence naming them. (The device path: WeightAverageDeviceTests.)
using Opacity.Nn.Layers;
using Opacity.Nn.Optim;
using Opacity.Tensors;

namespace Opacity.Nn.Tests;

[TestFixture]
public sealed class WeightAverageTests
{
    private static void Set(Parameter p, params float[] values) => values.CopyTo(p.Value.AsSpan());

    [Test]
    public void Average_follows_the_update_rule_from_the_initial_weights()
    {
        var conv = new Conv2d(1, 1, 1, rng: new Rng(1));
        Set(conv.Weight, 2f);
        var avg = new WeightAverage(conv, 0.9);
        Set(conv.Weight, 4f);
        avg.Update();                      // 0.9 * 2 + 0.1 * 4 = 2.2
        Set(conv.Weight, 10f);
        avg.Update();                      // 0.9 * 2.2 + 0.1 * 10 = 2.98
        var state = avg.State().ToDictionary(s => s.Name, s => s.Value);
        Assert.That(state.Keys, Is.EquivalentTo(conv.NamedParameters().Select(p => p.Name)));
        Assert.That(state[conv.NamedParameters().First(p => p.Param == conv.Weight).Name].ToArray()[0], Is.EqualTo(2.98f).Within(1e-6f));
        Assert.That(conv.Weight.Value.ToArray()[0], Is.EqualTo(10f), "the live weights are left alone");
    }

    [Test]
    public void State_round_trips_into_a_fresh_average()
    {
        var a = new Conv2d(2, 3, 3, rng: new Rng(2));
        var first = new WeightAverage(a, 0.99);
        foreach (Parameter p in a.Parameters()) { Span<float> s = p.Value.AsSpan(); for (int i = 0; i < s.Length; i++) s[i] += 1f; }
        first.Update();
        var saved = first.State().ToDictionary(s => s.Name, s => s.Value.Clone());
        var second = new WeightAverage(a, 0.99);
        second.LoadState(saved, "test");
        foreach (var (name, value) in second.State()) Assert.That(value.ToArray(), Is.EqualTo(saved[name].ToArray()), name);
    }

    [Test]
    public void Bad_decay_and_bad_state_are_refused()
    {
        var conv = new Conv2d(1, 2, 3, rng: new Rng(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new WeightAverage(conv, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new WeightAverage(conv, 0));
        var avg = new WeightAverage(conv, 0.5);
        var e = Assert.Throws<ArgumentException>(() => avg.LoadState(new Dictionary<string, Tensor>(), "ckpt.safetensors"));
        Assert.That(e!.Message, Does.Contain("'ckpt.safetensors' has no weight average for parameter"));
        var wrong = avg.State().ToDictionary(s => s.Name, s => Tensor.Zeros(new Shape(7)));
        e = Assert.Throws<ArgumentException>(() => avg.LoadState(wrong, "ckpt.safetensors"));
        Assert.That(e!.Message, Does.Contain("of shape"));
    }
}
