// Features of every radiograph in a folder (PNG, JPEG, DICOM; not recursive; sorted by name), streamed
// through an IFeatureExtractor in batches so memory stays at one batch of images. Each file is read by
// XrayFile (format from its bytes), centre-cropped to square and resized to the extractor's ImageSize with
// the Preprocessor (antialiased bilinear), in [-1, 1]; ImageSize 0 keeps every image as read (no crop, no
// resize: pytorch-fid's pipeline, the network resizes), and a batch is split into runs of equal size.
// An empty folder or an unreadable file is one sentence.
// Tested by FeatureExtractorTests and the fid-kid CLI tests.
using System.Diagnostics;
using Opacity.Gan.Data.Readers;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;

namespace Opacity.Gan.Metrics;

/// <summary>Row-major (Rows x Cols) features of a folder, and how long the network took (wall, and process CPU time,
/// which on a shared machine says more than the wall time).</summary>
public sealed record FolderFeatureMatrix(string Folder, double[] Data, int Rows, int Cols, double ExtractSeconds, double ExtractCpuSeconds);

public static class FolderFeatures
{
    /// <summary>File extensions taken as images (case-insensitive).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".dcm", ".dicom"];

    /// <summary>The image files of <paramref name="folder"/>, sorted ordinally.</summary>
    public static string[] List(string folder)
    {
        if (!Directory.Exists(folder)) throw new MetricInputException($"Image folder '{folder}' does not exist.");
        string[] files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new MetricInputException($"Image folder '{folder}' has no PNG, JPEG or DICOM files ({string.Join(", ", Extensions)}).");
        return files;
    }

    public static FolderFeatureMatrix Extract(IFeatureExtractor extractor, string folder, int batchSize = 4)
    {
        if (batchSize < 1) throw new MetricInputException($"Batch size {batchSize} must be positive.");
        string[] files = List(folder);
        if (extractor.ImageSize < 0) throw new MetricInputException($"Image size {extractor.ImageSize} must be 0 (as read) or positive.");
        var options = ReaderOptions.Default with { TargetSize = extractor.ImageSize };
        int d = extractor.Dimension;
        var data = new double[(long)files.Length * d];
        var sw = new Stopwatch();
        TimeSpan cpu = TimeSpan.Zero;
        for (int start = 0; start < files.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, files.Length - start);
            var images = new (float[] Pixels, int Width, int Height)[n];
            for (int i = 0; i < n; i++)
                images[i] = Preprocessor.Apply(XrayFile.Read(files[start + i], options), options);
            sw.Start();
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < n;)
            {
                int j = i + 1;   // a run of images of one size is one forward pass
                while (j < n && images[j].Width == images[i].Width && images[j].Height == images[i].Height) j++;
                Run(extractor, images.AsSpan(i, j - i), data, (long)(start + i) * d);
                i = j;
            }
            sw.Stop();
            cpu += Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        }
        return new FolderFeatureMatrix(folder, data, files.Length, d, sw.Elapsed.TotalSeconds, cpu.TotalSeconds);
    }

    private static void Run(IFeatureExtractor extractor, ReadOnlySpan<(float[] Pixels, int Width, int Height)> images, double[] data, long offset)
    {
        int n = images.Length, w = images[0].Width, h = images[0].Height, d = extractor.Dimension;
        var pixels = new float[n * w * h];
        for (int i = 0; i < n; i++) images[i].Pixels.CopyTo(pixels, i * w * h);
        using var scope = TensorScope.Begin();
        Tensor features = extractor.Extract(Tensor.FromArray(pixels, n, 1, h, w));
        if (features.Shape != new Shape(n, d))
            throw new MetricInputException($"Feature extractor '{extractor.Name}' returned {features.Describe()} for {n} images; expected [{n}, {d}].");
        features.ToArrayF64().CopyTo(data, offset);
    }
}
