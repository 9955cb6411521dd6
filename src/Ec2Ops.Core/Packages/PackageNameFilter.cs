using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Packages;

/// <summary>
/// The -Name patterns: PowerShell wildcards (<c>*</c>, <c>?</c>, <c>[a-z]</c>, backtick escapes),
/// case-insensitive. Python names compare after PEP 503 normalization (runs of <c>-_.</c> become one
/// <c>-</c>), so <c>Scikit_Learn</c> finds <c>scikit-learn</c>. Remembers which literal names matched,
/// for the not-found errors.
/// </summary>
public sealed partial class PackageNameFilter
{
    private readonly Pattern[] _patterns;
    private readonly ConcurrentDictionary<int, bool> _matched = new();

    public PackageNameFilter(IEnumerable<string> names)
    {
        _patterns = names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(n => new Pattern(n)).ToArray();
    }

    /// <summary>True when there are no patterns: everything matches.</summary>
    public bool MatchesEverything => _patterns.Length == 0;

    public IReadOnlyList<string> Names => _patterns.Select(p => p.Text).ToArray();

    /// <summary>PEP 503: <c>re.sub(r"[-_.]+", "-", name).lower()</c>.</summary>
    public static string NormalizePython(string name) => Separators().Replace(name, "-").ToLowerInvariant();

    /// <summary>True when <paramref name="name"/> matches a pattern (or there are none); records the match.</summary>
    public bool IsMatch(PackageEcosystem ecosystem, string name)
    {
        if (_patterns.Length == 0)
        {
            return true;
        }

        var found = false;
        for (var i = 0; i < _patterns.Length; i++)
        {
            if (_patterns[i].IsMatch(ecosystem, name))
            {
                _matched[i] = true;
                found = true;
            }
        }

        return found;
    }

    /// <summary>
    /// A cheap pre-check on a name taken from a folder or file name before its metadata is read; it
    /// does not count as a match.
    /// </summary>
    public bool MightMatch(PackageEcosystem ecosystem, string name) =>
        _patterns.Length == 0 || _patterns.Any(p => p.IsMatch(ecosystem, name));

    /// <summary>The literal (non-wildcard) names that matched nothing: each is a not-found error.</summary>
    public IEnumerable<string> Unmatched() =>
        _patterns.Where((p, i) => !p.IsWildcard && !_matched.ContainsKey(i)).Select(p => p.Text);

    /// <summary>True when the text has wildcard characters that are not escaped.</summary>
    public static bool HasWildcard(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`')
            {
                i++;
            }
            else if (text[i] is '*' or '?' or '[')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A PowerShell wildcard as an anchored regular expression.</summary>
    internal static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.Replace(@"\", @"\\").Replace("^", @"\^")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Separators();

    private sealed class Pattern
    {
        private readonly Regex? _plain;
        private readonly Regex? _python;
        private readonly string _pythonLiteral;

        public Pattern(string text)
        {
            Text = text;
            IsWildcard = HasWildcard(text);
            _pythonLiteral = NormalizePython(text);
            if (IsWildcard)
            {
                const RegexOptions options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
                _plain = new Regex(ToRegex(text), options);
                _python = new Regex(ToRegex(NormalizePython(text)), options);
            }
        }

        public string Text { get; }

        public bool IsWildcard { get; }

        public bool IsMatch(PackageEcosystem ecosystem, string name)
        {
            if (ecosystem == PackageEcosystem.Python)
            {
                var normalized = NormalizePython(name);
                return _python?.IsMatch(normalized) ?? string.Equals(_pythonLiteral, normalized, StringComparison.Ordinal);
            }

            return _plain?.IsMatch(name) ?? string.Equals(Text, name, StringComparison.OrdinalIgnoreCase);
        }
    }
}
