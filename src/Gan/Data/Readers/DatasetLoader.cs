// DatasetLoader: decodes a data set index in parallel into model inputs, in index order, through a
// bounded prefetch queue (System.Threading.Channels). One version.
// Workers (default: cores) decode at once; at most Prefetch decoded-or-decoding items wait ahead of
// the consumer, so memory stays bounded however large the data set. A bad file is listed and skipped
// (BadFilePolicy.SkipAndList, default) or stops the run with its ReaderException (Stop); either way
// the run never dies midway with anything else.
// Tested by DatasetLoaderTests (order, skip-and-list, stop, bounded in-flight count).
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Opacity.Gan.Data.Readers;

public enum BadFilePolicy
{
    SkipAndList,
    Stop,
}

/// <summary>A decoded, preprocessed item.</summary>
public sealed record LoadedSample(DatasetItem Item, float[] Pixels, int Width, int Height, XrayImage Source);

/// <summary>A file the loader could not read, with the reader's sentence.</summary>
public sealed record BadFile(string Path, string Reason);

public sealed record LoaderOptions
{
    public int Workers { get; init; } = Environment.ProcessorCount;

    public int Prefetch { get; init; } = 16;

    public BadFilePolicy OnBadFile { get; init; } = BadFilePolicy.SkipAndList;

    /// <summary>Geometry for .IMG files; null = JSRT's 2048x2048 12-bit.</summary>
    public JsrtReader? Jsrt { get; init; }
}

/// <summary>Parallel, ordered, bounded decoding of a list of <see cref="DatasetItem"/>.</summary>
public sealed class DatasetLoader(IReadOnlyList<DatasetItem> items, ReaderOptions options, LoaderOptions? loader = null)
{
    private readonly LoaderOptions _loader = loader ?? new LoaderOptions();
    private readonly ConcurrentQueue<BadFile> _bad = new();
    private int _inFlight;

    /// <summary>Files skipped so far, in index order.</summary>
    public IReadOnlyList<BadFile> BadFiles => [.. _bad];

    /// <summary>The most items that were decoding or waiting at once (for the bounded-queue test).</summary>
    public int PeakInFlight { get; private set; }

    public IEnumerable<LoadedSample> ReadAll() => ReadAllAsync().ToBlockingEnumerable();

    public async IAsyncEnumerable<LoadedSample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        int prefetch = Math.Max(1, _loader.Prefetch), workers = Math.Max(1, _loader.Workers);
        var queue = Channel.CreateBounded<Task<(LoadedSample? Sample, BadFile? Bad)>>(
            new BoundedChannelOptions(prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // Not disposed: decodes still running after an early break release it when they finish
        // (it holds no wait handle, so dropping it is free).
        var gate = new SemaphoreSlim(workers);
        Task producer = Task.Run(async () =>
        {
            try
            {
                foreach (DatasetItem item in items)
                {
                    await gate.WaitAsync(stop.Token).ConfigureAwait(false);
                    Track(+1);
                    Task<(LoadedSample?, BadFile?)> task = Task.Run(() =>
                    {
                        try { return Decode(item); }
                        finally { gate.Release(); }
                    }, CancellationToken.None);
                    await queue.Writer.WriteAsync(task, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                queue.Writer.Complete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (Task<(LoadedSample? Sample, BadFile? Bad)> task in queue.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                (LoadedSample? sample, BadFile? bad) = await task.ConfigureAwait(false);
                Track(-1);
                if (bad is not null)
                {
                    if (_loader.OnBadFile == BadFilePolicy.Stop)
                        throw new ReaderException(bad.Path, bad.Reason + " (stopping: the loader was told to stop on a bad file)");
                    _bad.Enqueue(bad);
                    continue;
                }
                yield return sample!;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private void Track(int delta)
    {
        lock (_bad)
        {
            _inFlight += delta;
            PeakInFlight = Math.Max(PeakInFlight, _inFlight);
        }
    }

    private (LoadedSample?, BadFile?) Decode(DatasetItem item)
    {
        try
        {
            return (Load(item, options, _loader.Jsrt), null);
        }
        catch (ReaderException e)
        {
            return (null, new BadFile(item.Path, e.Reason));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not a reader's clean error (a bug); listed all the same so a long run does not die.
            return (null, new BadFile(item.Path, $"unexpected {e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>Reads and preprocesses one item (its SCR lung mask too, when cropping to the lungs).</summary>
    public static LoadedSample Load(DatasetItem item, ReaderOptions options, JsrtReader? jsrt = null)
    {
        XrayImage image = XrayFile.Read(item.Path, options, jsrt);
        LungMask? mask = null;
        if (options.LungCrop && item.ScrRoot is not null)
        {
            (float[] m, int w, int h) = JsrtReader.ReadScrMask(item.ScrRoot, item.Path, options);
            mask = new LungMask(m, w, h);
        }
        (float[] pixels, int width, int height) = Preprocessor.Apply(image, options, mask);
        return new LoadedSample(item, pixels, width, height, image);
    }
}
