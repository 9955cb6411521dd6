using System.Text.Json.Serialization;

namespace Ec2Ops.Core.Metadata;

/// <summary>The instance at a glance: what Get-InstanceMetadata returns without arguments.</summary>
public sealed class InstanceMetadata
{
    public required string InstanceId { get; init; }

    public string? InstanceType { get; init; }

    public string? Region { get; init; }

    public string? AvailabilityZone { get; init; }

    public string? AccountId { get; init; }

    public string? ImageId { get; init; }

    public string? PrivateIpAddress { get; init; }

    public string? PublicIpAddress { get; init; }

    public string? Hostname { get; init; }

    public string? PrivateDnsName { get; init; }

    public string? PublicDnsName { get; init; }

    public string? MacAddress { get; init; }

    public ValueList SecurityGroups { get; init; } = ValueList.Empty;

    public string? IamRoleName { get; init; }

    public string? IamInstanceProfileArn { get; init; }

    /// <summary>on-demand, spot or scheduled.</summary>
    public string? InstanceLifecycle { get; init; }

    public string? Architecture { get; init; }

    public DateTimeOffset? PendingTime { get; init; }

    /// <summary>2 when session tokens were used, 1 after an IMDSv1 fallback.</summary>
    public int ImdsVersion { get; init; }

    public override string ToString() => InstanceId;
}

/// <summary>One path of the metadata tree: a value, or a folder (listed with a trailing slash).</summary>
public sealed class MetadataEntry
{
    /// <summary>The absolute IMDS path, e.g. /latest/meta-data/placement/region.</summary>
    public required string Path { get; init; }

    /// <summary>The last segment of the path.</summary>
    public required string Name { get; init; }

    public bool IsFolder { get; init; }

    /// <summary>The text IMDS returned; null for a folder (ask for the folder to list it).</summary>
    public string? Value { get; init; }

    public override string ToString() => Value ?? Path;
}

/// <summary>A folder or value of a recursively fetched subtree, children in listing order.</summary>
public sealed class MetadataNode
{
    public required string Path { get; init; }

    public required string Name { get; init; }

    /// <summary>The value of a leaf; null for a folder, and for a credential document left out of a recursive walk.</summary>
    public string? Value { get; init; }

    public IReadOnlyList<MetadataNode> Children { get; init; } = Array.Empty<MetadataNode>();

    public bool IsFolder { get; init; }
}

/// <summary>The JSON of /latest/dynamic/instance-identity/document.</summary>
public sealed class InstanceIdentityDocument
{
    [JsonPropertyName("accountId")]
    public string? AccountId { get; init; }

    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    [JsonPropertyName("availabilityZone")]
    public string? AvailabilityZone { get; init; }

    [JsonPropertyName("billingProducts")]
    public ValueList? BillingProducts { get; init; }

    [JsonPropertyName("devpayProductCodes")]
    public ValueList? DevpayProductCodes { get; init; }

    [JsonPropertyName("marketplaceProductCodes")]
    public ValueList? MarketplaceProductCodes { get; init; }

    [JsonPropertyName("imageId")]
    public string? ImageId { get; init; }

    [JsonPropertyName("instanceId")]
    public string? InstanceId { get; init; }

    [JsonPropertyName("instanceType")]
    public string? InstanceType { get; init; }

    [JsonPropertyName("kernelId")]
    public string? KernelId { get; init; }

    [JsonPropertyName("pendingTime")]
    public DateTimeOffset? PendingTime { get; init; }

    [JsonPropertyName("privateIp")]
    public string? PrivateIp { get; init; }

    [JsonPropertyName("ramdiskId")]
    public string? RamdiskId { get; init; }

    [JsonPropertyName("region")]
    public string? Region { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }
}

/// <summary>An instance tag, when the instance exposes its tags to IMDS.</summary>
public sealed record InstanceTag(string Key, string Value);

/// <summary>The spot interruption notice (spot/instance-action).</summary>
public sealed class SpotInstanceAction
{
    /// <summary>stop, terminate or hibernate.</summary>
    [JsonPropertyName("action")]
    public string? Action { get; init; }

    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; init; }
}

/// <summary>A scheduled maintenance event (events/maintenance/scheduled).</summary>
public sealed class ScheduledEvent
{
    [JsonPropertyName("Code")]
    public string? Code { get; init; }

    [JsonPropertyName("Description")]
    public string? Description { get; init; }

    [JsonPropertyName("EventId")]
    public string? EventId { get; init; }

    [JsonPropertyName("State")]
    public string? State { get; init; }

    [JsonPropertyName("NotBefore")]
    [JsonConverter(typeof(ImdsEventTimeConverter))]
    public DateTimeOffset? NotBefore { get; init; }

    [JsonPropertyName("NotAfter")]
    [JsonConverter(typeof(ImdsEventTimeConverter))]
    public DateTimeOffset? NotAfter { get; init; }

    [JsonPropertyName("NotBeforeDeadline")]
    [JsonConverter(typeof(ImdsEventTimeConverter))]
    public DateTimeOffset? NotBeforeDeadline { get; init; }
}

/// <summary>The instance profile (iam/info) and the role whose credentials it serves.</summary>
public sealed class IamInfo
{
    [JsonPropertyName("Code")]
    public string? Code { get; init; }

    [JsonPropertyName("LastUpdated")]
    public DateTimeOffset? LastUpdated { get; init; }

    [JsonPropertyName("InstanceProfileArn")]
    public string? InstanceProfileArn { get; init; }

    [JsonPropertyName("InstanceProfileId")]
    public string? InstanceProfileId { get; init; }

    /// <summary>From iam/security-credentials/ (not part of the iam/info document).</summary>
    [JsonIgnore]
    public string? RoleName { get; init; }
}
