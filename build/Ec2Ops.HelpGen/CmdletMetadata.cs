using System.Reflection;
using System.Runtime.InteropServices;

namespace Ec2Ops.HelpGen;

/// <summary>A cmdlet as the compiled assembly declares it.</summary>
public sealed record CmdletInfo(
    string Verb,
    string Noun,
    string TypeName,
    string? DefaultParameterSet,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ParameterInfo> Parameters,
    string? HelpUri = null)
{
    /// <summary>Where a cmdlet's online help lives: its help page in the project's repository.</summary>
    public static string ExpectedHelpUri(string name) => $"https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/{name}.md";

    public string Name => $"{Verb}-{Noun}";

    /// <summary>The named parameter sets, or one unnamed set when the cmdlet declares none.</summary>
    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets.Select(s => s.Name))
                .Where(n => n != ParameterSetUsage.AllSets).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

            // A default set may have no parameters of its own (e.g. "no arguments" = summary).
            if (named.Count > 0 && DefaultParameterSet is { } fallback && !named.Contains(fallback, StringComparer.OrdinalIgnoreCase))
            {
                named.Insert(0, fallback);
            }

            return named.Count > 0 ? named : new[] { ParameterSetUsage.AllSets };
        }
    }
}

/// <summary>A cmdlet parameter: one property with one or more [Parameter] attributes.</summary>
public sealed record ParameterInfo(string Name, string TypeName, bool IsSwitch, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetUsage> Sets)
{
    public ParameterSetUsage? In(string set) =>
        Sets.FirstOrDefault(s => string.Equals(s.Name, set, StringComparison.OrdinalIgnoreCase))
        ?? Sets.FirstOrDefault(s => s.Name == ParameterSetUsage.AllSets);
}

/// <summary>How a parameter takes part in one parameter set.</summary>
public sealed record ParameterSetUsage(string Name, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName)
{
    public const string AllSets = "__AllParameterSets";

    public string PipelineText => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

/// <summary>
/// Reads cmdlets from a compiled assembly without running it: PowerShellStandard.Library is a
/// reference assembly whose attribute constructors throw, so attributes are read as metadata.
/// </summary>
public static class CmdletMetadata
{
    private const string Sma = "System.Management.Automation.";

    public static IReadOnlyList<CmdletInfo> Read(string assemblyPath, IEnumerable<string> extraReferences)
    {
        var paths = new List<string>();
        paths.AddRange(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        var moduleDirectory = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        paths.AddRange(Directory.GetFiles(moduleDirectory, "*.dll"));

        // The module's dependencies (Ec2Ops.Core, ...) sit in dependencies/ beside the cmdlet assembly.
        var dependencies = Path.Combine(moduleDirectory, "dependencies");
        if (Directory.Exists(dependencies))
        {
            paths.AddRange(Directory.GetFiles(dependencies, "*.dll"));
        }

        paths.AddRange(extraReferences.Where(File.Exists));
        var unique = paths.GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.Last());

        using var context = new MetadataLoadContext(new PathAssemblyResolver(unique));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        return assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsAbstract: false })
            .Select(ReadCmdlet)
            .OfType<CmdletInfo>()
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static CmdletInfo? ReadCmdlet(Type type)
    {
        var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
        if (cmdlet is null)
        {
            return null;
        }

        var outputTypes = type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(Flatten)
            .Select(v => v is Type t ? t.FullName ?? t.Name : v?.ToString() ?? string.Empty)
            .ToList();

        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(ReadParameter)
            .OfType<ParameterInfo>()
            .ToList();

        return new CmdletInfo(
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            type.FullName!,
            Named(cmdlet, "DefaultParameterSetName") as string,
            outputTypes,
            parameters,
            Named(cmdlet, "HelpUri") as string);
    }

    private static ParameterInfo? ReadParameter(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var usages = attributes
            .Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute")
            .Select(a => new ParameterSetUsage(
                Named(a, "ParameterSetName") as string ?? ParameterSetUsage.AllSets,
                Named(a, "Mandatory") as bool? ?? false,
                Named(a, "Position") is int p && p >= 0 ? p : null,
                Named(a, "ValueFromPipeline") as bool? ?? false,
                Named(a, "ValueFromPipelineByPropertyName") as bool? ?? false))
            .ToList();
        if (usages.Count == 0)
        {
            return null;
        }

        var aliases = attributes
            .Where(a => a.AttributeType.FullName == Sma + "AliasAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(Flatten)
            .Select(v => v?.ToString() ?? string.Empty)
            .ToList();

        var isSwitch = property.PropertyType.FullName == Sma + "SwitchParameter";
        return new ParameterInfo(property.Name, FriendlyName(property.PropertyType), isSwitch, aliases, usages);
    }

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.FirstOrDefault(n => n.MemberName == name).TypedValue.Value;

    // params arrays arrive as a collection of typed arguments.
    private static IEnumerable<object?> Flatten(CustomAttributeTypedArgument argument) =>
        argument.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : new[] { argument.Value };

    public static string FriendlyName(Type type)
    {
        if (type.IsArray)
        {
            return FriendlyName(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericType)
        {
            var args = type.GetGenericArguments();
            if (type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
            {
                return FriendlyName(args[0]);
            }

            var name = type.Name[..type.Name.IndexOf('`')];
            return $"{name}[{string.Join(",", args.Select(FriendlyName))}]";
        }

        return type.Name;
    }
}
