using System.Text.RegularExpressions;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Ec2Ops.Core.Aws;

/// <summary>What the caller asked for explicitly (cmdlet parameters); null means "not given".</summary>
public sealed record AwsRequestOptions
{
    /// <summary>The region, e.g. us-east-1 (AWS Tools: -Region).</summary>
    public string? Region { get; init; }

    /// <summary>A profile of the shared config/credentials files (AWS Tools: -ProfileName).</summary>
    public string? ProfileName { get; init; }

    /// <summary>One endpoint for every service the command calls (AWS Tools: -EndpointUrl).</summary>
    public string? EndpointUrl { get; init; }
}

/// <summary>A service endpoint and where it came from, for messages ("-EndpointUrl", a variable, "default").</summary>
public sealed record AwsEndpoint(Uri Uri, string Source)
{
    public override string ToString() => $"{Uri} (from {Source})";
}

/// <summary>
/// Region, credentials and endpoints, resolved as the AWS Tools for PowerShell and the AWS SDKs
/// resolve them: explicit parameters first, then the standard environment variables
/// (AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL_EC2,
/// AWS_ENDPOINT_URL), then the shared config and credentials files, then the defaults (for
/// credentials: web identity, container and instance-profile credentials). Endpoint and credential
/// resolution is AWSSDK.Core's own; the region's last fallback, the instance's own region from IMDS,
/// goes through the module's fail-fast metadata client (the caller supplies it).
/// </summary>
public sealed partial class AwsContext
{
    public const string RegionVariable = "AWS_REGION";
    public const string DefaultRegionVariable = "AWS_DEFAULT_REGION";
    public const string ProfileVariable = "AWS_PROFILE";
    public const string EndpointVariable = "AWS_ENDPOINT_URL";
    public const string CloudWatchEndpointVariable = "AWS_ENDPOINT_URL_CLOUDWATCH";
    public const string Ec2EndpointVariable = "AWS_ENDPOINT_URL_EC2";

    private readonly Lazy<AWSCredentials> _credentials;

    private AwsContext(string region, string regionSource, string? profileName, AwsEndpoint cloudWatch, AwsEndpoint ec2, Func<AWSCredentials> credentials)
    {
        Region = region;
        RegionSource = regionSource;
        ProfileName = profileName;
        CloudWatch = cloudWatch;
        Ec2 = ec2;
        _credentials = new Lazy<AWSCredentials>(credentials, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Region { get; }

    /// <summary>"-Region", "AWS_REGION", "profile 'dev'", "IMDS", ...</summary>
    public string RegionSource { get; }

    /// <summary>The profile given with -ProfileName, or null for the default chain (which reads AWS_PROFILE itself).</summary>
    public string? ProfileName { get; }

    public AwsEndpoint CloudWatch { get; }

    public AwsEndpoint Ec2 { get; }

    /// <summary>The credentials (resolved on first use, as the SDK does).</summary>
    internal AWSCredentials Credentials => _credentials.Value;

    /// <summary>
    /// The region from the options, the environment or the profile, or null when none of them names
    /// one (then the instance's own region, from IMDS, is the last resort). <paramref name="tried"/>
    /// lists what was looked at, for the error message when nothing is found.
    /// </summary>
    public static (string Region, string Source)? ResolveRegion(AwsRequestOptions options, IEnvironmentVariables? environment, out IReadOnlyList<string> tried)
    {
        environment ??= ProcessEnvironment.Instance;
        var looked = new List<string>();
        tried = looked;

        if (options.Region is { } explicitRegion)
        {
            return (ValidRegion(explicitRegion, "-Region"), "-Region");
        }

        looked.Add("-Region");
        foreach (var variable in new[] { RegionVariable, DefaultRegionVariable })
        {
            if (environment.Get(variable) is { } fromEnvironment)
            {
                return (ValidRegion(fromEnvironment.Trim(), variable), variable);
            }

            looked.Add(variable);
        }

        var profile = ProfileNameFor(options, environment);
        if (TryGetProfile(profile, out var found) && found.Region is { } profileRegion)
        {
            return (profileRegion.SystemName, $"profile '{profile}'");
        }

        looked.Add($"profile '{profile}' in the shared config file ({ConfigFileDescription(environment)})");
        return null;
    }

    /// <summary>
    /// Endpoints and credentials for <paramref name="region"/>. Throws <c>AwsInvalidEndpoint</c> for a
    /// bad -EndpointUrl and <c>AwsProfileNotFound</c> for an unknown -ProfileName.
    /// </summary>
    public static AwsContext Create(AwsRequestOptions options, string region, string regionSource) => Create(options, region, regionSource, null);

    /// <summary>As above, with credentials given instead of resolved (tests, callers that hold their own).</summary>
    internal static AwsContext Create(AwsRequestOptions options, string region, string regionSource, Func<AWSCredentials>? credentials)
    {
        ArgumentNullException.ThrowIfNull(options);
        var regionEndpoint = RegionEndpoint.GetBySystemName(ValidRegion(region, regionSource));
        Uri? explicitEndpoint = options.EndpointUrl is { Length: > 0 } url ? ParseEndpoint(url, "-EndpointUrl") : null;

        var profileName = options.ProfileName;
        if (profileName is not null && !TryGetProfile(profileName, out _))
        {
            throw new Ec2OpsException(
                "AwsProfileNotFound",
                Ec2OpsErrorCategory.ObjectNotFound,
                $"-ProfileName '{profileName}' names no profile in the shared credentials file, the shared config file ({ConfigFileDescription(ProcessEnvironment.Instance)}) or the .NET SDK credential store.",
                profileName)
            {
                RecommendedAction = "List the profiles with Get-Content ~/.aws/config, or create one with 'aws configure --profile <name>'.",
            };
        }

        var cloudWatch = explicitEndpoint is not null
            ? new AwsEndpoint(explicitEndpoint, "-EndpointUrl")
            : ConfiguredEndpoint(CloudWatchClientConfig.For(regionEndpoint, profileName).ServiceURL, CloudWatchEndpointVariable)
              ?? new AwsEndpoint(DefaultEndpoint("monitoring", regionEndpoint), "default");
        var ec2 = explicitEndpoint is not null
            ? new AwsEndpoint(explicitEndpoint, "-EndpointUrl")
            : ConfiguredEndpoint(Ec2Config(regionEndpoint, profileName, null).ServiceURL, Ec2EndpointVariable)
              ?? new AwsEndpoint(DefaultEndpoint("ec2", regionEndpoint), "default");

        return new AwsContext(regionEndpoint.SystemName, regionSource, profileName, cloudWatch, ec2, credentials ?? (() => ResolveCredentials(profileName)));
    }

    /// <summary>An EC2 client configuration for this context (retries as given).</summary>
    internal AmazonEC2Config CreateEc2Config(AwsRetryPolicy retry)
    {
        var config = Ec2Config(RegionEndpoint.GetBySystemName(Region), ProfileName, Ec2.Source == "default" ? null : Ec2.Uri);
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = Math.Max(0, retry.MaxAttempts - 1);
        config.Timeout = retry.AttemptTimeout;
        return config;
    }

    private static AmazonEC2Config Ec2Config(RegionEndpoint region, string? profileName, Uri? serviceUrl)
    {
        var config = new AmazonEC2Config { RegionEndpoint = region };
        if (profileName is not null)
        {
            config.Profile = new Profile(profileName);
        }

        if (serviceUrl is not null)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.AuthenticationRegion = region.SystemName;
        }

        return config;
    }

    private static AWSCredentials ResolveCredentials(string? profileName)
    {
        try
        {
            if (profileName is not null)
            {
                if (ProfileStore().TryGetAWSCredentials(profileName, out var fromProfile))
                {
                    return fromProfile;
                }

                throw new Ec2OpsException(
                    "AwsNoCredentials",
                    Ec2OpsErrorCategory.AuthenticationError,
                    $"Profile '{profileName}' exists but holds no usable credentials (keys, role, SSO, process or web identity).",
                    profileName);
            }

            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        }
        catch (AmazonClientException failure)
        {
            throw NoCredentials(failure);
        }
    }

    internal static Ec2OpsException NoCredentials(Exception failure) =>
        new(
            "AwsNoCredentials",
            Ec2OpsErrorCategory.AuthenticationError,
            $"No AWS credentials were found: {failure.Message.TrimEnd('.')}.",
            null,
            failure)
        {
            RecommendedAction = "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / -ProfileName for a profile of ~/.aws/credentials; on EC2, attach an instance profile role.",
        };

    private static AwsEndpoint? ConfiguredEndpoint(string? serviceUrl, string serviceVariable)
    {
        if (string.IsNullOrEmpty(serviceUrl))
        {
            return null;
        }

        var uri = new Uri(serviceUrl);
        foreach (var variable in new[] { serviceVariable, EndpointVariable })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                && Uri.TryCreate(value.Trim(), UriKind.Absolute, out var fromVariable)
                && Uri.Compare(fromVariable, uri, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return new AwsEndpoint(uri, variable);
            }
        }

        return new AwsEndpoint(uri, "shared config file (endpoint_url)");
    }

    private static Uri DefaultEndpoint(string service, RegionEndpoint region) =>
        new($"https://{service}.{region.SystemName}.{region.PartitionDnsSuffix ?? "amazonaws.com"}/");

    /// <summary>Tests only: read profiles from this credentials file (and the config file beside it) instead of the default files.</summary>
    internal static string? ProfilesLocationOverride { get; set; }

    internal static CredentialProfileStoreChain ProfileStore() =>
        ProfilesLocationOverride is { } location ? new CredentialProfileStoreChain(location) : new CredentialProfileStoreChain();

    private static string ProfileNameFor(AwsRequestOptions options, IEnvironmentVariables environment) =>
        options.ProfileName ?? environment.Get(ProfileVariable) ?? "default";

    private static bool TryGetProfile(string name, out CredentialProfile profile)
    {
        try
        {
            return ProfileStore().TryGetProfile(name, out profile);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or AmazonClientException or FormatException)
        {
            profile = null!;
            return false;
        }
    }

    private static string ConfigFileDescription(IEnvironmentVariables environment) =>
        environment.Get("AWS_CONFIG_FILE") ?? Path.Combine("~", ".aws", "config");

    internal static Uri ParseEndpoint(string value, string source)
    {
        if (HttpEndpoint.TryParse(value, out var endpoint))
        {
            return endpoint;
        }

        throw new Ec2OpsException(
            "AwsInvalidEndpoint",
            Ec2OpsErrorCategory.InvalidArgument,
            $"{source} is '{value}', but an endpoint must be an absolute http:// or https:// URL such as https://monitoring.us-east-1.amazonaws.com.",
            value);
    }

    internal static string ValidRegion(string region, string source) => RegionPattern().IsMatch(region)
        ? region
        : throw new Ec2OpsException(
            "AwsInvalidRegion",
            Ec2OpsErrorCategory.InvalidArgument,
            $"{source} is '{region}', but a region name looks like 'us-east-1' or 'eu-central-2'.",
            region);

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}

/// <summary>
/// AWSSDK.Core's client configuration for CloudWatch, used only to resolve its endpoint exactly as
/// an SDK client would (AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL, the profile's endpoint_url
/// and services section, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS). The Query client calls no SDK pipeline.
/// </summary>
internal sealed class CloudWatchClientConfig : ClientConfig
{
    private CloudWatchClientConfig()
        : base(new StandardDefaults())
    {
        ServiceId = "CloudWatch";
        AuthenticationServiceName = "monitoring";
    }

    public override string RegionEndpointServiceName => "monitoring";

    public override string ServiceVersion => "2010-08-01";

    public override string UserAgent => "Ec2Ops";

    public static CloudWatchClientConfig For(RegionEndpoint region, string? profileName)
    {
        var config = new CloudWatchClientConfig { RegionEndpoint = region };
        if (profileName is not null)
        {
            config.Profile = new Profile(profileName);
        }

        return config;
    }

    public override Amazon.Runtime.Endpoints.Endpoint DetermineServiceOperationEndpoint(Amazon.Runtime.Endpoints.ServiceOperationEndpointParameters parameters) =>
        new(ServiceURL ?? $"https://monitoring.{RegionEndpoint.SystemName}.{RegionEndpoint.PartitionDnsSuffix}");

    private sealed class StandardDefaults : Amazon.Runtime.Internal.IDefaultConfigurationProvider
    {
        public IDefaultConfiguration GetDefaultConfiguration(RegionEndpoint clientRegion, DefaultConfigurationMode? requestedConfigurationMode = null) =>
            new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard };
    }
}

/// <summary>The profiles of the shared config and credentials files (and the .NET SDK store), for tab completion.</summary>
public static class AwsProfiles
{
    public static IReadOnlyList<string> Names()
    {
        try
        {
            return AwsContext.ProfileStore().ListProfiles().Select(p => p.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or AmazonClientException or FormatException)
        {
            return Array.Empty<string>();
        }
    }
}
