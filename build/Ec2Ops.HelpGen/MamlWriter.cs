using System.Xml.Linq;

namespace Ec2Ops.HelpGen;

/// <summary>Writes the MAML that Get-Help reads (en-US/Ec2Ops.dll-Help.xml).</summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static XDocument Build(IEnumerable<(CmdletInfo Cmdlet, HelpDocument Help)> commands) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(c => CommandElement(c.Cmdlet, c.Help))));

    private static XElement CommandElement(CmdletInfo cmdlet, HelpDocument help) =>
        new(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(
                Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(new[] { help.Synopsis })),
            Description(help.Description),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, help, set))),
            new XElement(Command + "parameters", cmdlet.Parameters.Select(p => Parameter(p, help, p.Sets[0]))),
            new XElement(Command + "inputTypes", help.Inputs.Select(i => TypeEntry(Command + "inputType", i))),
            new XElement(Command + "returnValues", help.Outputs.Select(o => TypeEntry(Command + "returnValue", o))),
            // No NOTES: no alertSet, or Get-Help -Full prints an empty NOTES heading.
            help.Notes.Count > 0 ? new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))) : null,
            new XElement(Command + "examples", help.Examples.Select((e, i) => Example(e, i + 1))),
            new XElement(
                Command + "relatedLinks",
                help.Links.Select(l => new XElement(
                    Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri)))));

    private static XElement SyntaxItem(CmdletInfo cmdlet, HelpDocument help, string set)
    {
        // Positional parameters first, in position order, then the rest as declared.
        var members = cmdlet.Parameters
            .Select(p => (Parameter: p, Usage: p.In(set)))
            .Where(x => x.Usage is not null)
            .OrderBy(x => x.Usage!.Position ?? int.MaxValue);
        return new XElement(
            Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            members.Select(x => Parameter(x.Parameter, help, x.Usage!)));
    }

    private static XElement Parameter(ParameterInfo parameter, HelpDocument help, ParameterSetUsage usage)
    {
        help.Parameters.TryGetValue(parameter.Name, out var text);
        var element = new XElement(
            Command + "parameter",
            new XAttribute("required", usage.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", parameter.TypeName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", usage.PipelineText),
            new XAttribute("position", usage.Position?.ToString() ?? "named"),
            new XAttribute("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(text ?? Array.Empty<string>()));
        if (!parameter.IsSwitch)
        {
            element.Add(new XElement(
                Command + "parameterValue",
                new XAttribute("required", "true"),
                new XAttribute("variableLength", "false"),
                parameter.TypeName));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", parameter.TypeName), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", parameter.IsSwitch ? "False" : "None"));
        return element;
    }

    private static XElement TypeEntry(XName name, HelpTypeEntry entry) =>
        new(
            name,
            new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName), new XElement(Maml + "uri")),
            Description(entry.Description));

    private static XElement Example(HelpExample example, int number) =>
        new(
            Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paras(example.Remarks)));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paras(paragraphs));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));
}
