// The embeddable inference API: load G (opacity -> clear) from a training checkpoint and translate
// single grayscale images.
//   using var t = Translator.Load("checkpoint.safetensors", Device.Cpu);
//   TranslationResult r = t.Translate(pixels, width, height);   // pixels in [0, 1], row-major
// Steady state: the input tensor and the result buffers are allocated once per instance and reused;
// each call runs in a TensorScope under NoGrad, so every intermediate goes back to the engine's pool.
// Thread safety: calls on one instance are serialised by a lock, so sharing an instance is safe but not
// parallel; use one Translator per thread for throughput.
// Devices: Device.Cpu, or Device.Cuda (the weights move to the GPU once; each call copies the image in and
// the result out, everything between stays on the device). A missing GPU is one sentence at Load.
// Tested by TranslatorTests (bit-identical after reload, wrong size / channel messages) and
// TranslatorDeviceTests (CUDA through the host emulator, and on a real GPU when one is present).
using Opacity.Gan.Networks;
using Opacity.Gan.Training;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Opacity.Gan.Inference;

/// <summary>The translated image and the AASPM mask (null for a maskless CycleGAN model), both in [0, 1], row-major.</summary>
public sealed record TranslationResult(float[] Image, float[]? Mask, int Width, int Height);

/// <summary>A loaded opacity -> clear generator. Calls on one instance are serialised by a lock (safe, not parallel).</summary>
public sealed class Translator : IDisposable
{
    private readonly TranslationGenerator _g;
    private readonly Tensor _input;
    private readonly float[] _image, _mask;
    private readonly Lock _gate = new();
    private bool _disposed;

    private Translator(TranslationGenerator g, int size, Device device)
    {
        if (!device.IsCpu && !CudaRuntime.IsAvailable(out string reason, device.Index))
            throw new DeviceUnavailableException($"Cannot translate on {device}: {reason}");
        _g = g; Size = size; Device = device;
        _g.Eval();
        _g.SetRequiresGrad(false);
        if (!device.IsCpu) _g.To(device);
        _input = TensorScope.Untracked(() => Tensor.Zeros(new Shape(1, 1, size, size)));
        _image = new float[size * size];
        _mask = new float[size * size];
    }

    /// <summary>Where the generator runs.</summary>
    public Device Device { get; }

    /// <summary>The square side the model was trained at; inputs must have it.</summary>
    public int Size { get; }
    public bool HasMask => _g.MaskHead;

    /// <summary>Loads G_AB from a checkpoint written by the trainer (its moving average of the weights when the run kept one).</summary>
    public static Translator Load(string path, Device device)
    {
        var (tensors, options, _) = GanCheckpoint.Read(path);
        TranslationGenerator g = GanNetworks.Generator(options, new Rng(0));
        try { StateDict.Apply(g, GanCheckpoint.TranslatorWeights(tensors), path); }
        catch (SafeTensorsException e) { throw new TrainingException(e.Message, e); }
        return new Translator(g, options.Size, device);
    }

    /// <summary>Translates into caller buffers without allocating result arrays; <paramref name="mask"/> is
    /// left untouched when the model has no mask head.</summary>
    public void Translate(ReadOnlySpan<float> pixels, int width, int height, Span<float> image, Span<float> mask)
    {
        CheckInput(pixels.Length, width, height);
        if (image.Length < pixels.Length || mask.Length < pixels.Length)
            throw new ArgumentException($"Output buffers hold {image.Length} and {mask.Length} values; {pixels.Length} are needed.");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Span<float> x = _input.AsSpan();
            for (int i = 0; i < x.Length; i++) x[i] = 2f * pixels[i] - 1f;
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            Translation t = _g.Translate(Device.IsCpu ? _input : _input.To(Device));
            Tensor output = Device.IsCpu ? t.Output : t.Output.To(Device.Cpu);
            ReadOnlySpan<float> y = output.AsSpan();
            for (int i = 0; i < y.Length; i++) image[i] = Math.Clamp((y[i] + 1f) * 0.5f, 0f, 1f);
            if (t.Mask is { } m) (Device.IsCpu ? m : m.To(Device.Cpu)).AsSpan().CopyTo(mask);
        }
    }

    /// <summary>Translates pixels in [0, 1] (row-major, width*height, one channel); returns new arrays.</summary>
    public TranslationResult Translate(ReadOnlySpan<float> pixels, int width, int height)
    {
        Translate(pixels, width, height, _image, _mask);
        return new TranslationResult((float[])_image.Clone(), HasMask ? (float[])_mask.Clone() : null, width, height);
    }

    /// <summary>Translates a 16-bit grayscale image.</summary>
    public TranslationResult Translate(Image<L16> image)
    {
        CheckInput(image.Width * image.Height, image.Width, image.Height);
        var px = new float[image.Width * image.Height];
        image.ProcessPixelRows(acc => { for (int y = 0; y < acc.Height; y++) { Span<L16> row = acc.GetRowSpan(y); for (int x = 0; x < row.Length; x++) px[y * acc.Width + x] = row[x].PackedValue / 65535f; } });
        return Translate(px, image.Width, image.Height);
    }

    /// <summary>Translates an 8-bit grayscale image.</summary>
    public TranslationResult Translate(Image<L8> image)
    {
        CheckInput(image.Width * image.Height, image.Width, image.Height);
        var px = new float[image.Width * image.Height];
        image.ProcessPixelRows(acc => { for (int y = 0; y < acc.Height; y++) { Span<L8> row = acc.GetRowSpan(y); for (int x = 0; x < row.Length; x++) px[y * acc.Width + x] = row[x].PackedValue / 255f; } });
        return Translate(px, image.Width, image.Height);
    }

    private void CheckInput(int length, int width, int height)
    {
        if (width != Size || height != Size)
            throw new ArgumentException($"The model translates {Size}x{Size} images; got {width}x{height} (resize or crop it first, e.g. with Preprocessor).");
        if (length != width * height)
            throw new ArgumentException(length > 0 && length % (width * height) == 0
                ? $"The model translates one-channel grayscale images; got {length / (width * height)} values per pixel."
                : $"Got {length} pixel values for a {width}x{height} image; expected {width * height}.");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _input.Dispose();
        }
    }
}
