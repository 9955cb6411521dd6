namespace Ec2Ops.Core.Metadata;

/// <summary>
/// The well-known IMDS paths (EC2 User Guide, "Instance metadata categories"), for tab completion
/// and to recognise a folder typed without its trailing slash. Never used to decide what exists:
/// the service answers that.
/// </summary>
public static class KnownMetadataPaths
{
    /// <summary>Paths relative to /latest/meta-data/; folders end with a slash.</summary>
    public static readonly IReadOnlyList<string> MetaData = new[]
    {
        "ami-id", "ami-launch-index", "ami-manifest-path", "ancestor-ami-ids", "autoscaling/", "autoscaling/target-lifecycle-state",
        "block-device-mapping/", "block-device-mapping/ami", "block-device-mapping/ebs0", "block-device-mapping/ephemeral0",
        "block-device-mapping/root", "block-device-mapping/swap", "elastic-gpus/", "elastic-inference/", "events/",
        "events/maintenance/", "events/maintenance/history", "events/maintenance/scheduled", "events/recommendations/",
        "events/recommendations/rebalance", "hostname", "iam/", "iam/info", "iam/security-credentials/", "identity-credentials/",
        "instance-action", "instance-id", "instance-life-cycle", "instance-type", "ipv6", "kernel-id", "local-hostname",
        "local-ipv4", "mac", "metrics/", "metrics/vhostmd", "network/", "network/interfaces/", "network/interfaces/macs/",
        "placement/", "placement/availability-zone", "placement/availability-zone-id", "placement/group-name",
        "placement/host-id", "placement/partition-number", "placement/region", "product-codes", "public-hostname",
        "public-ipv4", "public-keys/", "ramdisk-id", "reservation-id", "security-groups", "services/", "services/domain",
        "services/partition", "spot/", "spot/instance-action", "spot/termination-time", "system", "tags/", "tags/instance/",
    };

    /// <summary>Absolute paths outside meta-data.</summary>
    public static readonly IReadOnlyList<string> Other = new[]
    {
        "/latest/dynamic/", "/latest/dynamic/instance-identity/", "/latest/dynamic/instance-identity/document",
        "/latest/dynamic/instance-identity/pkcs7", "/latest/dynamic/instance-identity/signature",
        "/latest/dynamic/instance-identity/rsa2048", "/latest/user-data", "/latest/meta-data/",
    };

    private static readonly HashSet<string> Folders = MetaData.Where(p => p.EndsWith('/')).Select(p => ImdsPath.MetaData + p.TrimEnd('/'))
        .Concat(Other.Where(p => p.EndsWith('/')).Select(p => p.TrimEnd('/')))
        .Append("/latest")
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>True when the absolute path (without trailing slash) is a well-known folder.</summary>
    public static bool IsFolder(string absolutePath) => Folders.Contains(absolutePath.TrimEnd('/'));

    /// <summary>Known paths that start with what the user typed so far (meta-data paths relative, others absolute).</summary>
    public static IEnumerable<string> Complete(string? typed) => Completion.StartingWith(MetaData.Concat(Other), typed);
}
