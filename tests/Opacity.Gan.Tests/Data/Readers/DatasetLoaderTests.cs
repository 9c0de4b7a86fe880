// DatasetLoader: index order kept under parallel decoding, bad files skipped and listed (or the run
// stopped), the prefetch queue bounded.
using Opacity.Gan.Data.Readers;

namespace Opacity.Gan.Tests.Data.Readers;

public sealed class DatasetLoaderTests
{
    private static readonly ReaderOptions Small = new() { TargetSize = 32 };

    [Test]
    public void Rsna_run_skips_and_lists_bad_files_and_keeps_order()
    {
        string root = Fixtures.Path_("rsna");
        List<DatasetItem> items = RsnaReader.Index(Path.Combine(root, "stage_2_train_labels.csv"), Path.Combine(root, "stage_2_train_images"));
        var loader = new DatasetLoader(items, Small, new LoaderOptions { Workers = 2, Prefetch = 2 });
        List<LoadedSample> samples = loader.ReadAll().ToList();
        Assert.That(samples.Select(s => s.Item.Id[..8]), Is.EqualTo(new[] { "0004cfab", "00313ee0", "003d8fa0" }));
        Assert.That(samples.All(s => s.Pixels.Length == 32 * 32 && s.Pixels.All(p => p is >= -1f and <= 1f)), Is.True);
        Assert.That(samples.Select(s => s.Source.TransferSyntaxUid), Is.EqualTo(new[] { "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2" }));
        Assert.That(loader.BadFiles.Select(b => (Path.GetFileName(b.Path)[..8], b.Reason.Contains("remain", StringComparison.Ordinal) || b.Reason == "file not found")),
            Is.EqualTo(new[] { ("00322d4d", true), ("00436515", true) }));
    }

    [Test]
    public void Stop_policy_throws_the_first_bad_file()
    {
        List<DatasetItem> items = ImageFolderReader.Index(Fixtures.Path_("images", "folder"));
        var loader = new DatasetLoader(items, Small, new LoaderOptions { OnBadFile = BadFilePolicy.Stop, Workers = 2 });
        var seen = new List<string>();
        var e = Assert.Throws<ReaderException>(() =>
        {
            foreach (LoadedSample s in loader.ReadAll())
                seen.Add(s.Item.Id);
        });
        Assert.That(seen, Is.EqualTo(new[] { "a.png", "b.jpg", "c.png" }));
        Assert.That(e!.Message, Does.Contain("d.png").And.Contain("stopping"));
    }

    [Test]
    public void Folder_run_lists_corrupt_and_missing_files()
    {
        List<DatasetItem> items = ImageFolderReader.Index(Fixtures.Path_("images", "folder"));
        var loader = new DatasetLoader(items, Small);
        Assert.That(loader.ReadAll().Select(s => s.Item.Id), Is.EqualTo(new[] { "a.png", "b.jpg", "c.png" }));
        Assert.That(loader.BadFiles.Select(b => Path.GetFileName(b.Path)), Is.EqualTo(new[] { "d.png", "missing.png" }));
        Assert.That(loader.BadFiles[1].Reason, Is.EqualTo("file not found"));
    }

    [Test]
    public void Prefetch_queue_is_bounded_and_order_is_the_index_order()
    {
        string a = Fixtures.Path_("images", "src8.png"), b = Fixtures.Dicom("ex12_mono1.dcm");
        var items = Enumerable.Range(0, 60).Select(i => new DatasetItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), i % 3 == 0 ? b : a, i % 2)).ToList();
        var loader = new DatasetLoader(items, Small, new LoaderOptions { Workers = 3, Prefetch = 4 });
        var ids = new List<string>();
        foreach (LoadedSample s in loader.ReadAll())
        {
            ids.Add(s.Item.Id);
            Thread.Sleep(1);                 // a slow consumer: the producer must wait, not run ahead
        }
        Assert.That(ids, Is.EqualTo(items.Select(i => i.Id)));
        Assert.That(loader.PeakInFlight, Is.LessThanOrEqualTo(4 + 3 + 1), "prefetch + workers + the one being handed over");
        Assert.That(loader.PeakInFlight, Is.GreaterThan(1), "decoding ran ahead of the consumer");
    }

    [Test]
    public void Breaking_out_early_does_not_hang()
    {
        var items = Enumerable.Range(0, 200).Select(i => new DatasetItem($"{i}", Fixtures.Path_("images", "src8.png"), 0)).ToList();
        var loader = new DatasetLoader(items, Small, new LoaderOptions { Workers = 2, Prefetch = 2 });
        Assert.That(loader.ReadAll().Take(3).Count(), Is.EqualTo(3));
    }
}
