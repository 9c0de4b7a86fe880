// The feature extractors behind `fid-kid` on folders: the Inception extractor takes the project's [-1, 1]
// images and must give pytorch-fid's features of the same images in [0, 1] (the PyTorch golden at width
// 1/8); with ImageSize 0 each PNG goes in as read (v / 255, no crop; pytorch-fid's pipeline); the classifier
// extractor gives the pooled deepest map; FolderFeatures lists only image files, in name order, and refuses an
// empty folder in one sentence.
using Opacity.Gan.Metrics;
using Opacity.Gan.Networks;
using Opacity.Nn.Serialization;
using Opacity.Tensors;
using Opacity.Tensors.Autograd;
using Opacity.TestSupport;

namespace Opacity.Gan.Tests.Metrics;

public sealed class FeatureExtractorTests
{
    private static string Golden(string name) => GoldenFixtures.FileOf(name);

    [Test]
    public void Inception_extractor_maps_minus_one_one_images_to_pytorch_fids_range()
    {
        var extractor = InceptionFeatureExtractor.FromWeights(Golden("inception_fid_w8"), imageSize: 64);
        Assert.That((extractor.Name, extractor.Dimension, extractor.ImageSize), Is.EqualTo(("inception", 256, 64)));
        var (io, _) = SafeTensors.Load(Golden("inception_fid_w8_io"));
        using var scope = TensorScope.Begin();
        Tensor images = io["in.x"].To(DType.F32) * 2.0 - 1.0;   // the golden's [0, 1] images in the project's convention
        Tensor features = extractor.Extract(images);
        double scale = io["out"].ToArrayF64().Max(Math.Abs);
        TensorAssert.Close(io["out"], features, 1e-5 * scale, 1e-4, "features of [-1, 1] images");
        Assert.That(features.RequiresGrad, Is.False, "no graph is recorded");
    }

    [Test]
    public void Classifier_extractor_pools_the_deepest_feature_map()
    {
        var model = new OpacityClassifier(ClassifierKind.Plain, width: 2, rng: new Rng(3));
        model.Eval();
        var extractor = new ClassifierFeatureExtractor(model, 32, "test");
        using var scope = TensorScope.Begin();
        Tensor x = Tensor.Uniform(new Shape(3, 1, 32, 32), new Rng(4)) * 2.0 - 1.0;
        Tensor f = extractor.Extract(x);
        Assert.That(f.Shape, Is.EqualTo(new Shape(3, model.FeatureChannels)));
        Tensor deepest = model.Classify(x).Features[^1];
        TensorAssert.Close(F.Mean(deepest, [2, 3]), f, 1e-6, 1e-5, "global average of the last stage");
    }

    [Test]
    public void Size_zero_feeds_each_png_as_read_to_the_network_like_pytorch_fid()
    {
        // pytorch-fid: ToTensor (v / 255), no crop, the network's bilinear resize to 299. Two sizes in one folder,
        // interleaved, so a batch holds runs of different sizes.
        var net = InceptionV3.Load(Golden("inception_fid_w8"));
        var extractor = new InceptionFeatureExtractor(net, "golden", imageSize: 0);
        string dir = Path.Combine(Path.GetTempPath(), $"opacity-native-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var rng = new Random(5);
            var expected = new List<float[]>();
            (int W, int H)[] sizes = [(40, 36), (50, 50), (40, 36)];
            for (int i = 0; i < sizes.Length; i++)
            {
                var (w, h) = sizes[i];
                using var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(w, h);
                var v = new float[w * h];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        byte b = (byte)(40 + rng.Next(161));   // not 0..255, so a min-max stretch would show
                        img[x, y] = new SixLabors.ImageSharp.PixelFormats.L8(b);
                        v[y * w + x] = b / 255f;
                    }
                SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, Path.Combine(dir, $"{i}.png"));
                using var scope = TensorScope.Begin();
                using var noGrad = GradMode.NoGrad();
                expected.Add(net.Features(Tensor.FromArray(v, 1, 1, h, w)).ToArray());
            }
            FolderFeatureMatrix got = FolderFeatures.Extract(extractor, dir, batchSize: 3);
            Assert.That((got.Rows, got.Cols), Is.EqualTo((3, 256)));
            for (int i = 0; i < 3; i++)
                TensorAssert.Close(expected[i].Select(f => (double)f).ToArray(), got.Data.AsSpan(i * 256, 256), 1e-4, 1e-4, $"image {i} {sizes[i]}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void Folder_listing_takes_image_files_in_name_order_and_refuses_an_empty_folder()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"opacity-folderfeatures-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (string n in new[] { "b.PNG", "a.jpg", "c.dcm", "labels.csv", "d.txt", "e.jpeg" }) File.WriteAllText(Path.Combine(dir, n), "");
            Assert.That(FolderFeatures.List(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "a.jpg", "b.PNG", "c.dcm", "e.jpeg" }));
            foreach (string f in FolderFeatures.List(dir)) File.Delete(f);
            Assert.That(() => FolderFeatures.List(dir), Throws.TypeOf<MetricInputException>().With.Message.Contains($"'{dir}' has no PNG, JPEG or DICOM files"));
            Assert.That(() => FolderFeatures.List(Path.Combine(dir, "nope")), Throws.TypeOf<MetricInputException>().With.Message.Contains("does not exist"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
