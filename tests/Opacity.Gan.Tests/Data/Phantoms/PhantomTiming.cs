// Explicit timing probe for the generator's stages (not a benchmark; used while optimising).
using System.Diagnostics;
using Opacity.Gan.Data.Phantoms;

namespace Opacity.Gan.Tests.Data.Phantoms;

[Explicit("timing probe")]
public sealed class PhantomTiming
{
    private static long Cpu() => Process.GetCurrentProcess().TotalProcessorTime.Ticks;

    [Test]
    public void Time_stages()
    {
        var o = new PhantomOptions { Size = 256 };
        int n = 40;
        var sw = Stopwatch.StartNew();
        double tAnat = 0, tSkel = 0, tVes = 0, tRender = 0, tImg = 0;
        Renderer.Render(Anatomy.Sample(new DetRandom(1, 99, RandomStream.Anatomy)), null, 256, 1, 99, false);   // JIT
        for (int i = 0; i < n; i++)
        {
            long t0 = Cpu();
            var a = Anatomy.Sample(new DetRandom(1, i, RandomStream.Anatomy));
            var p = Pathology.Sample(a, new DetRandom(1, i, RandomStream.Pathology), o);
            long t1 = Cpu();
            var f = new PixelFrame(256, 1, 0);
            var st = new TubeStamper(f);
            var b = new double[256 * 256];
            Skeleton.Stamp(a, new DetRandom(1, i, RandomStream.Skeleton), st, b, new double[b.Length]);
            long t2 = Cpu();
            Vessels.Stamp(a, new DetRandom(1, i, RandomStream.Vessels), st, b, new double[b.Length], new double[b.Length]);
            long t3 = Cpu();
            var rr = Renderer.Render(a, i % 2 == 0 ? p : null, 256, 1, i, false);
            long t4 = Cpu();
            var noise = new double[256 * 256];
            var im = new Imaging(new DetRandom(1, i, RandomStream.Imaging), 256, o);
            im.Develop(rr.PrimaryClear, rr.PrimaryOpacity, noise, new float[noise.Length], rr.PrimaryOpacity == null ? null : new float[noise.Length]);
            long t5 = Cpu();
            tAnat += t1 - t0; tSkel += t2 - t1; tVes += t3 - t2; tRender += t4 - t3; tImg += t5 - t4;
        }
        double cms = 1e-4 / n;
        TestContext.Out.WriteLine($"per patient ms: sample {tAnat * cms:F2} skeleton {tSkel * cms:F2} vessels {tVes * cms:F2} render(all) {tRender * cms:F2} imaging {tImg * cms:F2}");
        double ms = 1000.0 / Stopwatch.Frequency / n;
        var g = new PhantomGenerator(o);
        long s0 = sw.ElapsedTicks;
        TimeSpan c0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < n; i++) g.Generate(i, g.DomainOf(i));
        TimeSpan c1 = Process.GetCurrentProcess().TotalProcessorTime;
        TestContext.Out.WriteLine($"Generate per patient ms: wall {(sw.ElapsedTicks - s0) * ms:F2}, cpu {(c1 - c0).TotalMilliseconds / n:F2}");
        Assert.Pass();
    }
}
