// The .npy header dict literal, parsed strictly: {'descr': '<f8', 'fortran_order': False, 'shape': (N, d), }
// Only these three keys, in any order, each once; string values in single or double quotes; True/False;
// a tuple of non-negative integers (a 1-tuple may have a trailing comma). Anything else is refused with a
// message naming the file. Tested in NpyTests.
namespace Opacity.Gan.Data;

internal static class NpyHeader
{
    public static (string Descr, bool Fortran, long[] Shape) Parse(string header, string name)
    {
        var p = new Cursor(header.TrimEnd(' ', '\n', '\r', '\t', '\0'), name);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        p.Expect('{');
        while (true)
        {
            p.SkipSpace();
            if (p.TryTake('}'))
                break;
            string key = p.String();
            p.Expect(':');
            switch (key)
            {
                case "descr" when descr is null:
                    p.SkipSpace();
                    if (p.Peek() is not ('\'' or '"'))
                        throw p.Fail("its 'descr' is a structured dtype, not a plain float type");
                    descr = p.String();
                    break;
                case "fortran_order" when fortran is null:
                    fortran = p.Bool();
                    break;
                case "shape" when shape is null:
                    shape = p.Tuple();
                    break;
                default:
                    throw p.Fail($"its header has an unexpected or repeated key '{key}'");
            }
            p.SkipSpace();
            if (p.TryTake(','))
                continue;
            p.Expect('}');
            break;
        }
        p.SkipSpace();
        if (!p.AtEnd)
            throw p.Fail("its header has text after the closing brace");
        if (descr is null || fortran is null || shape is null)
            throw p.Fail("its header lacks one of 'descr', 'fortran_order' and 'shape'");
        return (descr, fortran.Value, shape);
    }

    private sealed class Cursor(string s, string name)
    {
        private int _i;

        public bool AtEnd => _i >= s.Length;

        public NpyFormatException Fail(string why) => new($"'{name}' is not a usable .npy file: {why}.");

        public void SkipSpace()
        {
            while (_i < s.Length && char.IsWhiteSpace(s[_i]))
                _i++;
        }

        public char Peek() => _i < s.Length ? s[_i] : '\0';

        public bool TryTake(char c)
        {
            SkipSpace();
            if (_i < s.Length && s[_i] == c)
            {
                _i++;
                return true;
            }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryTake(c))
                throw Fail($"its header is not a Python dict literal (expected '{c}' at position {_i})");
        }

        public string String()
        {
            SkipSpace();
            char q = Peek();
            if (q is not ('\'' or '"'))
                throw Fail($"its header has a non-string key or value at position {_i}");
            int end = s.IndexOf(q, _i + 1);
            if (end < 0)
                throw Fail("its header has an unterminated string");
            string v = s[(_i + 1)..end];
            _i = end + 1;
            return v;
        }

        public bool Bool()
        {
            SkipSpace();
            if (s.AsSpan(_i).StartsWith("True"))
            {
                _i += 4;
                return true;
            }
            if (s.AsSpan(_i).StartsWith("False"))
            {
                _i += 5;
                return false;
            }
            throw Fail("its 'fortran_order' is neither True nor False");
        }

        public long[] Tuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (TryTake(')'))
                    break;
                int start = _i;
                while (_i < s.Length && char.IsAsciiDigit(s[_i]))
                    _i++;
                if (_i == start || !long.TryParse(s.AsSpan(start, _i - start), out long v) || v > int.MaxValue)
                    throw Fail("its 'shape' is not a tuple of non-negative integers");
                dims.Add(v);
                if (TryTake(','))
                    continue;
                Expect(')');
                break;
            }
            return [.. dims];
        }
    }
}
