using System.Text.Json;

namespace Ec2Ops.Core.Metadata;

/// <summary>The well-known documents Get-InstanceMetadata -Category returns.</summary>
/// <summary>
/// What -Category reads: the categories of AWS Tools' Get-EC2InstanceMetadata (same names, same
/// order), then the typed documents only this module has.
/// </summary>
public enum MetadataCategory
{
    AmiId,
    LaunchIndex,
    ManifestPath,
    AncestorAmiId,
    BlockDeviceMapping,
    InstanceId,
    InstanceType,
    LocalHostname,
    LocalIpv4,
    KernelId,
    AvailabilityZone,
    ProductCode,
    PublicHostname,
    PublicIpv4,
    PublicKey,
    RamdiskId,
    Region,
    ReservationId,
    SecurityGroup,
    UserData,
    InstanceMonitoring,
    IdentityDocument,
    IdentitySignature,
    IdentityPkcs7,
    Tags,
    SpotInstanceAction,
    ScheduledEvents,
    IamInfo,
}

/// <summary>How a category's answer is shaped.</summary>
public enum MetadataCategoryKind
{
    /// <summary>One string (instance-id).</summary>
    Value,

    /// <summary>One string per line (security-groups).</summary>
    Lines,

    /// <summary>A folder, read as a nested object (block-device-mapping/).</summary>
    Tree,

    /// <summary>A document with its own typed reader (identity document, tags, events).</summary>
    Typed,
}

/// <summary>
/// Answers the questions Get-InstanceMetadata asks of IMDS: the instance summary, any path, a
/// subtree, and the well-known documents, typed. Never emits IAM credentials unless their path is
/// asked for explicitly, and never logs values.
/// </summary>
public sealed class InstanceMetadataService
{
    /// <summary>How many IMDS requests a recursive walk keeps in flight.</summary>
    public const int DefaultMaxConcurrency = 8;

    private const string CredentialsFolder = ImdsPath.MetaData + "iam/security-credentials/";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private readonly ImdsClient _client;
    private readonly IOperationLog _log;

    public InstanceMetadataService(ImdsClient client, IOperationLog? log = null)
    {
        _client = client;
        _log = log ?? NullOperationLog.Instance;
    }

    public ImdsClient Client => _client;

    /// <summary>
    /// The instance at a glance. Values that do not exist here (no public IP, no role) are null;
    /// each value is read from its own path, with the identity document as the fallback, so an
    /// IMDS that lacks one of them still gives a summary.
    /// </summary>
    public async Task<InstanceMetadata> GetSummaryAsync(CancellationToken cancellation = default)
    {
        // One request first, so the token is fetched once and the parallel reads below share it.
        var identityJson = await _client.TryGetTextAsync(ImdsPath.IdentityDocument, cancellation).ConfigureAwait(false);
        var identity = identityJson is null ? new InstanceIdentityDocument() : Parse<InstanceIdentityDocument>(identityJson, ImdsPath.IdentityDocument);

        Task<string?> Read(string relative) => _client.TryGetTextAsync(ImdsPath.MetaData + relative, cancellation);
        var reads = new[]
        {
            "instance-id", "instance-type", "placement/region", "placement/availability-zone", "ami-id", "hostname", "local-hostname",
            "public-hostname", "public-ipv4", "local-ipv4", "mac", "security-groups", "instance-life-cycle", "iam/security-credentials/", "iam/info",
        }.ToDictionary(p => p, Read);
        await Task.WhenAll(reads.Values).ConfigureAwait(false);
        string? Value(string relative) => reads[relative].Result?.Trim() is { Length: > 0 } v ? v : null;

        var instanceId = Value("instance-id") ?? identity.InstanceId ?? throw new Ec2OpsException(
            "ImdsPathNotFound",
            Ec2OpsErrorCategory.ObjectNotFound,
            $"IMDS at {_client.Settings.Endpoint} has neither /latest/meta-data/instance-id nor an identity document: it does not describe an instance.",
            ImdsPath.MetaData + "instance-id");
        var profile = Value("iam/info") is { } infoJson ? Parse<IamInfo>(infoJson, "iam/info") : null;
        return new InstanceMetadata
        {
            InstanceId = instanceId,
            InstanceType = Value("instance-type") ?? identity.InstanceType,
            Region = Value("placement/region") ?? identity.Region,
            AvailabilityZone = Value("placement/availability-zone") ?? identity.AvailabilityZone,
            AccountId = identity.AccountId,
            ImageId = Value("ami-id") ?? identity.ImageId,
            Architecture = identity.Architecture,
            PendingTime = identity.PendingTime,
            PrivateIpAddress = Value("local-ipv4") ?? identity.PrivateIp,
            PublicIpAddress = Value("public-ipv4"),
            Hostname = Value("hostname"),
            PrivateDnsName = Value("local-hostname"),
            PublicDnsName = Value("public-hostname"),
            MacAddress = Value("mac"),
            SecurityGroups = ValueList.FromLines(Value("security-groups")),
            InstanceLifecycle = Value("instance-life-cycle"),
            IamRoleName = ValueList.FromLines(Value("iam/security-credentials/")).FirstOrDefault()?.TrimEnd('/'),
            IamInstanceProfileArn = profile?.InstanceProfileArn,
            ImdsVersion = _client.ProtocolVersion,
        };
    }

    /// <summary>
    /// A path as entries: a value gives one entry; a folder gives one entry per child, in listing order.
    /// </summary>
    public async Task<IReadOnlyList<MetadataEntry>> GetEntriesAsync(string path, CancellationToken cancellation = default)
    {
        var absolute = ImdsPath.Normalize(path);
        var text = await _client.GetTextAsync(absolute, cancellation).ConfigureAwait(false);
        if (!ImdsPath.IsFolder(absolute))
        {
            return new[] { new MetadataEntry { Path = absolute, Name = ImdsPath.NameOf(absolute), Value = text } };
        }

        return ImdsPath.ChildPaths(absolute, text)
            .Select(child => new MetadataEntry { Path = child, Name = ImdsPath.NameOf(child), IsFolder = ImdsPath.IsFolder(child) })
            .ToList();
    }

    /// <summary>Exactly the text IMDS sent for a path.</summary>
    public Task<string> GetRawAsync(string path, CancellationToken cancellation = default) =>
        _client.GetTextAsync(ImdsPath.Normalize(path), cancellation);

    /// <summary>The most requests one walk makes. A real IMDS tree is about 100 paths.</summary>
    public const int MaxTreeRequests = 1000;

    /// <summary>The deepest path a walk follows, in segments under /latest/ (real ones go 7 deep).</summary>
    public const int MaxTreeDepth = 12;

    /// <summary>
    /// The subtree under a path, fetched with at most <paramref name="maxConcurrency"/> requests in
    /// flight. Credential documents under iam/security-credentials/ are left out unless the walk
    /// starts at one of them. The listings are checked (<see cref="ImdsPath.ChildPaths"/>) and the walk
    /// is capped at <see cref="MaxTreeRequests"/> requests and <see cref="MaxTreeDepth"/> levels, so a
    /// broken or hostile server cannot keep it going. A listed child that answers 404, or a listed
    /// folder that answers an empty listing, is an error for that node, given to
    /// <paramref name="nodeError"/> (default: thrown); the walk goes on without it. user-data is the
    /// exception: IMDS lists it even when there is none.
    /// </summary>
    public async Task<MetadataNode> GetTreeAsync(string path, int maxConcurrency = DefaultMaxConcurrency, CancellationToken cancellation = default, Action<Ec2OpsException>? nodeError = null)
    {
        if (maxConcurrency < 1)
        {
            throw new Ec2OpsException("ImdsInvalidSetting", Ec2OpsErrorCategory.InvalidArgument, $"The concurrency is {maxConcurrency}, but it must be at least 1.", maxConcurrency);
        }

        var absolute = ImdsPath.Normalize(path);
        using var gate = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var walk = new Walk(absolute, gate, nodeError ?? (error => throw error));
        return await WalkAsync(absolute, walk, startedHere: true, cancellation).ConfigureAwait(false)
            ?? new MetadataNode { Path = absolute, Name = ImdsPath.NameOf(absolute), IsFolder = ImdsPath.IsFolder(absolute) };
    }

    private async Task<MetadataNode?> WalkAsync(string absolute, Walk walk, bool startedHere, CancellationToken cancellation)
    {
        var name = ImdsPath.NameOf(absolute);
        if (!startedHere && !ImdsPath.IsFolder(absolute) && absolute.StartsWith(CredentialsFolder, StringComparison.Ordinal))
        {
            _log.Verbose($"Left out {absolute}: IAM credentials are returned only when their path is asked for explicitly.");
            return new MetadataNode { Path = absolute, Name = name };
        }

        walk.Count(absolute);
        string? text;
        await walk.Gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            text = startedHere
                ? await _client.GetTextAsync(absolute, cancellation).ConfigureAwait(false)
                : await _client.TryGetTextAsync(absolute, cancellation).ConfigureAwait(false);
        }
        finally
        {
            walk.Gate.Release();
        }

        if (text is null)
        {
            if (absolute == ImdsPath.UserData)
            {
                _log.Verbose($"{absolute} is listed but answered 404: the instance has no user data.");
                return null;
            }

            walk.NodeError(new Ec2OpsException(
                "ImdsListedPathMissing",
                Ec2OpsErrorCategory.ObjectNotFound,
                $"{absolute} is listed by its folder but answered 404; it is left out of the tree.",
                absolute));
            return null;
        }

        if (!ImdsPath.IsFolder(absolute))
        {
            return new MetadataNode { Path = absolute, Name = name, Value = text };
        }

        if (text.Trim().Length == 0)
        {
            // No real IMDS folder lists nothing; an empty 200 here is a broken reply, not an empty folder.
            walk.NodeError(new Ec2OpsException(
                "ImdsEmptyListing",
                Ec2OpsErrorCategory.InvalidData,
                $"The folder {absolute} answered an empty listing, which IMDS never sends for a folder; it is left out of the tree.",
                absolute));
            return null;
        }

        var children = await Task.WhenAll(ImdsPath.ChildPaths(absolute, text)
            .Select(child => WalkAsync(child, walk, startedHere: false, cancellation))).ConfigureAwait(false);
        return new MetadataNode { Path = absolute, Name = name, IsFolder = true, Children = children.OfType<MetadataNode>().ToList() };
    }

    /// <summary>The state one walk shares across its requests: the gate, the caps, where node errors go.</summary>
    private sealed class Walk(string start, SemaphoreSlim gate, Action<Ec2OpsException> nodeError)
    {
        private readonly object _errorGate = new();
        private int _requests;

        public SemaphoreSlim Gate { get; } = gate;

        public void NodeError(Ec2OpsException error)
        {
            lock (_errorGate)
            {
                nodeError(error);
            }
        }

        /// <summary>Counts one request to <paramref name="path"/>, or stops the walk past a cap.</summary>
        public void Count(string path)
        {
            int depth = path.Trim('/').Split('/').Length - 1;
            if (depth > MaxTreeDepth)
            {
                throw new Ec2OpsException(
                    "ImdsTreeTooDeep",
                    Ec2OpsErrorCategory.LimitsExceeded,
                    $"The walk of {start} reached {path}, {depth} levels under /latest/; it stops at {MaxTreeDepth} levels (real IMDS paths go 7 deep), so the service's listings look broken.",
                    path);
            }

            if (Interlocked.Increment(ref _requests) > MaxTreeRequests)
            {
                throw new Ec2OpsException(
                    "ImdsTreeTooLarge",
                    Ec2OpsErrorCategory.LimitsExceeded,
                    $"The walk of {start} stopped after {MaxTreeRequests:N0} requests, at {path}: a real IMDS tree is about 100 paths, so the service's listings look broken.",
                    path)
                {
                    RecommendedAction = "Walk a smaller folder with -Path <folder>/ -Recurse, or read single paths.",
                };
            }
        }
    }

    public async Task<InstanceIdentityDocument> GetIdentityDocumentAsync(CancellationToken cancellation = default) =>
        Parse<InstanceIdentityDocument>(await _client.GetTextAsync(ImdsPath.IdentityDocument, cancellation).ConfigureAwait(false), ImdsPath.IdentityDocument);

    public async Task<string> GetUserDataAsync(CancellationToken cancellation = default) =>
        await _client.TryGetTextAsync(ImdsPath.UserData, cancellation).ConfigureAwait(false)
        ?? throw new Ec2OpsException(
            "ImdsNoUserData",
            Ec2OpsErrorCategory.ObjectNotFound,
            "This instance has no user data (404 from /latest/user-data).",
            ImdsPath.UserData);

    /// <summary>The instance's tags, in the order IMDS lists them.</summary>
    public async Task<IReadOnlyList<InstanceTag>> GetTagsAsync(CancellationToken cancellation = default)
    {
        const string folder = ImdsPath.MetaData + "tags/instance/";
        var listing = await _client.TryGetTextAsync(folder, cancellation).ConfigureAwait(false)
            ?? throw new Ec2OpsException(
                "ImdsTagsNotExposed",
                Ec2OpsErrorCategory.ObjectNotFound,
                "This instance does not expose its tags to the metadata service (404 from /latest/meta-data/tags/instance/).",
                folder)
            {
                RecommendedAction = "Allow tags in instance metadata: aws ec2 modify-instance-metadata-options --instance-id <id> --instance-metadata-tags enabled.",
            };

        var keys = ValueList.FromLines(listing);
        var values = await Task.WhenAll(keys.Select(k => _client.GetTextAsync(folder + k, cancellation))).ConfigureAwait(false);
        return keys.Select((k, i) => new InstanceTag(k, values[i])).ToList();
    }

    /// <summary>The spot interruption notice, or null when none is scheduled (IMDS answers 404 then).</summary>
    public async Task<SpotInstanceAction?> GetSpotInstanceActionAsync(CancellationToken cancellation = default)
    {
        const string path = ImdsPath.MetaData + "spot/instance-action";
        var json = await _client.TryGetTextAsync(path, cancellation).ConfigureAwait(false);
        if (json is null)
        {
            _log.Verbose("No spot interruption notice: spot/instance-action does not exist (not a spot instance, or no interruption scheduled).");
            return null;
        }

        return Parse<SpotInstanceAction>(json, path);
    }

    public async Task<IReadOnlyList<ScheduledEvent>> GetScheduledEventsAsync(CancellationToken cancellation = default)
    {
        const string path = ImdsPath.MetaData + "events/maintenance/scheduled";
        var json = await _client.TryGetTextAsync(path, cancellation).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(json) ? Array.Empty<ScheduledEvent>() : Parse<ScheduledEvent[]>(json, path);
    }

    public async Task<IamInfo> GetIamInfoAsync(CancellationToken cancellation = default)
    {
        const string path = ImdsPath.MetaData + "iam/info";
        var infoTask = _client.TryGetTextAsync(path, cancellation);
        var rolesTask = _client.TryGetTextAsync(CredentialsFolder, cancellation);
        var json = await infoTask.ConfigureAwait(false) ?? throw new Ec2OpsException(
            "ImdsNoIamRole",
            Ec2OpsErrorCategory.ObjectNotFound,
            "No IAM instance profile is attached to this instance (404 from /latest/meta-data/iam/info).",
            path);
        var info = Parse<IamInfo>(json, path);
        var role = ValueList.FromLines(await rolesTask.ConfigureAwait(false)).FirstOrDefault()?.TrimEnd('/');
        return new IamInfo
        {
            Code = info.Code,
            LastUpdated = info.LastUpdated,
            InstanceProfileArn = info.InstanceProfileArn,
            InstanceProfileId = info.InstanceProfileId,
            RoleName = role,
        };
    }

    /// <summary>The path a category reads.</summary>
    public static string PathOf(MetadataCategory category) => Describe(category).Path;

    /// <summary>The path a category reads and the shape of its answer.</summary>
    public static (string Path, MetadataCategoryKind Kind) Describe(MetadataCategory category) => category switch
    {
        MetadataCategory.AmiId => (ImdsPath.MetaData + "ami-id", MetadataCategoryKind.Value),
        MetadataCategory.LaunchIndex => (ImdsPath.MetaData + "ami-launch-index", MetadataCategoryKind.Value),
        MetadataCategory.ManifestPath => (ImdsPath.MetaData + "ami-manifest-path", MetadataCategoryKind.Value),
        MetadataCategory.AncestorAmiId => (ImdsPath.MetaData + "ancestor-ami-ids", MetadataCategoryKind.Lines),
        MetadataCategory.BlockDeviceMapping => (ImdsPath.MetaData + "block-device-mapping/", MetadataCategoryKind.Tree),
        MetadataCategory.InstanceId => (ImdsPath.MetaData + "instance-id", MetadataCategoryKind.Value),
        MetadataCategory.InstanceType => (ImdsPath.MetaData + "instance-type", MetadataCategoryKind.Value),
        MetadataCategory.LocalHostname => (ImdsPath.MetaData + "local-hostname", MetadataCategoryKind.Value),
        MetadataCategory.LocalIpv4 => (ImdsPath.MetaData + "local-ipv4", MetadataCategoryKind.Value),
        MetadataCategory.KernelId => (ImdsPath.MetaData + "kernel-id", MetadataCategoryKind.Value),
        MetadataCategory.AvailabilityZone => (ImdsPath.MetaData + "placement/availability-zone", MetadataCategoryKind.Value),
        MetadataCategory.ProductCode => (ImdsPath.MetaData + "product-codes", MetadataCategoryKind.Lines),
        MetadataCategory.PublicHostname => (ImdsPath.MetaData + "public-hostname", MetadataCategoryKind.Value),
        MetadataCategory.PublicIpv4 => (ImdsPath.MetaData + "public-ipv4", MetadataCategoryKind.Value),
        MetadataCategory.PublicKey => (ImdsPath.MetaData + "public-keys/0/openssh-key", MetadataCategoryKind.Value),
        MetadataCategory.RamdiskId => (ImdsPath.MetaData + "ramdisk-id", MetadataCategoryKind.Value),
        MetadataCategory.Region => (ImdsPath.MetaData + "placement/region", MetadataCategoryKind.Value),
        MetadataCategory.ReservationId => (ImdsPath.MetaData + "reservation-id", MetadataCategoryKind.Value),
        MetadataCategory.SecurityGroup => (ImdsPath.MetaData + "security-groups", MetadataCategoryKind.Lines),
        MetadataCategory.UserData => (ImdsPath.UserData, MetadataCategoryKind.Typed),
        MetadataCategory.InstanceMonitoring => (ImdsPath.Dynamic + "fws/instance-monitoring", MetadataCategoryKind.Value),
        MetadataCategory.IdentityDocument => (ImdsPath.IdentityDocument, MetadataCategoryKind.Typed),
        MetadataCategory.IdentitySignature => (ImdsPath.Dynamic + "instance-identity/signature", MetadataCategoryKind.Value),
        MetadataCategory.IdentityPkcs7 => (ImdsPath.Dynamic + "instance-identity/pkcs7", MetadataCategoryKind.Value),
        MetadataCategory.Tags => (ImdsPath.MetaData + "tags/instance/", MetadataCategoryKind.Typed),
        MetadataCategory.SpotInstanceAction => (ImdsPath.MetaData + "spot/instance-action", MetadataCategoryKind.Typed),
        MetadataCategory.ScheduledEvents => (ImdsPath.MetaData + "events/maintenance/scheduled", MetadataCategoryKind.Typed),
        MetadataCategory.IamInfo => (ImdsPath.MetaData + "iam/info", MetadataCategoryKind.Typed),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    /// <summary>
    /// A Value or Lines category: its text as one string, or one string per non-empty line. A category
    /// the instance does not have (no kernel on Nitro, no public IP, no product codes) is an answer,
    /// not an error: nothing, and a verbose line that says so.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetCategoryTextAsync(MetadataCategory category, CancellationToken cancellation = default)
    {
        var (path, kind) = Describe(category);
        var text = await _client.TryGetTextAsync(path, cancellation).ConfigureAwait(false);
        if (text is null)
        {
            _log.Verbose($"{category}: this instance has none ({path} does not exist).");
            return Array.Empty<string>();
        }

        return kind == MetadataCategoryKind.Lines ? ValueList.FromLines(text) : new[] { text };
    }

    private static T Parse<T>(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException("the document is null");
        }
        catch (JsonException failure)
        {
            throw new Ec2OpsException(
                "ImdsInvalidDocument",
                Ec2OpsErrorCategory.InvalidData,
                $"IMDS returned a document at {path} that is not the JSON expected: {failure.Message}",
                path,
                failure);
        }
    }
}
