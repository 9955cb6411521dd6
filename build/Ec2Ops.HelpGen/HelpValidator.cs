namespace Ec2Ops.HelpGen;

/// <summary>
/// The rules that keep help and code together: every cmdlet has a help file with a synopsis, a
/// description and an example, every parameter has a description, and no help describes a
/// parameter or cmdlet that does not exist.
/// </summary>
public static class HelpValidator
{
    public static IReadOnlyList<string> Problems(IReadOnlyList<CmdletInfo> cmdlets, IReadOnlyList<HelpDocument> docs)
    {
        var problems = new List<string>();
        var byName = docs.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var cmdlet in cmdlets)
        {
            if (!byName.TryGetValue(cmdlet.Name, out var help))
            {
                problems.Add($"{cmdlet.Name}: no help file docs/help/{cmdlet.Name}.md.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(help.Synopsis))
            {
                problems.Add($"{help.SourcePath}: the SYNOPSIS is empty.");
            }

            if (help.Description.Count == 0)
            {
                problems.Add($"{help.SourcePath}: the DESCRIPTION is empty.");
            }

            if (help.Examples.Count == 0 || help.Examples.Any(e => e.Code.Length == 0))
            {
                problems.Add($"{help.SourcePath}: every cmdlet needs at least one example, each with a code block.");
            }

            if (help.Outputs.Count == 0)
            {
                problems.Add($"{help.SourcePath}: OUTPUTS names no type.");
            }

            foreach (var parameter in cmdlet.Parameters)
            {
                if (!help.Parameters.TryGetValue(parameter.Name, out var text) || text.Count == 0)
                {
                    problems.Add($"{help.SourcePath}: parameter -{parameter.Name} has no description (### -{parameter.Name}).");
                }
            }

            if (cmdlet.HelpUri != CmdletInfo.ExpectedHelpUri(cmdlet.Name))
            {
                problems.Add($"{cmdlet.TypeName}: HelpUri is '{cmdlet.HelpUri}'; Get-Help -Online should open {CmdletInfo.ExpectedHelpUri(cmdlet.Name)}.");
            }

            // Get-Help prints a link's text and its uri: a uri must be a web page, a command is named plainly.
            foreach (var link in help.Links.Where(l => l.Uri.Length > 0 && !IsWebPage(l.Uri)))
            {
                problems.Add($"{help.SourcePath}: RELATED LINKS '{link.Text}' points at '{link.Uri}'; link web pages with https://..., and name a command or about_ topic as plain text (- {link.Text}).");
            }

            var known = cmdlet.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            problems.AddRange(help.Parameters.Keys.Where(k => !known.Contains(k))
                .Select(k => $"{help.SourcePath}: describes -{k}, which {cmdlet.Name} does not have."));
        }

        var compiled = cmdlets.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        problems.AddRange(docs.Where(d => !compiled.Contains(d.Name))
            .Select(d => $"{d.SourcePath}: documents {d.Name}, which the assembly does not contain."));
        return problems;
    }

    private static bool IsWebPage(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp);
}
