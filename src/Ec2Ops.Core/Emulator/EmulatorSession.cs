using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Core.Emulator;

/// <summary>One environment variable the session changed: its name, the value before and the value now.</summary>
public sealed record EnvironmentChange(string Name, string? Before, string? After);

/// <summary>
/// Points the process at a running emulator through the standard AWS environment variables, and
/// puts back exactly what was there before (including "not set") on <see cref="Restore"/>.
/// <list type="bullet">
/// <item><c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> = the emulator's IMDS endpoint (always).</item>
/// <item><c>AWS_EC2_METADATA_DISABLED</c> is unset (always), so a disabled IMDS does not hide the emulator.</item>
/// <item><c>AWS_ENDPOINT_URL_CLOUDWATCH</c> and <c>AWS_ENDPOINT_URL_EC2</c> = the emulator (always), for its CloudWatch and EC2.</item>
/// <item><c>AWS_REGION</c> = the emulator's region, only when neither AWS_REGION nor AWS_DEFAULT_REGION is set.</item>
/// <item><c>AWS_ACCESS_KEY_ID</c> / <c>AWS_SECRET_ACCESS_KEY</c> = dummy values, only when AWS_ACCESS_KEY_ID is not set,
/// so later calls to the emulator's CloudWatch/EC2 APIs can be signed without looking for real credentials.</item>
/// </list>
/// Variables the user set are never overwritten except the endpoints and the IMDS kill switch,
/// which the emulator exists to change.
/// </summary>
public sealed class EmulatorSession : IDisposable
{
    public const string RegionVariable = "AWS_REGION";
    public const string DefaultRegionVariable = "AWS_DEFAULT_REGION";
    public const string AccessKeyVariable = "AWS_ACCESS_KEY_ID";
    public const string SecretKeyVariable = "AWS_SECRET_ACCESS_KEY";
    public const string CloudWatchEndpointVariable = "AWS_ENDPOINT_URL_CLOUDWATCH";
    public const string Ec2EndpointVariable = "AWS_ENDPOINT_URL_EC2";

    /// <summary>The dummy credentials set when none are configured; obviously not real.</summary>
    public const string DummyAccessKeyId = "AKIAEC2OPSEMULATOR00";
    public const string DummySecretAccessKey = "ec2ops-emulator-dummy-secret-access-key";

    private readonly IEnvironmentVariables _environment;
    private int _restored;

    private EmulatorSession(IEnvironmentVariables environment, IReadOnlyList<EnvironmentChange> changes)
    {
        _environment = environment;
        Changes = changes;
    }

    /// <summary>What the session changed, in the order it changed them.</summary>
    public IReadOnlyList<EnvironmentChange> Changes { get; }

    public bool IsRestored => Volatile.Read(ref _restored) != 0;

    /// <summary>Sets the variables for <paramref name="emulator"/> and remembers what they were.</summary>
    public static EmulatorSession Apply(Ec2OpsEmulator emulator, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return Apply(emulator.ImdsEndpoint, emulator.Region, environment);
    }

    /// <summary>Sets the variables for an emulator at <paramref name="imdsEndpoint"/> in <paramref name="region"/>.</summary>
    public static EmulatorSession Apply(Uri imdsEndpoint, string region, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(imdsEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(environment);

        var planned = new List<(string Name, string? Value)>
        {
            // Without the trailing slash, as users write it; SDKs join "/latest/..." to it.
            (ImdsSettings.EndpointVariable, imdsEndpoint.GetLeftPart(UriPartial.Authority)),
            (ImdsSettings.DisabledVariable, null),

            // CloudWatch and EC2 of the emulator, as the AWS SDKs and CLI read them.
            (CloudWatchEndpointVariable, imdsEndpoint.GetLeftPart(UriPartial.Authority)),
            (Ec2EndpointVariable, imdsEndpoint.GetLeftPart(UriPartial.Authority)),
        };

        if (IsUnset(environment, RegionVariable) && IsUnset(environment, DefaultRegionVariable))
        {
            planned.Add((RegionVariable, region));
        }

        if (IsUnset(environment, AccessKeyVariable))
        {
            planned.Add((AccessKeyVariable, DummyAccessKeyId));
            planned.Add((SecretKeyVariable, DummySecretAccessKey));
        }

        var changes = new List<EnvironmentChange>();
        foreach (var (name, value) in planned)
        {
            // Exactly what was there, "" included, so that Restore puts back a variable set to the empty string.
            string? before = environment.GetExact(name);
            changes.Add(new EnvironmentChange(name, before, value));
            environment.Set(name, value);
        }

        return new EmulatorSession(environment, changes);
    }

    /// <summary>Puts every changed variable back to its value before <see cref="Apply(Ec2OpsEmulator, IEnvironmentVariables)"/>. Idempotent.</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
        {
            return;
        }

        // Reverse order, so a variable changed twice ends at its first "before".
        for (int i = Changes.Count - 1; i >= 0; i--)
        {
            _environment.Set(Changes[i].Name, Changes[i].Before);
        }
    }

    public void Dispose() => Restore();

    private static bool IsUnset(IEnvironmentVariables environment, string name) => string.IsNullOrEmpty(environment.Get(name));
}
