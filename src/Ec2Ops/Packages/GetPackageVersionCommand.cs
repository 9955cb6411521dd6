using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Ec2Ops.Core.Packages;

namespace Ec2Ops.Commands;

/// <summary>
/// Which version of a package is installed here, in any ecosystem, read from its metadata without
/// importing, loading or running it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PackageVersion", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Get-PackageVersion.md")]
[OutputType(typeof(PackageVersion), typeof(AssemblyPackageVersion))]
public sealed class GetPackageVersionCommand : Ec2OpsCmdlet
{
    private readonly List<string> _pipedNames = new();
    private bool _collecting;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(PackageNameCompleter))]
    [AllowEmptyCollection]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public PackageEcosystem[] Ecosystem { get; set; } = Array.Empty<PackageEcosystem>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        // Names from the pipeline are gathered and looked up in one scan at the end, instead of one
        // scan of every ecosystem per piped name.
        if (MyInvocation.ExpectingInput)
        {
            _collecting = true;
            _pipedNames.AddRange(Name.Where(n => !string.IsNullOrWhiteSpace(n)));
            return;
        }

        Search(Name);
    }

    protected override void EndProcessing()
    {
        if (_collecting && _pipedNames.Count > 0)
        {
            Search(_pipedNames);
        }
    }

    private void Search(IReadOnlyList<string> names)
    {
        var workingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var query = new PackageQuery
        {
            Names = names,
            Ecosystems = Ecosystem,
            Paths = ResolvePaths(),
            All = All,
        };

        RunCore(session =>
        {
            var service = new PackageVersionService(PackageSearchContext.ForProcess(workingDirectory), session.Log, session.Progress);
            var result = service.Find(query, session.Cancellation);
            foreach (var error in result.PathErrors)
            {
                session.WriteError(error, error.TargetObject);
            }

            foreach (var package in result.Packages)
            {
                session.WriteObject(package);
            }

            foreach (var error in result.NotFound)
            {
                session.WriteError(error, error.TargetObject);
            }

            return Task.CompletedTask;
        });
    }

    // PowerShell paths (relative, ~, PSDrives, wildcards) as file-system paths; a wildcard that
    // matches nothing is passed on as written, so Core reports it as a missing path.
    private IReadOnlyList<string> ResolvePaths()
    {
        var resolved = new List<string>();
        foreach (var path in Path)
        {
            if (WildcardPattern.ContainsWildcardCharacters(path))
            {
                try
                {
                    resolved.AddRange(GetResolvedProviderPathFromPSPath(path, out _));
                    continue;
                }
                catch (ItemNotFoundException)
                {
                }
            }

            resolved.Add(GetUnresolvedProviderPathFromPSPath(path));
        }

        return resolved;
    }
}

/// <summary>Tab completion of -Name from what is installed (honours -Ecosystem and -Path already typed).</summary>
public sealed class PackageNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var location = CurrentLocation();
            var ecosystems = Values(fakeBoundParameters, "Ecosystem")
                .Select(v => Enum.TryParse<PackageEcosystem>(v, ignoreCase: true, out var e) ? (PackageEcosystem?)e : null)
                .OfType<PackageEcosystem>().ToArray();
            var paths = Values(fakeBoundParameters, "Path").ToArray();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var service = new PackageVersionService(PackageSearchContext.ForProcess(location));
            return service.CompleteNames(wordToComplete, ecosystems, paths, timeout.Token)
                .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name))
                .ToArray();
        }
        catch (OperationCanceledException)
        {
            return Array.Empty<CompletionResult>();
        }
    }

    // The session's file-system location, for a relative -Path. Completers run on the pipeline thread,
    // where SessionStateProxy refuses calls but a nested script block may read $PWD.
    private static string? CurrentLocation()
    {
        try
        {
            var location = ScriptBlock.Create("$PWD.ProviderPath").InvokeReturnAsIs();
            return (location is PSObject wrapped ? wrapped.BaseObject : location) as string;
        }
        catch (RuntimeException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Values(IDictionary bound, string name)
    {
        if (!bound.Contains(name) || bound[name] is not { } value)
        {
            return Array.Empty<string>();
        }

        return value is IEnumerable items and not string
            ? items.Cast<object?>().Select(i => i?.ToString()).OfType<string>()
            : new[] { value.ToString() ?? string.Empty };
    }

    // Names such as @types/node or names with spaces need quotes to be typed as one argument.
    private static string Quote(string name) =>
        name.IndexOfAny(new[] { '@', ' ', '\'', '"', '`', '$', ';', ',', '(', ')', '{', '}', '#', '&', '|', '<', '>' }) >= 0
            ? "'" + name.Replace("'", "''") + "'"
            : name;
}
