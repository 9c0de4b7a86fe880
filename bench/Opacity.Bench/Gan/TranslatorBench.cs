// Translator.Translate at 256x256 (the paper-scale size) with a ResNet-9 generator, ngf 32, untrained
// weights (timing does not depend on the values). MemoryDiagnoser shows the steady-state managed
// allocations per call: the span overload reuses the caller's buffers, the array overload adds the two
// result arrays. Run: dotnet run -c Release --project bench/Opacity.Bench -- --filter '*TranslatorBench*' --job short
using BenchmarkDotNet.Attributes;
using Opacity.Gan.Inference;
using Opacity.Gan.Training;
using Opacity.Tensors;

namespace Opacity.Bench.Gan;

[MemoryDiagnoser]
public class TranslatorBench
{
    private const int Size = 256;
    private Translator _t = null!;
    private string _dir = "";
    private readonly float[] _pixels = new float[Size * Size], _image = new float[Size * Size], _mask = new float[Size * Size];

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "translator_bench_" + Guid.NewGuid().ToString("N"));
        var rng = new Rng(1);
        for (int i = 0; i < _pixels.Length; i++) _pixels[i] = (float)rng.NextDouble();
        var options = new GanOptions { Size = Size, Ngf = 32, Ndf = 32, Blocks = 9, Ablation = Ablation.Mask };
        var data = new UnpairedData([_pixels], [_pixels], Size, 1);
        var trainer = new GanTrainer(options, new TrainerOptions { OutDir = _dir, Steps = 0, SampleEvery = 0 }, data);
        trainer.Run();   // zero steps: writes the initial checkpoint
        _t = Translator.Load(trainer.CheckpointPath, Device.Cpu);
    }

    [Benchmark(Baseline = true)]
    public void IntoBuffers() => _t.Translate(_pixels, Size, Size, _image, _mask);

    [Benchmark]
    public TranslationResult NewArrays() => _t.Translate(_pixels, Size, Size);

    [GlobalCleanup]
    public void Cleanup()
    {
        _t.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }
}
