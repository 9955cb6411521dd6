using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Emulator;

/// <summary>How to start an <see cref="Ec2OpsEmulator"/>: the port and the instance it pretends to be.</summary>
public sealed partial class EmulatorOptions
{
    private string? _availabilityZone;

    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The emulated instance type; a burstable <c>t3.micro</c> by default.</summary>
    public string InstanceType { get; set; } = "t3.micro";

    /// <summary>The emulated region.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The emulated availability zone; by default the region's "a" zone.</summary>
    public string AvailabilityZone
    {
        get => _availabilityZone ?? Region + "a";
        set => _availabilityZone = value;
    }

    /// <summary>IMDSv2 required (HttpTokens=required, the default); false also serves tokenless v1 GETs.</summary>
    public bool RequireImdsV2 { get; set; } = true;

    public string InstanceId { get; set; } = "i-0a1b2c3d4e5f67890";

    /// <summary>The 12-digit account that owns the instance (identity document, IAM ARN, interface owner).</summary>
    public string AccountId { get; set; } = "515336597381";

    public string ImageId { get; set; } = "ami-0a887e401f7654935";

    /// <summary>The user data served at <c>/latest/user-data</c>; null serves 404 as an instance launched without any.</summary>
    public string? UserData { get; set; } = "#!/bin/bash\n# Ec2Ops emulator: example user data\ndnf -y install amazon-cloudwatch-agent\n";

    /// <summary>Instance tags exposed under <c>meta-data/tags/instance/</c>; empty (or null) hides the folder.</summary>
    public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Name"] = "ec2ops-demo",
        ["Environment"] = "dev",
    };

    /// <summary>The instance profile role; null means no role (no <c>meta-data/iam/</c>).</summary>
    public string? IamRoleName { get; set; } = "ec2ops-demo-role";

    /// <summary>
    /// The clock tokens expire by and the tree's times come from; the system clock by default. Internal:
    /// only tests replace it, and a public clock object would export as a type name.
    /// </summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// 0 (the default) serves the default scenario to EC2 and CloudWatch: the emulated instance and six
    /// more. N &gt; 0 serves a fleet of N running burstable instances instead (the emulated one first), for benchmarks.
    /// </summary>
    public int FleetSize { get; set; }

    /// <summary>At most this many requests are kept in <see cref="Ec2OpsEmulator.Requests"/> (oldest dropped).</summary>
    public int RequestLogCapacity { get; set; } = 10_000;

    /// <summary>What a CSV cell or a string shows: the instance it pretends to be.</summary>
    public override string ToString() =>
        $"{InstanceId} {InstanceType} in {AvailabilityZone}, IMDSv2 {(RequireImdsV2 ? "required" : "optional")}, port {(Port == 0 ? "any" : Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    /// <summary>Instance types offered by tab completion: the burstable families whose credits the module reports.</summary>
    public static IReadOnlyList<string> SuggestedInstanceTypes { get; } =
        new[] { "t2", "t3", "t3a", "t4g" }
            .SelectMany(f => new[] { "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge" }.Select(s => $"{f}.{s}"))
            .ToArray();

    /// <summary>Regions offered by tab completion (any well-formed region is accepted).</summary>
    public static IReadOnlyList<string> SuggestedRegions { get; } = new[]
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
        "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-east-1", "me-south-1", "af-south-1",
    };

    /// <summary>A copy, so a running emulator's settings cannot change under it.</summary>
    public EmulatorOptions Clone()
    {
        var copy = (EmulatorOptions)MemberwiseClone();
        copy.Tags = Tags is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(Tags, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>Checks every setting and throws an <see cref="Ec2OpsException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw Invalid("EmulatorInvalidPort", nameof(Port), Port, "must be 0 (any free port) or 1..65535");
        }

        if (InstanceType is null || !InstanceTypePattern().IsMatch(InstanceType))
        {
            throw Invalid("EmulatorInvalidInstanceType", nameof(InstanceType), InstanceType, "must look like 'family.size', e.g. 't3.micro'");
        }

        if (Region is null || !RegionPattern().IsMatch(Region))
        {
            throw Invalid("EmulatorInvalidRegion", nameof(Region), Region, "must look like 'us-east-1'");
        }

        string az = AvailabilityZone;
        if (az is null || !az.StartsWith(Region, StringComparison.Ordinal) || !AzSuffixPattern().IsMatch(az.Substring(Region.Length)))
        {
            throw Invalid("EmulatorInvalidAvailabilityZone", nameof(AvailabilityZone), az, $"must be a zone of region '{Region}', e.g. '{Region}a'");
        }

        if (InstanceId is null || !InstanceIdPattern().IsMatch(InstanceId))
        {
            throw Invalid("EmulatorInvalidInstanceId", nameof(InstanceId), InstanceId, "must look like 'i-0a1b2c3d4e5f67890'");
        }

        if (AccountId is null || !AccountIdPattern().IsMatch(AccountId))
        {
            throw Invalid("EmulatorInvalidAccountId", nameof(AccountId), AccountId, "must be 12 digits");
        }

        if (ImageId is null || !ImageIdPattern().IsMatch(ImageId))
        {
            throw Invalid("EmulatorInvalidImageId", nameof(ImageId), ImageId, "must look like 'ami-0a887e401f7654935'");
        }

        foreach (var tag in Tags ?? new Dictionary<string, string>())
        {
            // IMDS only exposes tag keys without spaces or '/', and refuses to turn on tags otherwise.
            if (string.IsNullOrEmpty(tag.Key) || !TagKeyPattern().IsMatch(tag.Key) || tag.Key is "." or "..")
            {
                throw Invalid("EmulatorInvalidTagKey", nameof(Tags), tag.Key, "as an instance tag exposed to IMDS may only hold letters, digits and + - = . , _ : @ (no spaces, no '/')");
            }

            if (tag.Value is null)
            {
                throw Invalid("EmulatorInvalidTagValue", nameof(Tags), tag.Key, "has a null value; use an empty string");
            }
        }

        if (IamRoleName is not null && !RoleNamePattern().IsMatch(IamRoleName))
        {
            throw Invalid("EmulatorInvalidIamRoleName", nameof(IamRoleName), IamRoleName, "must be 1..64 characters of letters, digits and + = , . @ _ -");
        }

        if (FleetSize is < 0 or > 100_000)
        {
            throw Invalid("EmulatorInvalidFleetSize", nameof(FleetSize), FleetSize, "must be 0 (the default scenario) or 1..100000");
        }

        if (RequestLogCapacity < 0)
        {
            throw Invalid("EmulatorInvalidRequestLogCapacity", nameof(RequestLogCapacity), RequestLogCapacity, "cannot be negative");
        }

        if (TimeProvider is null)
        {
            throw Invalid("EmulatorInvalidTimeProvider", nameof(TimeProvider), null, "cannot be null");
        }
    }

    private static Ec2OpsException Invalid(string errorId, string property, object? value, string rule) =>
        new(errorId, Ec2OpsErrorCategory.InvalidArgument, $"Emulator option {property} = '{value}' is not valid: it {rule}.", value);

    [GeneratedRegex(@"^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+$")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^([a-z]|-[a-z0-9]+-[0-9]+[a-z]?)$")]
    private static partial Regex AzSuffixPattern();

    [GeneratedRegex(@"^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex(@"^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex ImageIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9+\-=._:@,]{1,128}$")]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9+=,.@_-]{1,64}$")]
    private static partial Regex RoleNamePattern();
}
