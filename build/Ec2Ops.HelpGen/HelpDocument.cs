using System.Text.RegularExpressions;

namespace Ec2Ops.HelpGen;

/// <summary>One example: a title, the code, and what it shows.</summary>
public sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>A typed entry of INPUTS or OUTPUTS.</summary>
public sealed record HelpTypeEntry(string TypeName, IReadOnlyList<string> Description);

/// <summary>A link of RELATED LINKS.</summary>
public sealed record HelpLink(string Text, string Uri);

/// <summary>
/// The prose of one cmdlet's help, read from docs/help/Verb-Noun.md (platyPS-like layout:
/// # Name, ## SYNOPSIS, ## DESCRIPTION, ## EXAMPLES with ### titles, ## PARAMETERS with ### -Name,
/// ## INPUTS / ## OUTPUTS with ### TypeName, ## NOTES, ## RELATED LINKS). Parameter types,
/// positions and pipeline binding are not written here: they come from the compiled cmdlet.
/// </summary>
public sealed class HelpDocument
{
    public required string Name { get; init; }

    public required string SourcePath { get; init; }

    public string Synopsis { get; init; } = string.Empty;

    public IReadOnlyList<string> Description { get; init; } = Array.Empty<string>();

    public IReadOnlyList<HelpExample> Examples { get; init; } = Array.Empty<HelpExample>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<HelpTypeEntry> Inputs { get; init; } = Array.Empty<HelpTypeEntry>();

    public IReadOnlyList<HelpTypeEntry> Outputs { get; init; } = Array.Empty<HelpTypeEntry>();

    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    public IReadOnlyList<HelpLink> Links { get; init; } = Array.Empty<HelpLink>();

    public static HelpDocument Load(string path) => Parse(File.ReadAllText(path), path);

    public static HelpDocument Parse(string markdown, string sourcePath)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var title = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim()
            ?? throw new FormatException($"{sourcePath}: the first heading '# Verb-Noun' is missing.");

        var sections = Split(lines, "## ");
        IReadOnlyList<string> Section(string name) =>
            sections.TryGetValue(name, out var body) ? body : Array.Empty<string>();

        return new HelpDocument
        {
            Name = title,
            SourcePath = sourcePath,
            Synopsis = string.Join(" ", Paragraphs(Section("SYNOPSIS"))),
            Description = Paragraphs(Section("DESCRIPTION")),
            Examples = Split(Section("EXAMPLES"), "### ").Select(e => ParseExample(e.Key, e.Value)).ToList(),
            Parameters = Split(Section("PARAMETERS"), "### ")
                .ToDictionary(p => p.Key.TrimStart('-').Trim(), p => Paragraphs(p.Value), StringComparer.OrdinalIgnoreCase),
            Inputs = Split(Section("INPUTS"), "### ").Select(e => new HelpTypeEntry(e.Key, Paragraphs(e.Value))).ToList(),
            Outputs = Split(Section("OUTPUTS"), "### ").Select(e => new HelpTypeEntry(e.Key, Paragraphs(e.Value))).ToList(),
            Notes = Paragraphs(Section("NOTES")),
            Links = Section("RELATED LINKS").Select(ParseLink).OfType<HelpLink>().ToList(),
        };
    }

    // Splits lines into (heading -> body) at lines that start with the marker, keeping file order.
    private static Dictionary<string, IReadOnlyList<string>> Split(IReadOnlyList<string> lines, string marker)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        string? heading = null;
        var body = new List<string>();
        var inFence = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && line.StartsWith(marker, StringComparison.Ordinal))
            {
                if (heading is not null)
                {
                    result[heading] = body;
                }

                heading = line[marker.Length..].Trim();
                body = new List<string>();
            }
            else if (heading is not null)
            {
                body.Add(line);
            }
        }

        if (heading is not null)
        {
            result[heading] = body;
        }

        return result;
    }

    private static HelpExample ParseExample(string title, IReadOnlyList<string> body)
    {
        var code = new List<string>();
        var rest = new List<string>();
        var fences = 0;
        foreach (var line in body)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fences++;
                continue;
            }

            // The first fenced block is the example; later text (and output blocks) are remarks.
            if (fences == 1)
            {
                code.Add(line);
            }
            else
            {
                rest.Add(line);
            }
        }

        return new HelpExample(title, string.Join("\n", code).Trim('\n'), Paragraphs(rest, keepLines: true));
    }

    private static HelpLink? ParseLink(string line)
    {
        var match = Regex.Match(line, @"\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)");
        if (match.Success)
        {
            return new HelpLink(match.Groups["text"].Value, match.Groups["uri"].Value);
        }

        var text = line.Trim().TrimStart('-', '*').Trim();
        return text.Length > 0 ? new HelpLink(text, string.Empty) : null;
    }

    /// <summary>
    /// Markdown inline marks read as noise in Get-Help's plain text: `code` and **bold** lose their
    /// marks, and [text](uri) becomes "text (uri)".
    /// </summary>
    public static string PlainText(string line)
    {
        var text = Regex.Replace(line, @"\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)", "${text} (${uri})");
        text = Regex.Replace(text, @"\*\*(?<bold>[^*]+)\*\*", "${bold}");
        return Regex.Replace(text, "`(?<code>[^`]+)`", "${code}");
    }

    /// <summary>Blank-line-separated paragraphs; fenced blocks keep their line breaks.</summary>
    public static IReadOnlyList<string> Paragraphs(IReadOnlyList<string> lines, bool keepLines = false)
    {
        var result = new List<string>();
        var current = new List<string>();
        var inFence = false;

        void Flush()
        {
            if (current.Count > 0)
            {
                result.Add(string.Join(inFence || keepLines ? "\n" : " ", current));
                current.Clear();
            }
        }

        foreach (var raw in lines)
        {
            if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inFence = !inFence;
                continue;
            }

            if (!inFence && raw.Trim().Length == 0)
            {
                Flush();
                continue;
            }

            current.Add(inFence ? raw : PlainText(raw.Trim()));
        }

        Flush();
        return result;
    }
}
