using System.Collections;
using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Commands;

/// <summary>Reads the instance metadata service (IMDSv2) of the EC2 instance it runs on.</summary>
[Cmdlet(VerbsCommon.Get, "InstanceMetadata", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Get-InstanceMetadata.md", DefaultParameterSetName = SummarySet)]
[OutputType(typeof(InstanceMetadata), ParameterSetName = new[] { SummarySet })]
[OutputType(typeof(MetadataEntry), typeof(PSObject), typeof(string), ParameterSetName = new[] { PathSet })]
[OutputType(typeof(InstanceIdentityDocument), typeof(string), typeof(PSObject), typeof(InstanceTag), typeof(SpotInstanceAction), typeof(ScheduledEvent), typeof(IamInfo), ParameterSetName = new[] { CategorySet })]
[OutputType(typeof(string), ParameterSetName = new[] { ListCategorySet })]
public sealed class GetInstanceMetadataCommand : Ec2OpsCmdlet
{
    private const string SummarySet = "Summary";
    private const string PathSet = "Path";
    private const string CategorySet = "Category";
    private const string ListCategorySet = "ListCategory";

    // Errors about one path; anything else (unreachable, disabled, refused) stops the command.
    private static readonly HashSet<string> PerPathErrors = new(StringComparer.Ordinal)
    {
        "ImdsPathNotFound", "ImdsInvalidPath", "ImdsInvalidDocument", "ImdsThrottled", "ImdsServerError",
        "ImdsInvalidListing", "ImdsReplyTooLarge", "ImdsTreeTooLarge", "ImdsTreeTooDeep",
    };

    private ImdsSettings? _settings;

    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MetadataPathCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Recurse { get; set; }

    [Parameter(ParameterSetName = CategorySet, Mandatory = true)]
    public MetadataCategory[] Category { get; set; } = Array.Empty<MetadataCategory>();

    [Parameter(ParameterSetName = ListCategorySet, Mandatory = true)]
    public SwitchParameter ListCategory { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = CategorySet)]
    public SwitchParameter Raw { get; set; }

    [Parameter]
    [Alias("EndpointUrl")]
    [ArgumentCompleter(typeof(ImdsEndpointCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    [Parameter]
    [ValidateSet("IPv4", "IPv6", IgnoreCase = true)]
    public string? EndpointMode { get; set; }

    [Parameter]
    public double? TimeoutSec { get; set; }

    [Parameter]
    public int? MaxAttempts { get; set; }

    [Parameter]
    public SwitchParameter DisableImdsV1 { get; set; }

    protected override void BeginProcessing()
    {
        if (ParameterSetName == ListCategorySet)
        {
            return;
        }

        try
        {
            var settings = ImdsSettings.Resolve(new ImdsRequestOptions
            {
                Endpoint = Endpoint,
                EndpointMode = EndpointMode,
                TimeoutSeconds = TimeoutSec,
                MaxAttempts = MaxAttempts,
                DisableImdsV1 = DisableImdsV1,
            });
            WriteVerbose($"IMDS endpoint {settings.Endpoint} (from {settings.EndpointSource}), timeout {settings.Timeout.TotalSeconds} s, {settings.MaxAttempts} attempt(s).");
            _settings = settings;
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
        }
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                RunCore(async session =>
                {
                    var service = ServiceFor(session);
                    foreach (var path in Path)
                    {
                        try
                        {
                            await WritePathAsync(service, path, session).ConfigureAwait(false);
                        }
                        catch (Ec2OpsException error) when (PerPathErrors.Contains(error.ErrorId))
                        {
                            session.WriteError(error, path);
                        }
                    }
                });
                break;
            case CategorySet:
                RunCore(async session =>
                {
                    var service = ServiceFor(session);
                    foreach (var category in Category)
                    {
                        try
                        {
                            await WriteCategoryAsync(service, category, session).ConfigureAwait(false);
                        }
                        catch (Ec2OpsException error) when (PerPathErrors.Contains(error.ErrorId))
                        {
                            session.WriteError(error, category);
                        }
                    }
                });
                break;
            case ListCategorySet:
                WriteObject(Enum.GetNames<MetadataCategory>(), enumerateCollection: true);
                break;
            default:
                WriteObject(RunCore(session => ServiceFor(session).GetSummaryAsync(session.Cancellation)));
                break;
        }
    }

    // The client logs through the session so its verbose lines reach the pipeline thread.
    private InstanceMetadataService ServiceFor(CoreSession session) =>
        new(new ImdsClient(_settings!, log: session.Log), session.Log);

    private async Task WritePathAsync(InstanceMetadataService service, string path, CoreSession session)
    {
        if (Raw)
        {
            session.WriteObject(await service.GetRawAsync(path, session.Cancellation).ConfigureAwait(false));
        }
        else if (Recurse)
        {
            // A node that is listed but missing is an error for that node; the rest of the tree comes.
            var tree = await service.GetTreeAsync(path, InstanceMetadataService.DefaultMaxConcurrency, session.Cancellation, error => session.WriteError(error)).ConfigureAwait(false);
            session.WriteObject(MetadataTreeObject.From(tree));
        }
        else
        {
            foreach (var entry in await service.GetEntriesAsync(path, session.Cancellation).ConfigureAwait(false))
            {
                session.WriteObject(entry);
            }
        }
    }

    private async Task WriteCategoryAsync(InstanceMetadataService service, MetadataCategory category, CoreSession session)
    {
        var token = session.Cancellation;
        var (path, kind) = InstanceMetadataService.Describe(category);
        if (Raw)
        {
            session.WriteObject(await service.GetRawAsync(path, token).ConfigureAwait(false));
            return;
        }

        switch (kind)
        {
            case MetadataCategoryKind.Value:
            case MetadataCategoryKind.Lines:
                WriteAll(session, await service.GetCategoryTextAsync(category, token).ConfigureAwait(false));
                return;
            case MetadataCategoryKind.Tree:
                var tree = await service.GetTreeAsync(path, InstanceMetadataService.DefaultMaxConcurrency, token, error => session.WriteError(error)).ConfigureAwait(false);
                session.WriteObject(MetadataTreeObject.From(tree));
                return;
        }

        switch (category)
        {
            case MetadataCategory.IdentityDocument:
                session.WriteObject(await service.GetIdentityDocumentAsync(token).ConfigureAwait(false));
                break;
            case MetadataCategory.UserData:
                session.Verbose("User data often holds secrets (passwords, keys); it is written to the pipeline as you asked.");
                session.WriteObject(await service.GetUserDataAsync(token).ConfigureAwait(false));
                break;
            case MetadataCategory.Tags:
                WriteAll(session, await service.GetTagsAsync(token).ConfigureAwait(false));
                break;
            case MetadataCategory.SpotInstanceAction:
                if (await service.GetSpotInstanceActionAsync(token).ConfigureAwait(false) is { } action)
                {
                    session.WriteObject(action);
                }

                break;
            case MetadataCategory.ScheduledEvents:
                WriteAll(session, await service.GetScheduledEventsAsync(token).ConfigureAwait(false));
                break;
            case MetadataCategory.IamInfo:
                session.WriteObject(await service.GetIamInfoAsync(token).ConfigureAwait(false));
                break;
        }
    }

    private static void WriteAll(CoreSession session, IEnumerable items)
    {
        foreach (var item in items)
        {
            session.WriteObject(item);
        }
    }
}

/// <summary>Turns a metadata subtree into nested PSCustomObjects (folders) and strings (values).</summary>
internal static class MetadataTreeObject
{
    public static object? From(MetadataNode node)
    {
        if (!node.IsFolder)
        {
            return node.Value;
        }

        var result = new PSObject();
        foreach (var child in node.Children)
        {
            result.Properties.Add(new PSNoteProperty(child.Name, From(child)));
        }

        return result;
    }
}

/// <summary>
/// Tab completion of -Endpoint: the running emulator's, then the two addresses IMDS has on EC2
/// (IPv4, and IPv6 on Nitro).
/// </summary>
public sealed class ImdsEndpointCompleter : KnownValueCompleter
{
    protected override IEnumerable<string> Complete(string wordToComplete) =>
        Completion.StartingWith(KnownEndpoints(), wordToComplete);

    private static IEnumerable<string> KnownEndpoints()
    {
        if (Ec2Ops.Core.Emulator.EmulatorRegistry.Process.Current is { } emulator)
        {
            yield return emulator.ImdsEndpoint.ToString();
        }

        yield return ImdsSettings.DefaultIPv4Endpoint.ToString();
        yield return ImdsSettings.DefaultIPv6Endpoint.ToString();
    }
}

/// <summary>Tab completion of well-known metadata paths.</summary>
public sealed class MetadataPathCompleter : KnownValueCompleter
{
    protected override IEnumerable<string> Complete(string wordToComplete) => KnownMetadataPaths.Complete(wordToComplete);
}
