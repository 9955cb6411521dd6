using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Emulator;

/// <summary>
/// The default metadata of the emulated instance, based on amazon-ec2-metadata-mock's default data
/// (shared/reference/imds) with its inconsistencies corrected: one instance type, region, zone,
/// account, AMI and private IP everywhere (placement, identity document, hostnames, IAM ARN,
/// interface), credentials that expire in the future, tags exposed, no scheduled events, no spot
/// notice, and nothing a Nitro t3 does not have (kernel/ramdisk ids, instance store, elastic inference).
/// </summary>
public static partial class ImdsDefaultTree
{
    public const string Mac = "0e:49:61:0f:c3:11";
    public const string PrivateIp = "172.16.34.43";
    public const string PublicIp = "192.0.2.54";
    public const string InterfaceId = "eni-0f95d3625f5c521cc";
    public const string SubnetId = "subnet-0ac62554d3e1f9a27";
    public const string VpcId = "vpc-0d295a6a7b1c4e8f3";
    public const string KeyName = "ec2ops-demo-key";
    public static readonly IReadOnlyList<string> SecurityGroups = new[] { "launch-wizard-1", "default" };
    public static readonly IReadOnlyList<string> SecurityGroupIds = new[] { "sg-0b07f8f6cb485d4df", "sg-0e4a5c8d2b1f37a96" };

    private const string PublicKey =
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC/JxGByvHDHgQAU+0nRFWdvMPi22OgNUn9ansrI8QN1ZJGxD1ML8DRnJ3Q3zFKqqjGucfNWW0xpVib+ttkIBp8G9P/EOcX9C3FF63O3SnnIUHJsp5faRAZsTJPx0G5HUbvhBvnAcCtSqQgmr02c1l582vAWx48pOmeXXMkl9qe9V/s7K3utmeZkRLo9DqnbsDlg5GWxLC/rWKYaZR66CnMEyZ7yBy3v3abKaGGRovLkHNAgWjSSgmUTI1nT5/S2OLxxuDnsC7+BiABLPaqlIE70SzcWZ0swx68Bo2AY9T9ymGqeAM/1T4yRtg0sPB98TpT7WrY5A3iia2UVtLO/xcTt " + KeyName;

    // The reference's signature blobs: opaque base64 that no client here verifies.
    private const string Pkcs7 =
        "TESTCSqGSIb3DQEHZqCZPIZCZQExCzZJGgUrDgPCGgUZPIZGCSqGSIb3DQEHZaCZJIZEggHderog\nICJhY2NvdW50SWQiIDogIjUxNTPzNjU5NzP4PCIsCiZgImFyY2hpdGVjdHVyZSIgOiZieDg2XzY0\nIirKICZiYXZhaWxhYmlsaXR5Wm9uZSIgOiZidXPtZWFzdC0xYSIsCiZgImJpbGxpbmdQcm9kdWN0\n3ZIVZK589qSkEaslLdCzeX2GnQ6dz9UeZZZZZZZZ";

    private const string Signature =
        "TesTTKmBbj+DUw6ut6BOr4mFGpax/k6BhIbsotUHvSIhqv7oKqwB4HZhgGP2Gvcxtz5m3QGUbnwI\nhy33GWxjn7+qfZ/GUeZB1Ilc+3rW/P9G/tGxIB3HtqB6q2J6B4DOh6CJiH+BnrHazGW+bJD406Nz\neP9n/rGEGGm0cGEbbeB=";

    /// <summary>How long the emulated role credentials live, and how often they rotate.</summary>
    public static readonly TimeSpan CredentialLifetime = TimeSpan.FromHours(6);

    public static readonly TimeSpan CredentialRotation = TimeSpan.FromHours(1);

    /// <summary>A tree for the instance <paramref name="options"/> describe, launched at <paramref name="launchTime"/>.</summary>
    public static ImdsTree Create(EmulatorOptions options, DateTimeOffset launchTime)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tree = new ImdsTree();
        Populate(tree, options, launchTime);
        return tree;
    }

    /// <summary>
    /// "x86_64" or "arm64": Graviton families carry a 'g' after the generation digit (t4g, m6gd, c7gn), plus a1.
    /// </summary>
    public static string ArchitectureOf(string instanceType)
    {
        string family = instanceType.Split('.')[0];
        return family == "a1" || GravitonFamily().IsMatch(family) ? "arm64" : "x86_64";
    }

    /// <summary>The zone id as AWS writes it, e.g. us-east-1a -> use1-az1 (letter a..f -> az1..az6).</summary>
    public static string AvailabilityZoneIdOf(string region, string availabilityZone)
    {
        var parts = region.Split('-');
        var code = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.Length - 1; i++)
        {
            code.Append(parts[i] switch
            {
                "northeast" => "ne",
                "northwest" => "nw",
                "southeast" => "se",
                "southwest" => "sw",
                "gov" => "g",
                var word => word.Substring(0, 1),
            });
        }

        code.Append(parts[^1]);
        char letter = availabilityZone[^1];
        int number = char.IsAsciiLetterLower(letter) ? letter - 'a' + 1 : 1;
        return $"{code}-az{number}";
    }

    /// <summary>The partition of a region: aws, aws-cn or aws-us-gov.</summary>
    public static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    /// <summary>The private DNS name EC2 gives an IP: ec2.internal in us-east-1, region.compute.internal elsewhere.</summary>
    public static string PrivateHostnameOf(string region, string ip) =>
        "ip-" + ip.Replace('.', '-') + (region == "us-east-1" ? ".ec2.internal" : $".{region}.compute.internal");

    public static string PublicHostnameOf(string region, string ip) =>
        "ec2-" + ip.Replace('.', '-') + (region == "us-east-1" ? ".compute-1.amazonaws.com" : $".{region}.compute.amazonaws.com")
        + (PartitionOf(region) == "aws-cn" ? ".cn" : "");

    /// <summary>The identity document as IMDS formats it (<c>"key" : value</c>, one per line, keys in IMDS order).</summary>
    public static string IdentityDocument(EmulatorOptions options, DateTimeOffset launchTime) =>
        ImdsJson.Object(
            ("accountId", options.AccountId),
            ("architecture", ArchitectureOf(options.InstanceType)),
            ("availabilityZone", options.AvailabilityZone),
            ("billingProducts", null),
            ("devpayProductCodes", null),
            ("marketplaceProductCodes", null),
            ("imageId", options.ImageId),
            ("instanceId", options.InstanceId),
            ("instanceType", options.InstanceType),
            ("kernelId", null),
            ("pendingTime", Iso(launchTime)),
            ("privateIp", PrivateIp),
            ("ramdiskId", null),
            ("region", options.Region),
            ("version", "2017-09-30"));

    internal static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Populate(ImdsTree tree, EmulatorOptions o, DateTimeOffset launchTime)
    {
        launchTime = new DateTimeOffset(launchTime.UtcTicks - (launchTime.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        string partition = PartitionOf(o.Region);
        string domain = partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
        string privateHost = PrivateHostnameOf(o.Region, PrivateIp);
        string publicHost = PublicHostnameOf(o.Region, PublicIp);

        void M(string path, string value) => tree.Set("meta-data/" + path, value);

        M("ami-id", o.ImageId);
        M("ami-launch-index", "0");
        M("ami-manifest-path", "(unknown)");
        M("block-device-mapping/ami", "/dev/xvda");
        M("block-device-mapping/root", "/dev/xvda");
        M("events/maintenance/history", "[]");
        M("events/maintenance/scheduled", "[]");
        M("hostname", privateHost);
        M("instance-action", "none");
        M("instance-id", o.InstanceId);
        M("instance-life-cycle", "on-demand");
        M("instance-type", o.InstanceType);
        M("local-hostname", privateHost);
        M("local-ipv4", PrivateIp);
        M("mac", Mac);
        M("placement/availability-zone", o.AvailabilityZone);
        M("placement/availability-zone-id", AvailabilityZoneIdOf(o.Region, o.AvailabilityZone));
        M("placement/region", o.Region);
        M("profile", "default-hvm");
        M("public-hostname", publicHost);
        M("public-ipv4", PublicIp);
        M("public-keys/0/openssh-key", PublicKey);
        tree.SetListingLabel("meta-data/public-keys/0", "0=" + KeyName);
        M("reservation-id", "r-046cb3eca3e201d2f");
        M("security-groups", string.Join('\n', SecurityGroups));
        M("services/domain", domain);
        M("services/partition", partition);
        M("system", "nitro");

        string nic = $"network/interfaces/macs/{Mac}/";
        M(nic + "device-number", "0");
        M(nic + "interface-id", InterfaceId);
        M(nic + "ipv4-associations/" + PublicIp, PrivateIp);
        M(nic + "ipv6s", "2001:db8:8:4::2");
        M(nic + "local-hostname", privateHost);
        M(nic + "local-ipv4s", PrivateIp);
        M(nic + "mac", Mac);
        M(nic + "network-card-index", "0");
        M(nic + "owner-id", o.AccountId);
        M(nic + "public-hostname", publicHost);
        M(nic + "public-ipv4s", PublicIp);
        M(nic + "security-group-ids", string.Join('\n', SecurityGroupIds));
        M(nic + "security-groups", string.Join('\n', SecurityGroups));
        M(nic + "subnet-id", SubnetId);
        M(nic + "subnet-ipv4-cidr-block", "172.16.32.0/20");
        M(nic + "subnet-ipv6-cidr-blocks", "2001:db8:8:4::/64");
        M(nic + "vpc-id", VpcId);
        M(nic + "vpc-ipv4-cidr-block", "172.16.0.0/16");
        M(nic + "vpc-ipv4-cidr-blocks", "172.16.0.0/16");
        M(nic + "vpc-ipv6-cidr-blocks", "2001:db8:8::/56");

        foreach (var tag in o.Tags)
        {
            M("tags/instance/" + tag.Key, tag.Value);
        }

        if (o.IamRoleName is { } role)
        {
            M("iam/info", ImdsJson.Object(
                ("Code", "Success"),
                ("LastUpdated", Iso(launchTime)),
                ("InstanceProfileArn", $"arn:{partition}:iam::{o.AccountId}:instance-profile/{role}"),
                ("InstanceProfileId", "AIPAXQ2ZC5EXAMPLE4Q7F")));

            // Real role credentials rotate well before they expire; so do these, so a long-running
            // emulator never serves expired credentials.
            TimeProvider clock = o.TimeProvider;
            tree.Set("meta-data/iam/security-credentials/" + role, () => Credentials(launchTime, clock.GetUtcNow()));
        }

        tree.Set("dynamic/fws/instance-monitoring", "disabled");
        tree.Set("dynamic/instance-identity/document", IdentityDocument(o, launchTime));
        tree.Set("dynamic/instance-identity/pkcs7", Pkcs7);
        tree.Set("dynamic/instance-identity/rsa2048", Pkcs7);
        tree.Set("dynamic/instance-identity/signature", Signature);

        if (o.UserData is { } userData)
        {
            tree.Set("user-data", userData);
        }
    }

    private static string Credentials(DateTimeOffset launchTime, DateTimeOffset now)
    {
        long rotations = Math.Max(0, (now - launchTime).Ticks / CredentialRotation.Ticks);
        DateTimeOffset issued = launchTime + TimeSpan.FromTicks(rotations * CredentialRotation.Ticks);
        return ImdsJson.Object(
            ("Code", "Success"),
            ("LastUpdated", Iso(issued)),
            ("Type", "AWS-HMAC"),
            ("AccessKeyId", "ASIAEC2OPSEMULATOR" + (rotations % 100).ToString("D2", CultureInfo.InvariantCulture)),
            ("SecretAccessKey", "ec2ops/emulator+dummy/secret/access/key/" + rotations.ToString(CultureInfo.InvariantCulture)),
            ("Token", "IQoJb3JpZ2luX2VjEC2OPS+emulator/dummy/session/token==" + rotations.ToString(CultureInfo.InvariantCulture)),
            ("Expiration", Iso(issued + CredentialLifetime)));
    }

    [GeneratedRegex(@"^[a-z]+[0-9]+[a-z]*g[a-z]*(-[a-z0-9]+)?$")]
    private static partial Regex GravitonFamily();
}

/// <summary>JSON as IMDS writes it: two-space indent and <c>"key" : value</c>.</summary>
internal static class ImdsJson
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Object(params (string Key, string? Value)[] members)
    {
        var sb = new StringBuilder("{\n");
        for (int i = 0; i < members.Length; i++)
        {
            sb.Append("  ").Append(Quote(members[i].Key)).Append(" : ")
              .Append(members[i].Value is null ? "null" : Quote(members[i].Value!))
              .Append(i < members.Length - 1 ? ",\n" : "\n");
        }

        return sb.Append('}').ToString();
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s, Relaxed);
}
