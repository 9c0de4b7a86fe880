// DicomParser: PS3.10 file -> DicomHeader. One version, our own (no DICOM package is served).
// Layout: 128-byte preamble, "DICM", the file meta group (0002) in explicit VR LE, then the data set
// in the transfer syntax the meta group names; deflated data sets are inflated first (raw deflate).
// Safety rules, because every byte may be hostile (the fuzz test feeds thousands of mutants):
//  - every length is checked against the bytes left before it is used;
//  - nested sequences (defined or undefined length) are skipped, with a depth limit of 32;
//  - only top-level attributes are recorded; nothing is allocated from a length field except the
//    inflated data set, which is capped by the pixel budget.
// Tested by DicomReaderTests (every encoding) and DicomFuzzTests.
using System.IO.Compression;
using System.Text;

namespace Opacity.Gan.Data.Readers.Dicom;

internal sealed class DicomParser
{
    private const uint Undefined = 0xFFFFFFFF;
    private const uint ItemTag = 0xFFFEE000;
    private const uint ItemDelimiter = 0xFFFEE00D;
    private const uint SequenceDelimiter = 0xFFFEE0DD;
    private const int MaxDepth = 32;

    private readonly string _file;
    private byte[] _data;
    private int _pos;
    private bool _explicit;

    private DicomParser(byte[] data, string file)
    {
        _data = data;
        _file = file;
    }

    public static DicomHeader Parse(byte[] data, string file, ReaderOptions options)
    {
        var parser = new DicomParser(data, file);
        return parser.ParseFile(options);
    }

    /// <summary>True when the bytes start with a 128-byte preamble and "DICM".</summary>
    public static bool HasPart10Magic(ReadOnlySpan<byte> head) =>
        head.Length >= 132 && head[128] == (byte)'D' && head[129] == (byte)'I' && head[130] == (byte)'C' && head[131] == (byte)'M';

    private DicomHeader ParseFile(ReaderOptions options)
    {
        if (_data.Length == 0)
            throw Fail("the file is empty");
        if (!HasPart10Magic(_data))
            throw Fail(_data.Length < 132
                ? $"only {_data.Length} bytes, too short for a DICOM Part 10 file (128-byte preamble + DICM)"
                : "no 'DICM' after the 128-byte preamble: not a DICOM Part 10 file");
        _pos = 132;
        string uid = ParseMetaGroup();
        if (!TransferSyntax.IsSupported(uid))
            throw Fail($"unsupported transfer syntax {TransferSyntax.Describe(uid)}; supported: {TransferSyntax.SupportedList}");

        var header = new DicomHeader { TransferSyntaxUid = uid };
        _explicit = uid != TransferSyntax.ImplicitLittle;
        if (uid == TransferSyntax.DeflatedExplicitLittle)
        {
            _data = Inflate(_data.AsSpan(_pos), MaxInflatedBytes(options));
            _pos = 0;
        }
        ParseDataset(header, _data.Length, depth: 0);
        if (header.NativePixels is null && header.Fragments is null)
            throw Fail("no pixel data (7FE0,0010) in the data set");
        return header;
    }

    private static long MaxInflatedBytes(ReaderOptions options) =>
        Math.Max(options.MaxPixels, 0) * 6 + (16L << 20);   // 16-bit RGB at the budget + 16 MiB of header

    private string ParseMetaGroup()
    {
        string? uid = null;
        while (Remaining >= 8 && ReadU16(_pos) == 0x0002)
        {
            uint tag = ReadTag();
            (string vr, uint length) = ReadExplicitVrAndLength();
            if (length == Undefined)
                throw Fail($"meta element {DicomHeader.TagName(tag)} has an undefined length");
            ArraySegment<byte> value = TakeValue(tag, length);
            if (tag == 0x00020010)
                uid = Encoding.ASCII.GetString(value).Trim(' ', '\0');
            _ = vr;
        }
        if (string.IsNullOrEmpty(uid))
            throw Fail("the file meta information has no transfer syntax UID (0002,0010)");
        return uid;
    }

    /// <summary>Reads elements up to <paramref name="end"/>; inside an item (depth &gt; 0) it
    /// returns at the item delimiter.</summary>
    private void ParseDataset(DicomHeader? header, int end, int depth)
    {
        if (depth > MaxDepth)
            throw Fail($"sequences nested deeper than {MaxDepth} levels");
        while (_pos < end)
        {
            if (end - _pos < 8)
                throw Fail($"truncated element header at offset {_pos}");
            uint tag = ReadTag();
            if (tag == ItemDelimiter && depth > 0)
            {
                _pos += 4;                       // its length field (zero by rule; ignored)
                return;
            }
            if ((tag >> 16) == 0xFFFE)
                throw Fail($"unexpected item tag {DicomHeader.TagName(tag)} at offset {_pos - 4}");

            string vr;
            uint length;
            if (_explicit)
                (vr, length) = ReadExplicitVrAndLength();
            else
            {
                vr = "";
                length = ReadU32(_pos);
                _pos += 4;
            }

            if (tag == DicomHeader.PixelData && depth == 0)
            {
                ReadPixelData(header!, length, end);
                continue;
            }
            if (length == Undefined)
            {
                // Undefined length is legal for SQ, UN, implicit sequences and nested (icon) pixel data,
                // all of which are items up to a sequence delimiter.
                if (_explicit && vr != "SQ" && vr != "UN" && tag != DicomHeader.PixelData)
                    throw Fail($"element {DicomHeader.TagName(tag)} ({vr}) has an undefined length");
                bool saved = _explicit;
                if (vr == "UN")
                    _explicit = false;           // PS3.5 6.2.2: UN of undefined length is implicit VR inside
                SkipUndefinedSequence(end, depth);
                _explicit = saved;
                continue;
            }
            if (length > (uint)(end - _pos))
                throw Fail($"element {DicomHeader.TagName(tag)} says {length} bytes but only {end - _pos} remain");
            if (depth == 0 && header is not null && DicomHeader.IsRecorded(tag))
                header.Values[tag] = new ArraySegment<byte>(_data, _pos, (int)length);
            _pos += (int)length;                 // defined-length sequences are skipped whole
        }
        if (depth > 0)
            throw Fail("an item of undefined length ends without an item delimiter");
    }

    private void SkipUndefinedSequence(int end, int depth)
    {
        while (true)
        {
            if (end - _pos < 8)
                throw Fail($"sequence of undefined length is truncated at offset {_pos}");
            uint tag = ReadTag();
            uint length = ReadU32(_pos);
            _pos += 4;
            if (tag == SequenceDelimiter)
                return;
            if (tag != ItemTag)
                throw Fail($"expected an item in a sequence at offset {_pos - 8}, found {DicomHeader.TagName(tag)}");
            if (length == Undefined)
                ParseDataset(null, end, depth + 1);
            else if (length > (uint)(end - _pos))
                throw Fail($"sequence item says {length} bytes but only {end - _pos} remain");
            else
                _pos += (int)length;
        }
    }

    private void ReadPixelData(DicomHeader header, uint length, int end)
    {
        if (header.NativePixels is not null || header.Fragments is not null)
            throw Fail("pixel data (7FE0,0010) appears twice");
        if (length != Undefined)
        {
            if (length > (uint)(end - _pos))
                throw Fail($"pixel data says {length} bytes but only {end - _pos} remain");
            header.NativePixels = new ArraySegment<byte>(_data, _pos, (int)length);
            _pos += (int)length;
            return;
        }
        // Encapsulated (PS3.5 A.4): items, the first being the basic offset table, then a delimiter.
        var fragments = new List<ArraySegment<byte>>();
        bool first = true;
        while (true)
        {
            if (end - _pos < 8)
                throw Fail($"encapsulated pixel data is truncated at offset {_pos}");
            uint tag = ReadTag();
            uint itemLength = ReadU32(_pos);
            _pos += 4;
            if (tag == SequenceDelimiter)
                break;
            if (tag != ItemTag)
                throw Fail($"expected a pixel data item at offset {_pos - 8}, found {DicomHeader.TagName(tag)}");
            if (itemLength == Undefined || itemLength > (uint)(end - _pos))
                throw Fail($"pixel data fragment says {itemLength:D} bytes but only {end - _pos} remain");
            if (!first)
                fragments.Add(new ArraySegment<byte>(_data, _pos, (int)itemLength));
            first = false;
            _pos += (int)itemLength;
        }
        if (fragments.Count == 0)
            throw Fail("encapsulated pixel data holds no fragments");
        header.Fragments = fragments;
    }

    private (string Vr, uint Length) ReadExplicitVrAndLength()
    {
        if (Remaining < 4)
            throw Fail($"truncated element header at offset {_pos}");
        char a = (char)_data[_pos], b = (char)_data[_pos + 1];
        if (a is < 'A' or > 'Z' || b is < 'A' or > 'Z')
            throw Fail($"invalid value representation bytes 0x{_data[_pos]:X2}{_data[_pos + 1]:X2} at offset {_pos}");
        string vr = new([a, b]);
        _pos += 2;
        // PS3.5 7.1.2: the VRs with a 16-bit length are a closed list; any other (OB, OW, SQ, UN,
        // UT, and VRs added later) has 2 reserved bytes and a 32-bit length.
        if (vr is not ("AE" or "AS" or "AT" or "CS" or "DA" or "DS" or "DT" or "FL" or "FD" or "IS" or "LO"
            or "LT" or "PN" or "SH" or "SL" or "SS" or "ST" or "TM" or "UI" or "UL" or "US"))
        {
            if (Remaining < 6)
                throw Fail($"truncated element header at offset {_pos}");
            uint length = ReadU32(_pos + 2);
            _pos += 6;
            return (vr, length);
        }
        uint shortLength = ReadU16(_pos);
        _pos += 2;
        return (vr, shortLength);
    }

    private ArraySegment<byte> TakeValue(uint tag, uint length)
    {
        if (length > (uint)Remaining)
            throw Fail($"element {DicomHeader.TagName(tag)} says {length} bytes but only {Remaining} remain");
        var value = new ArraySegment<byte>(_data, _pos, (int)length);
        _pos += (int)length;
        return value;
    }

    private uint ReadTag()
    {
        uint tag = ((uint)ReadU16(_pos) << 16) | ReadU16(_pos + 2);
        _pos += 4;
        return tag;
    }

    private int Remaining => _data.Length - _pos;

    private ushort ReadU16(int at) => (ushort)(_data[at] | (_data[at + 1] << 8));

    private uint ReadU32(int at) => (uint)(_data[at] | (_data[at + 1] << 8) | (_data[at + 2] << 16) | (_data[at + 3] << 24));

    private byte[] Inflate(ReadOnlySpan<byte> deflated, long maxBytes)
    {
        try
        {
            using var input = new MemoryStream(deflated.ToArray(), writable: false);
            using var inflater = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] buffer = new byte[81920];
            int n;
            while ((n = inflater.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > maxBytes)
                    throw Fail($"the deflated data set inflates past {maxBytes} bytes (pixel budget)");
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new ReaderException(_file, $"the deflated data set is corrupt ({e.Message})", e);
        }
    }

    private ReaderException Fail(string reason) => new(_file, reason);
}
