using System.Globalization;

namespace Ec2Ops.Core.Metadata;

/// <summary>What the caller asked for explicitly (cmdlet parameters); null means "not given".</summary>
public sealed record ImdsRequestOptions
{
    public string? Endpoint { get; init; }

    /// <summary>IPv4 or IPv6 (case-insensitive).</summary>
    public string? EndpointMode { get; init; }

    public double? TimeoutSeconds { get; init; }

    public int? MaxAttempts { get; init; }

    /// <summary>True refuses the IMDSv1 fallback even when the environment allows it.</summary>
    public bool DisableImdsV1 { get; init; }

    /// <summary>Lifetime asked for new session tokens, 1..21600 seconds.</summary>
    public int? TokenTtlSeconds { get; init; }
}

/// <summary>
/// The settings an <see cref="ImdsClient"/> runs with, resolved the way the AWS SDKs resolve them:
/// explicit options, then the standard environment variables, then the defaults. The defaults are
/// chosen so that a call off EC2 fails in about two seconds rather than hanging.
/// </summary>
public sealed record ImdsSettings
{
    public const string DisabledVariable = "AWS_EC2_METADATA_DISABLED";
    public const string EndpointVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    public const string EndpointModeVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
    public const string V1DisabledVariable = "AWS_EC2_METADATA_V1_DISABLED";
    public const string TimeoutVariable = "AWS_METADATA_SERVICE_TIMEOUT";
    public const string AttemptsVariable = "AWS_METADATA_SERVICE_NUM_ATTEMPTS";

    public static readonly Uri DefaultIPv4Endpoint = new("http://169.254.169.254/");
    public static readonly Uri DefaultIPv6Endpoint = new("http://[fd00:ec2::254]/");

    public const double DefaultTimeoutSeconds = 1;
    public const int DefaultMaxAttempts = 2;
    public const int MaxTokenTtlSeconds = 21600;

    /// <summary>Base URI of the service (e.g. http://169.254.169.254/).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Where <see cref="Endpoint"/> came from, for error messages ("-Endpoint", an environment variable, "default").</summary>
    public required string EndpointSource { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

    /// <summary>Tries per request, the first included: timeouts, connection failures, 429 and 5xx are retried.</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    public bool AllowImdsV1 { get; init; } = true;

    public int TokenTtlSeconds { get; init; } = MaxTokenTtlSeconds;

    public static ImdsSettings Resolve(ImdsRequestOptions? options = null, IEnvironmentVariables? environment = null)
    {
        options ??= new ImdsRequestOptions();
        environment ??= ProcessEnvironment.Instance;

        if (IsTrue(environment.Get(DisabledVariable)))
        {
            throw new Ec2OpsException(
                "ImdsDisabled",
                Ec2OpsErrorCategory.NotEnabled,
                $"The instance metadata service is disabled for this session: {DisabledVariable} is 'true'. No request was sent.")
            {
                RecommendedAction = $"Remove the variable (Remove-Item Env:{DisabledVariable}) to use IMDS.",
            };
        }

        var (endpoint, source) = ResolveEndpoint(options, environment);
        return new ImdsSettings
        {
            Endpoint = endpoint,
            EndpointSource = source,
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds is { } t
                ? Positive(t, "-TimeoutSec")
                : ParsePositive(environment.Get(TimeoutVariable), TimeoutVariable) ?? DefaultTimeoutSeconds),
            MaxAttempts = options.MaxAttempts is { } a
                ? (int)Positive(a, "-MaxAttempts")
                : (int?)ParsePositive(environment.Get(AttemptsVariable), AttemptsVariable, wholeNumber: true) ?? DefaultMaxAttempts,
            AllowImdsV1 = !options.DisableImdsV1 && !IsTrue(environment.Get(V1DisabledVariable)),
            TokenTtlSeconds = options.TokenTtlSeconds is { } ttl ? ValidTtl(ttl) : MaxTokenTtlSeconds,
        };
    }

    private static (Uri Endpoint, string Source) ResolveEndpoint(ImdsRequestOptions options, IEnvironmentVariables environment)
    {
        if (options.Endpoint is { Length: > 0 } explicitEndpoint)
        {
            return (ParseEndpoint(explicitEndpoint, "-Endpoint"), "-Endpoint");
        }

        if (environment.Get(EndpointVariable) is { } fromEnvironment)
        {
            return (ParseEndpoint(fromEnvironment, EndpointVariable), EndpointVariable);
        }

        var (mode, modeSource) = options.EndpointMode is { Length: > 0 } m ? (m, "-EndpointMode") : (environment.Get(EndpointModeVariable), EndpointModeVariable);
        return mode?.ToUpperInvariant() switch
        {
            null => (DefaultIPv4Endpoint, "default"),
            "IPV4" => (DefaultIPv4Endpoint, modeSource),
            "IPV6" => (DefaultIPv6Endpoint, modeSource),
            _ => throw new Ec2OpsException(
                "ImdsInvalidEndpointMode",
                Ec2OpsErrorCategory.InvalidArgument,
                $"{modeSource} is '{mode}', but the endpoint mode must be IPv4 or IPv6.",
                mode),
        };
    }

    private static Uri ParseEndpoint(string value, string source)
    {
        if (HttpEndpoint.TryParse(value, out var endpoint))
        {
            return endpoint;
        }

        throw new Ec2OpsException(
            "ImdsInvalidEndpoint",
            Ec2OpsErrorCategory.InvalidArgument,
            $"{source} is '{value}', but the metadata endpoint must be an absolute http:// or https:// URI such as http://169.254.169.254.",
            value);
    }

    private static int ValidTtl(int ttl) => ttl is >= 1 and <= MaxTokenTtlSeconds
        ? ttl
        : throw new Ec2OpsException(
            "ImdsInvalidTokenTtl",
            Ec2OpsErrorCategory.InvalidArgument,
            $"The token lifetime is {ttl} seconds, but IMDS accepts 1 to {MaxTokenTtlSeconds}.",
            ttl);

    private static double Positive(double value, string source) => value > 0 && double.IsFinite(value)
        ? value
        : throw new Ec2OpsException(
            "ImdsInvalidSetting",
            Ec2OpsErrorCategory.InvalidArgument,
            $"{source} is {value.ToString(CultureInfo.InvariantCulture)}, but it must be a number greater than 0.",
            value);

    private static double? ParsePositive(string? text, string variable, bool wholeNumber = false)
    {
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            && (!wholeNumber || value == Math.Floor(value)))
        {
            return value;
        }

        throw new Ec2OpsException(
            "ImdsInvalidSetting",
            Ec2OpsErrorCategory.InvalidArgument,
            $"{variable} is '{text}', but it must be a {(wholeNumber ? "whole number" : "number of seconds")} greater than 0.",
            text);
    }

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
