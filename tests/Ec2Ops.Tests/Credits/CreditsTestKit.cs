using Amazon.Runtime;
using Ec2Ops.Core;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Credits;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Credits;

/// <summary>
/// Everything a credits test needs to talk to an emulator without touching the process
/// environment: explicit region, endpoint and IMDS endpoint, the emulator's dummy credentials
/// (whose signatures the emulator recomputes), and retries fast enough for tests.
/// </summary>
internal static class CreditsTestKit
{
    public const string Self = "i-0a1b2c3d4e5f67890";
    public const string LaunchCredits = "i-0b5e2c7d9f1a3b4c5";
    public const string Draining = "i-0c6f3d8e0a2b4c5d6";
    public const string Unlimited = "i-0d7a4e9f1b3c5d6e7";
    public const string Steady = "i-0e8b5f0a2c4d6e7f8";
    public const string Stopped = "i-0f9c6a1b3d5e7f809";
    public const string NotBurstable = "i-01ad7b2c4e6f80912";

    public static readonly AwsRetryPolicy FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public static AWSCredentials Credentials => new BasicAWSCredentials(EmulatorSession.DummyAccessKeyId, EmulatorSession.DummySecretAccessKey);

    public static CpuCreditService Service(IOperationLog? log = null, TimeProvider? time = null, AwsRetryPolicy? retry = null, IEnvironmentVariables? environment = null) =>
        new(log, time, retry ?? FastRetry, environment ?? new EnvironmentVariables(), null, null, () => Credentials);

    public static CpuCreditRequest Request(Ec2OpsEmulator emulator, params string[] instanceIds) => new()
    {
        InstanceIds = instanceIds,
        Aws = new AwsRequestOptions { Region = "us-east-1", EndpointUrl = emulator.Endpoint.ToString() },
        Imds = new ImdsRequestOptions { Endpoint = emulator.Endpoint.ToString() },
    };

    public static AwsContext Context(Ec2OpsEmulator emulator) =>
        AwsContext.Create(new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() }, "us-east-1", "-Region", () => Credentials);

    public static CloudWatchQueryClient CloudWatch(Ec2OpsEmulator emulator, AwsRetryPolicy? retry = null, IOperationLog? log = null) =>
        CloudWatchQueryClient.Create(Context(emulator), retry ?? FastRetry, log);

    /// <summary>The newest datapoint the emulator serves at <paramref name="now"/>.</summary>
    public static DateTimeOffset Newest(DateTimeOffset now) => CreditFleet.NewestTimestamp(now);
}
