// The strict .npy reader and the writer: files written by numpy (v1/v2/v3, Fortran order, big-endian, int),
// round trips in float32/float64, and every refusal named in one sentence.
using Opacity.Gan.Data;

namespace Opacity.Gan.Tests.Metrics;

public sealed class NpyTests
{
    private static readonly double[] Small = Enumerable.Range(0, 12).Select(i => i / 7.0).ToArray();

    [TestCase("npy_v1_3x4.npy")]
    [TestCase("npy_v2_3x4.npy")]
    [TestCase("npy_v3_3x4.npy")]
    [TestCase("npy_fortran_3x4.npy")]
    public void Reads_files_written_by_numpy(string file)
    {
        NpyMatrix m = Npy.Read(FidKidFixtures.Path_(file));
        Assert.That((m.Rows, m.Cols, m.SourceDType), Is.EqualTo((3, 4, "<f8")));
        Assert.That(m.Data, Is.EqualTo(Small));
    }

    [TestCase("npy_bigendian_3x4.npy", "big-endian")]
    [TestCase("npy_int_3x4.npy", "'<i4'")]
    public void Refuses_other_dtypes(string file, string words)
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(FidKidFixtures.Path_(file)));
        Assert.That(e!.Message, Does.Contain(file).And.Contain(words));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Round_trips(bool float32)
    {
        string path = Path.Combine(Path.GetTempPath(), $"opacity-npy-{Guid.NewGuid():N}.npy");
        try
        {
            Npy.Write(path, Small, 3, 4, float32);
            NpyMatrix m = Npy.Read(path);
            Assert.That(m.SourceDType, Is.EqualTo(float32 ? "<f4" : "<f8"));
            Assert.That(m.Data, Is.EqualTo(float32 ? Small.Select(v => (double)(float)v) : Small));
            Assert.That(new FileInfo(path).Length - 12 * (float32 ? 4 : 8), Is.EqualTo(128), "header padded to 64 bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Refusals_name_the_file_and_the_reason()
    {
        byte[] good = File.ReadAllBytes(FidKidFixtures.Path_("npy_v1_3x4.npy"));
        Expect(good[..^8], "truncated");
        Expect(good[..40], "truncated");
        Expect([.. good, 0, 0], "unexpected bytes");
        Expect("hello, world, this is text"u8.ToArray(), "not a NumPy .npy file");
        Expect(good[..7], "not a NumPy .npy file");
        byte[] v9 = (byte[])good.Clone();
        v9[6] = 9;
        Expect(v9, "version 9.0");
        Expect(WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (12,), }"), "1-D");
        Expect(WithHeader("{'descr': '<f8', 'shape': (3, 4), }"), "lacks");
        Expect(WithHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 4), }"), "structured");
        Expect(WithHeader("{'descr': '<f8', 'fortran_order': maybe, 'shape': (3, 4), }"), "fortran_order");
    }

    private static byte[] WithHeader(string dict)
    {
        string header = dict.PadRight(118) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[96]);
        return [.. bytes];
    }

    private static void Expect(byte[] bytes, string words)
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Parse(bytes, "x.npy"));
        Assert.That(e!.Message, Does.Contain("x.npy").And.Contain(words));
    }
}
