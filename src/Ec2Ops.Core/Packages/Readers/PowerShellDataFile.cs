using System.Globalization;
using System.Text;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>A value in a data file that is script, not data: it was recognized and skipped, never run.</summary>
internal sealed record PowerShellScriptValue(int Line, string Text);

/// <summary>A number literal: its value and its text as written (1.0 stays "1.0" when read as a version).</summary>
internal sealed record PowerShellNumber(object Value, string Text)
{
    public override string ToString() => Text;
}

/// <summary>A .psd1 that is not even a data file: unterminated, truncated, or not a hashtable.</summary>
internal sealed class PowerShellDataFileException(string message) : Exception(message);

/// <summary>
/// Reads a PowerShell data file (.psd1, a module manifest) as data, the way Import-PowerShellDataFile
/// accepts it, without PowerShell and without running anything: one hashtable literal of strings
/// (single- and double-quoted, here-strings), numbers, <c>$true</c>/<c>$false</c>/<c>$null</c>,
/// arrays (<c>@( )</c> and comma lists), nested hashtables and parentheses, with comments anywhere.
/// Anything else in a value position (a command, a type cast, a script block, a subexpression, a
/// variable other than the few manifests may use, an operator) is script: the value is skipped to
/// its end and returned as a <see cref="PowerShellScriptValue"/>, so one scripted value does not
/// lose the others.
/// </summary>
internal sealed class PowerShellDataFile
{
    // Variables a manifest may name (restricted language); in strings they are kept as written.
    private static readonly HashSet<string> AllowedVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "PSScriptRoot", "PSEdition", "EnabledExperimentalFeatures", "true", "false", "null",
    };

    private readonly string _text;
    private readonly List<PowerShellScriptValue> _script = new();
    private int _position;

    private PowerShellDataFile(string text) => _text = text;

    /// <summary>The parts that were script, in file order.</summary>
    public IReadOnlyList<PowerShellScriptValue> Script => _script;

    /// <summary>Parses a data file; throws <see cref="PowerShellDataFileException"/> when it is not one.</summary>
    public static (Dictionary<string, object?> Data, IReadOnlyList<PowerShellScriptValue> Script) Parse(string text)
    {
        var parser = new PowerShellDataFile(text);
        parser.SkipTrivia(newlines: true);
        if (!parser.StartsWith("@{"))
        {
            throw parser.Error("the file does not start with a hashtable (@{ ... })");
        }

        var data = parser.ParseHashtable();
        parser.SkipTrivia(newlines: true);
        if (!parser.AtEnd)
        {
            var line = parser.Line;
            parser.SkipToEnd();
            parser._script.Add(new PowerShellScriptValue(line, "statements after the hashtable"));
        }

        return (data, parser._script);
    }

    /// <summary>A value at a dotted path of nested hashtables (PrivateData.PSData.Prerelease), or null.</summary>
    public static object? Get(Dictionary<string, object?> data, params string[] path)
    {
        object? current = data;
        foreach (var key in path)
        {
            if (current is not Dictionary<string, object?> table || !table.TryGetValue(key, out current))
            {
                return null;
            }
        }

        return current;
    }

    private bool AtEnd => _position >= _text.Length;

    private char Current => _position < _text.Length ? _text[_position] : '\0';

    private char Next => _position + 1 < _text.Length ? _text[_position + 1] : '\0';

    private int Line => LineAt(_position);

    // Line numbers are needed only for messages, so they are counted from a position on demand.
    private int LineAt(int position) => _text.AsSpan(0, Math.Min(position, _text.Length)).Count('\n') + 1;

    private static bool IsSingleQuote(char c) => c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B';

    private static bool IsDoubleQuote(char c) => c is '"' or '\u201C' or '\u201D' or '\u201E';

    private static bool IsNewline(char c) => c is '\n' or '\r';

    private bool StartsWith(string token) => string.CompareOrdinal(_text, _position, token, 0, token.Length) == 0;

    private PowerShellDataFileException Error(string what) => new($"line {Line}: {what}");

    // Spaces, comments and line continuations; newlines too when asked.
    private void SkipTrivia(bool newlines)
    {
        while (!AtEnd)
        {
            var c = Current;
            if (c is ' ' or '\t' or '\f' or '\v' or '\u00A0' || (newlines && IsNewline(c)))
            {
                _position++;
            }
            else if (c == '`' && IsNewline(Next))
            {
                _position += 2;
            }
            else if (c == '<' && Next == '#')
            {
                var end = _text.IndexOf("#>", _position + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error("a block comment <# is never closed (truncated file?)");
                }

                _position = end + 2;
            }
            else if (c == '#')
            {
                while (!AtEnd && !IsNewline(Current))
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Dictionary<string, object?> ParseHashtable()
    {
        var start = _position;
        _position += 2; // @{
        var table = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSeparators();
            if (AtEnd)
            {
                throw new PowerShellDataFileException($"line {LineAt(start)}: the hashtable that starts here is never closed (truncated file?)");
            }

            if (Current == '}')
            {
                _position++;
                return table;
            }

            var key = ParseKey();
            SkipTrivia(newlines: false);
            if (Current != '=')
            {
                throw Error($"'=' expected after the key '{key}'");
            }

            _position++;
            SkipTrivia(newlines: true);
            table[key] = ParseStatementValue(key);
            SkipTrivia(newlines: false);
            if (!AtEnd && Current is not ('}' or ';') && !IsNewline(Current))
            {
                throw Error($"a new line, ';' or '}}' expected after the value of '{key}'");
            }
        }
    }

    private void SkipSeparators()
    {
        while (true)
        {
            SkipTrivia(newlines: true);
            if (Current == ';')
            {
                _position++;
                continue;
            }

            return;
        }
    }

    private string ParseKey()
    {
        var c = Current;
        if (IsSingleQuote(c) || IsDoubleQuote(c))
        {
            var key = ParseValue(out var script);
            return script ? throw Error("a hashtable key is script") : Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
        }

        var start = _position;
        while (!AtEnd && (char.IsLetterOrDigit(Current) || Current is '_' or '-' or '.'))
        {
            _position++;
        }

        if (start == _position)
        {
            throw Error(AtEnd ? "the file ends inside a hashtable (truncated?)" : $"a key expected, found '{Current}'");
        }

        return _text[start.._position];
    }

    // A value as a statement: one expression or a comma list; anything that is not data becomes a
    // script value that spans the whole statement.
    private object? ParseStatementValue(string key)
    {
        var start = _position;
        var list = new List<object?>();
        while (true)
        {
            var value = ParseValue(out var isScript);
            SkipTrivia(newlines: false);
            if (isScript || !(AtEnd || IsNewline(Current) || Current is ';' or '}' or ')' or ','))
            {
                _position = start;
                SkipScript();
                var text = _text[start.._position].Trim();
                var line = LineAt(start);
                _script.Add(new PowerShellScriptValue(line, $"{key} = {Shorten(text)}"));
                return new PowerShellScriptValue(line, text);
            }

            list.Add(value);
            if (Current != ',')
            {
                break;
            }

            _position++;
            SkipTrivia(newlines: true);
        }

        return list.Count == 1 ? list[0] : list.ToArray();
    }

    private static string Shorten(string text)
    {
        var firstLine = text.Split('\n')[0].TrimEnd('\r');
        return firstLine.Length > 60 ? firstLine[..57] + "..." : firstLine + (firstLine.Length < text.Length ? " ..." : string.Empty);
    }

    private object? ParseValue(out bool isScript)
    {
        isScript = false;
        var c = Current;
        if (AtEnd)
        {
            throw Error("the file ends where a value was expected (truncated?)");
        }

        if (IsSingleQuote(c))
        {
            return ParseSingleQuoted();
        }

        if (IsDoubleQuote(c))
        {
            return ParseDoubleQuoted(out isScript);
        }

        if (c == '@' && (IsSingleQuote(Next) || IsDoubleQuote(Next)))
        {
            return ParseHereString(out isScript);
        }

        if (c == '@' && Next == '{')
        {
            return ParseHashtable();
        }

        if (c == '@' && Next == '(')
        {
            return ParseGroup(2, out isScript);
        }

        if (c == '(')
        {
            var group = ParseGroup(1, out isScript);
            return group.Length == 1 ? group[0] : group;
        }

        if (c == '$')
        {
            var start = ++_position;
            while (!AtEnd && (char.IsLetterOrDigit(Current) || Current is '_' or ':'))
            {
                _position++;
            }

            var name = _text[start.._position];
            switch (name.ToLowerInvariant())
            {
                case "true":
                    return true;
                case "false":
                    return false;
                case "null":
                    return null;
            }

            isScript = !AllowedVariables.Contains(name);
            return "$" + name;
        }

        if (char.IsAsciiDigit(c) || ((c is '-' or '+' or '.') && (char.IsAsciiDigit(Next) || (Next == '.' && c != '.'))))
        {
            return ParseNumber(out isScript);
        }

        // A command name, a type literal or cast, a script block, an operator: script.
        isScript = true;
        return null;
    }

    private object?[] ParseGroup(int open, out bool isScript)
    {
        isScript = false;
        var opened = _position;
        _position += open;
        var items = new List<object?>();
        while (true)
        {
            SkipSeparators();
            if (AtEnd)
            {
                throw new PowerShellDataFileException($"line {LineAt(opened)}: the parenthesis opened here is never closed (truncated file?)");
            }

            if (Current == ')')
            {
                _position++;
                return items.ToArray();
            }

            while (true)
            {
                var value = ParseValue(out var script);
                SkipTrivia(newlines: false);
                if (script || !(IsNewline(Current) || Current is ';' or ')' or ','))
                {
                    isScript = true;
                    return items.ToArray();
                }

                items.Add(value);
                if (Current != ',')
                {
                    break;
                }

                _position++;
                SkipTrivia(newlines: true);
            }
        }
    }

    private string ParseSingleQuoted()
    {
        var opened = _position;
        _position++;
        var text = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw new PowerShellDataFileException($"line {LineAt(opened)}: a string that starts here is never closed (truncated file?)");
            }

            var c = _text[_position++];
            if (IsSingleQuote(c))
            {
                if (IsSingleQuote(Current))
                {
                    text.Append(c);
                    _position++;
                    continue;
                }

                return text.ToString();
            }

            text.Append(c);
        }
    }

    private string ParseDoubleQuoted(out bool isScript)
    {
        isScript = false;
        var opened = _position;
        _position++;
        var text = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw new PowerShellDataFileException($"line {LineAt(opened)}: a string that starts here is never closed (truncated file?)");
            }

            var c = _text[_position++];
            if (IsDoubleQuote(c))
            {
                if (IsDoubleQuote(Current))
                {
                    text.Append(c);
                    _position++;
                    continue;
                }

                return text.ToString();
            }

            if (c == '`' && !AtEnd)
            {
                text.Append(Escape(_text[_position++]));
            }
            else if (c == '$' && IsExpansion(out var script))
            {
                isScript |= script;
                text.Append(c);
            }
            else
            {
                text.Append(c);
            }
        }
    }

    // "$(...)" is a subexpression (script); "$name" a variable: script unless it is one a manifest may use.
    private bool IsExpansion(out bool isScript)
    {
        isScript = false;
        if (Current == '(')
        {
            isScript = true;
            return true;
        }

        if (Current == '{' || char.IsLetter(Current) || Current == '_')
        {
            var start = _position;
            var end = start;
            while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] is '_' or ':'))
            {
                end++;
            }

            isScript = Current == '{' || !AllowedVariables.Contains(_text[start..end]);
            return true;
        }

        return false;
    }

    private static char Escape(char c) => c switch
    {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        'a' => '\a',
        'b' => '\b',
        'e' => '\u001B',
        'f' => '\f',
        'v' => '\v',
        _ => c,
    };

    private string ParseHereString(out bool isScript)
    {
        isScript = false;
        var opened = _position;
        var quote = Next;
        var doubleQuoted = IsDoubleQuote(quote);
        _position += 2;
        while (!AtEnd && Current is ' ' or '\t')
        {
            _position++;
        }

        if (Current == '\r')
        {
            _position++;
        }

        if (Current != '\n')
        {
            throw Error("a here-string's opening quote must end its line");
        }

        _position++;
        var start = _position;
        var scan = start; // the start of a line of the body
        while (true)
        {
            if (scan + 1 < _text.Length && (doubleQuoted ? IsDoubleQuote(_text[scan]) : IsSingleQuote(_text[scan])) && _text[scan + 1] == '@')
            {
                var end = scan == start ? start : scan - 1; // the newline before the closing quote is not part of the body
                if (end > start && _text[end - 1] == '\r')
                {
                    end--;
                }

                var body = _text[start..end];
                _position = scan + 2;
                isScript = doubleQuoted && body.Contains("$(", StringComparison.Ordinal);
                return body;
            }

            var lineEnd = _text.IndexOf('\n', scan);
            if (lineEnd < 0)
            {
                throw new PowerShellDataFileException($"line {LineAt(opened)}: a here-string that starts here is never closed (truncated file?)");
            }

            scan = lineEnd + 1;
        }
    }

    private object ParseNumber(out bool isScript)
    {
        isScript = false;
        var start = _position;
        if (Current is '-' or '+')
        {
            _position++;
        }

        while (!AtEnd)
        {
            var c = Current;
            var exponentSign = c is '-' or '+' && char.ToLowerInvariant(_text[_position - 1]) == 'e'
                && !_text[start.._position].Contains("0x", StringComparison.OrdinalIgnoreCase);
            if (!(char.IsLetterOrDigit(c) || c == '.' || exponentSign))
            {
                break;
            }

            _position++;
        }

        var written = _text[start.._position];
        var token = written.ToLowerInvariant();
        long multiplier = 1;
        foreach (var (suffix, factor) in new[] { ("kb", 1L << 10), ("mb", 1L << 20), ("gb", 1L << 30), ("tb", 1L << 40), ("pb", 1L << 50) })
        {
            if (token.EndsWith(suffix, StringComparison.Ordinal))
            {
                token = token[..^2];
                multiplier = factor;
                break;
            }
        }

        var negative = token.StartsWith('-');
        var digits = token.TrimStart('-', '+').TrimEnd('l', 'd');
        if (digits.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return new PowerShellNumber((negative ? -hex : hex) * multiplier, written);
        }

        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
        {
            return new PowerShellNumber((negative ? -whole : whole) * multiplier, written);
        }

        if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return new PowerShellNumber((negative ? -real : real) * multiplier, written);
        }

        isScript = true; // e.g. 1.2.3 unquoted: PowerShell reads it as a member access
        return token;
    }

    // Skips one statement of script: up to a new line, ';' or the bracket that closes the value's
    // container, at nesting depth 0, with strings, comments and line continuations stepped over.
    private void SkipScript()
    {
        var depth = 0;
        while (!AtEnd)
        {
            var c = Current;
            if (depth == 0 && (c is ';' or '}' or ')' || IsNewline(c)))
            {
                if (IsNewline(c) && ContinuesOnNextLine())
                {
                    _position++;
                    continue;
                }

                return;
            }

            if (c == '`' && !AtEnd)
            {
                _position += 2;
                continue;
            }

            if (c == '#' || (c == '<' && Next == '#'))
            {
                SkipTrivia(newlines: false);
                continue;
            }

            if (IsSingleQuote(c))
            {
                ParseSingleQuoted();
                continue;
            }

            if (IsDoubleQuote(c))
            {
                ParseDoubleQuoted(out _);
                continue;
            }

            if (c == '@' && (IsSingleQuote(Next) || IsDoubleQuote(Next)))
            {
                ParseHereString(out _);
                continue;
            }

            if (c is '(' or '{' or '[')
            {
                depth++;
            }
            else if (c is ')' or '}' or ']')
            {
                depth--;
            }

            _position++;
        }
    }

    // A line that ends with a pipe, a comma or an operator continues on the next.
    private bool ContinuesOnNextLine()
    {
        var back = _position - 1;
        while (back >= 0 && _text[back] is ' ' or '\t' or '\r')
        {
            back--;
        }

        return back >= 0 && _text[back] is '|' or ',' or '+' or '*' or '/' or '=' or '-';
    }

    private void SkipToEnd() => _position = _text.Length;
}
