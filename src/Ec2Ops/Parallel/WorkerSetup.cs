using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using System.Text.Json;
using Ec2Ops.Core;

namespace Ec2Ops.Commands;

/// <summary>
/// Everything a worker needs before its first item: the script block's text (with <c>$using:</c>
/// references turned into variables), the caller's values for them, the functions, modules and
/// variables to carry over, the caller's stream preferences and location.
/// </summary>
internal sealed class WorkerSetup
{
    /// <summary>The name prefix of the variables that hold <c>$using:</c> values in a worker.</summary>
    public const string UsingPrefix = "__ec2ops_using_";

    public string Script { get; set; } = "";

    /// <summary>Global variables to define: -Variable entries and the <c>$using:</c> values.</summary>
    public Dictionary<string, object?> Variables { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Function name to definition (the body text, param block included).</summary>
    public Dictionary<string, string> Functions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Module names or paths, imported in this order.</summary>
    public List<string> Modules { get; set; } = new();

    /// <summary>Preference variable name to value (e.g. VerbosePreference = Continue).</summary>
    public Dictionary<string, string> Preferences { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The caller's current file system location; null when it has none.</summary>
    public string? Location { get; set; }

    public PSLanguageMode LanguageMode { get; set; } = PSLanguageMode.FullLanguage;

    /// <summary>The setup as one line of JSON for a worker process; variable values travel as CLIXML, as remoting sends them.</summary>
    public string ToPayload()
    {
        var wire = new WireSetup
        {
            Script = Script,
            Variables = Variables.Where(v => v.Value is not (ScriptBlock or ScriptBlockText)).ToDictionary(v => v.Key, v => PSSerializer.Serialize(v.Value)),
            ScriptBlocks = Variables.Where(v => v.Value is ScriptBlock or ScriptBlockText).ToDictionary(v => v.Key, v => v.Value is ScriptBlockText t ? t.ScriptBlockSource : v.Value!.ToString()!),
            Functions = Functions,
            Modules = Modules,
            Preferences = Preferences,
            Location = Location,
            LanguageMode = LanguageMode.ToString(),
        };
        return JsonSerializer.Serialize(wire);
    }

    public static WorkerSetup FromPayload(string payload)
    {
        var wire = JsonSerializer.Deserialize<WireSetup>(payload) ?? throw new InvalidDataException("The worker setup is empty.");
        var setup = new WorkerSetup
        {
            Script = wire.Script ?? "",
            Functions = new Dictionary<string, string>(wire.Functions ?? new(), StringComparer.OrdinalIgnoreCase),
            Modules = wire.Modules ?? new(),
            Preferences = new Dictionary<string, string>(wire.Preferences ?? new(), StringComparer.OrdinalIgnoreCase),
            Location = wire.Location,
            LanguageMode = Enum.TryParse<PSLanguageMode>(wire.LanguageMode, out var mode) ? mode : PSLanguageMode.FullLanguage,
        };

        foreach (var (name, clixml) in wire.Variables ?? new())
        {
            setup.Variables[name] = PSSerializer.Deserialize(clixml);
        }

        foreach (var (name, text) in wire.ScriptBlocks ?? new())
        {
            setup.Variables[name] = new ScriptBlockText(text);
        }

        return setup;
    }

    /// <summary>
    /// Builds the setup from the caller's session: rewrites <c>$using:</c> references and evaluates
    /// them in the caller's scope, resolves functions and modules, captures preferences.
    /// </summary>
    public static WorkerSetup Capture(PSCmdlet cmdlet, ScriptBlock script, IEnumerable<string>? functions, IEnumerable<string>? modules, IDictionary? variables)
    {
        var setup = new WorkerSetup { LanguageMode = cmdlet.SessionState.LanguageMode };
        setup.Script = RewriteUsing(cmdlet, script, setup.Variables);

        foreach (DictionaryEntry entry in variables ?? new Hashtable())
        {
            string name = entry.Key?.ToString() ?? "";
            if (name.Length == 0 || name.StartsWith(UsingPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new Ec2OpsException("ParallelInvalidVariableName", Ec2OpsErrorCategory.InvalidArgument,
                    $"-Variable has an entry named '{name}', which is not a usable variable name.", name);
            }

            setup.Variables[name] = entry.Value is PSObject { BaseObject: ScriptBlock block } ? block : entry.Value;
        }

        foreach (string pattern in functions ?? Array.Empty<string>())
        {
            bool wildcard = WildcardPattern.ContainsWildcardCharacters(pattern);
            var found = cmdlet.SessionState.InvokeCommand.GetCommands(pattern, CommandTypes.Function | CommandTypes.Filter, nameIsPattern: wildcard)
                .OfType<FunctionInfo>()
                .ToList();
            if (found.Count == 0 && !wildcard)
            {
                throw new Ec2OpsException("ParallelFunctionNotFound", Ec2OpsErrorCategory.ObjectNotFound,
                    $"-ImportFunction names '{pattern}', but no function of that name is visible from the caller's scope.", pattern)
                {
                    RecommendedAction = "Define the function (in any scope the caller can see) before calling Invoke-Parallel, or check its name with Get-Command -CommandType Function.",
                };
            }

            foreach (var function in found)
            {
                setup.Functions[function.Name] = function.Definition;
            }
        }

        foreach (string module in modules ?? Array.Empty<string>())
        {
            setup.Modules.Add(ResolveModule(cmdlet, module));
        }

        CapturePreferences(cmdlet, setup.Preferences);

        try
        {
            var location = cmdlet.SessionState.Path.CurrentFileSystemLocation;
            setup.Location = location?.ProviderPath;
        }
        catch (PSInvalidOperationException)
        {
        }

        return setup;
    }

    /// <summary>
    /// Replaces every <c>$using:expr</c> that belongs to this script block (not to a nested parallel
    /// command's block) with a variable, and evaluates <c>expr</c> in the caller's scope, as
    /// ForEach-Object -Parallel and Invoke-Command do.
    /// </summary>
    internal static string RewriteUsing(PSCmdlet cmdlet, ScriptBlock script, IDictionary<string, object?> values)
    {
        var root = script.Ast;
        string text = root.Extent.Text;
        int baseOffset = root.Extent.StartOffset;
        var usings = root.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
            .Cast<UsingExpressionAst>()
            .Where(u => !InNestedParallelBlock(u, root))
            .OrderByDescending(u => u.Extent.StartOffset)
            .ToList();

        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var builder = new StringBuilder(text);
        foreach (var usingAst in usings)
        {
            string key = usingAst.SubExpression.Extent.Text;
            if (!names.TryGetValue(key, out string? name))
            {
                name = UsingPrefix + names.Count;
                names[key] = name;
                values[name] = EvaluateUsing(cmdlet, usingAst);
            }

            builder.Remove(usingAst.Extent.StartOffset - baseOffset, usingAst.Extent.EndOffset - usingAst.Extent.StartOffset);
            builder.Insert(usingAst.Extent.StartOffset - baseOffset, "${" + name + "}");
        }

        string rewritten = builder.ToString();
        if (root.Parent is ScriptBlockExpressionAst && rewritten.Length >= 2 && rewritten[0] == '{' && rewritten[^1] == '}')
        {
            rewritten = rewritten[1..^1];
        }

        return rewritten;
    }

    private static readonly HashSet<string> ParallelCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Invoke-Parallel", "ForEach-Object", "foreach", "%", "Start-ThreadJob", "Start-Job", "Invoke-Command", "icm",
    };

    private static bool InNestedParallelBlock(Ast ast, Ast root)
    {
        for (var node = ast.Parent; node is not null && !ReferenceEquals(node, root); node = node.Parent)
        {
            if (node is ScriptBlockExpressionAst && node.Parent is CommandAst command && command.GetCommandName() is { } commandName
                && ParallelCommands.Contains(commandName))
            {
                // ForEach-Object runs its block here unless -Parallel is given.
                if (!commandName.Equals("ForEach-Object", StringComparison.OrdinalIgnoreCase) && commandName is not ("foreach" or "%")
                    || command.CommandElements.OfType<CommandParameterAst>().Any(p => "Parallel".StartsWith(p.ParameterName, StringComparison.OrdinalIgnoreCase) && p.ParameterName.Length >= 2))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static object? EvaluateUsing(PSCmdlet cmdlet, UsingExpressionAst usingAst)
    {
        if (usingAst.SubExpression is VariableExpressionAst variable)
        {
            string name = UsingPrefixPattern.Replace(variable.Extent.Text, "").TrimStart('{').TrimEnd('}');
            if (name.Contains(':'))
            {
                // A drive-qualified name, e.g. $using:env:PATH.
                return Unwrap(cmdlet.SessionState.InvokeCommand.InvokeScript("${" + name + "}").FirstOrDefault());
            }

            var found = cmdlet.SessionState.PSVariable.Get(name);
            if (found is null)
            {
                throw new Ec2OpsException("ParallelUsingVariableNotFound", Ec2OpsErrorCategory.InvalidArgument,
                    $"The script block uses '{usingAst.Extent.Text}', but the caller has no variable '{name}'.", usingAst.Extent.Text)
                {
                    RecommendedAction = "Set the variable before calling Invoke-Parallel, or pass the value with -Variable.",
                };
            }

            return Unwrap(found.Value);
        }

        // $using:list[1] or $using:item.Name: the same expression on the caller's variable.
        string expression = UsingPrefixPattern.Replace(usingAst.SubExpression.Extent.Text, m => m.Groups[1].Success ? "${" : "$");
        var results = cmdlet.SessionState.InvokeCommand.InvokeScript(expression);
        return results.Count switch
        {
            0 => null,
            1 => Unwrap(results[0]),
            _ => results.Select(Unwrap).ToArray(),
        };
    }

    private static readonly System.Text.RegularExpressions.Regex UsingPrefixPattern =
        new(@"^\$(\{)?using:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static object? Unwrap(object? value) =>
        value is PSObject { BaseObject: ScriptBlock block } ? block : value;

    private static string ResolveModule(PSCmdlet cmdlet, string module)
    {
        if (module.IndexOfAny(new[] { '/', '\\' }) >= 0 || module.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase) || module.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase) || module.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(module);
        }

        // A module loaded in the caller is imported from the same file, so workers get the same version.
        var loaded = cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($n) Get-Module -Name $n | Select-Object -First 1"), null, module);
        if (loaded.Count > 0 && loaded[0]?.BaseObject is PSModuleInfo info && !string.IsNullOrEmpty(info.Path) && File.Exists(info.Path))
        {
            string path = info.Path;
            string manifest = Path.Combine(info.ModuleBase, info.Name + ".psd1");
            return File.Exists(manifest) ? manifest : path;
        }

        return module;
    }

    private static void CapturePreferences(PSCmdlet cmdlet, IDictionary<string, string> preferences)
    {
        var bound = cmdlet.MyInvocation.BoundParameters;
        bool SwitchOn(string name) => bound.TryGetValue(name, out var value) && value is SwitchParameter { IsPresent: true };
        bool SwitchOff(string name) => bound.TryGetValue(name, out var value) && value is SwitchParameter { IsPresent: false };
        ActionPreference Caller(string name) =>
            LanguagePrimitives.TryConvertTo(cmdlet.SessionState.PSVariable.GetValue(name), out ActionPreference p) ? p : ActionPreference.SilentlyContinue;
        static bool Shows(ActionPreference p) => p is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

        // Verbose and debug records are only produced when the preference asks for them, so workers
        // get the caller's effective choice; they never prompt (Inquire becomes Continue).
        bool verbose = SwitchOn("Verbose") || (!SwitchOff("Verbose") && Shows(Caller("VerbosePreference")));
        bool debug = SwitchOn("Debug") || (!SwitchOff("Debug") && Shows(Caller("DebugPreference")));
        preferences["VerbosePreference"] = (verbose ? ActionPreference.Continue : ActionPreference.SilentlyContinue).ToString();
        preferences["DebugPreference"] = (debug ? ActionPreference.Continue : ActionPreference.SilentlyContinue).ToString();

        // Warnings and information are always passed on; the caller's own preference (and
        // -WarningAction / -InformationAction) decides what is shown.
        preferences["WarningPreference"] = ActionPreference.Continue.ToString();
        preferences["InformationPreference"] = ActionPreference.Continue.ToString();
        preferences["ProgressPreference"] = (Shows(Caller("ProgressPreference")) ? ActionPreference.Continue : ActionPreference.SilentlyContinue).ToString();
    }

    /// <summary>A script block crossing to a worker process travels as its text and is created anew there.</summary>
    internal sealed class ScriptBlockText(string source)
    {
        public string ScriptBlockSource { get; } = source;
    }

    private sealed class WireSetup
    {
        public string? Script { get; set; }

        public Dictionary<string, string>? Variables { get; set; }

        public Dictionary<string, string>? ScriptBlocks { get; set; }

        public Dictionary<string, string>? Functions { get; set; }

        public List<string>? Modules { get; set; }

        public Dictionary<string, string>? Preferences { get; set; }

        public string? Location { get; set; }

        public string? LanguageMode { get; set; }
    }
}
