using System.Net;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Emulator;

/// <summary>The environment variables the emulator sets and restores, on an in-memory environment.</summary>
public class EmulatorSessionTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:45678");

    [Fact]
    public void OnAnEmptyEnvironmentSetsEndpointRegionAndDummyCredentials()
    {
        var env = new EnvironmentVariables();

        var session = EmulatorSession.Apply(Endpoint, "eu-west-1", env);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:45678",
                ["AWS_ENDPOINT_URL_CLOUDWATCH"] = "http://127.0.0.1:45678",
                ["AWS_ENDPOINT_URL_EC2"] = "http://127.0.0.1:45678",
                ["AWS_REGION"] = "eu-west-1",
                ["AWS_ACCESS_KEY_ID"] = EmulatorSession.DummyAccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = EmulatorSession.DummySecretAccessKey,
            },
            Snapshot(env));
        Assert.Equal(
            new[] { "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_EC2", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" },
            session.Changes.Select(c => c.Name));
        Assert.All(session.Changes, c => Assert.Null(c.Before));
    }

    [Fact]
    public void RestorePutsBackAVariableSetToTheEmptyStringExactly()
    {
        var env = new EnvironmentVariables { ["AWS_REGION"] = "" };
        env.Set(ImdsSettings.EndpointVariable, "");
        var session = EmulatorSession.Apply(Endpoint, "us-east-1", env);
        Assert.Equal("us-east-1", env.Get("AWS_REGION"));

        session.Restore();

        Assert.Equal("", env.GetExact("AWS_REGION"));
        Assert.Equal("", env.GetExact(ImdsSettings.EndpointVariable));
        Assert.Null(env.GetExact("AWS_ACCESS_KEY_ID"));
    }

    [Fact]
    public void RestoreUnsetsWhatWasUnset()
    {
        var env = new EnvironmentVariables();
        var session = EmulatorSession.Apply(Endpoint, "us-east-1", env);

        session.Restore();

        Assert.Empty(Snapshot(env));
        Assert.True(session.IsRestored);
    }

    [Fact]
    public void UserValuesAreKeptExceptTheImdsEndpointAndKillSwitchWhichAreRestored()
    {
        var before = new Dictionary<string, string>
        {
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://169.254.169.254",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_REGION"] = "ap-south-1",
            ["AWS_ACCESS_KEY_ID"] = "AKIAUSERKEY",
            ["AWS_SECRET_ACCESS_KEY"] = "user-secret",
            ["AWS_PROFILE"] = "prod",
            ["AWS_ENDPOINT_URL_EC2"] = "https://vpce-ec2.example",
        };
        var env = Env(before);

        using (var session = EmulatorSession.Apply(Endpoint, "us-east-1", env))
        {
            var during = Snapshot(env);
            Assert.Equal("http://127.0.0.1:45678", during["AWS_EC2_METADATA_SERVICE_ENDPOINT"]);
            Assert.False(during.ContainsKey("AWS_EC2_METADATA_DISABLED"));
            Assert.Equal("ap-south-1", during["AWS_REGION"]);
            Assert.Equal("AKIAUSERKEY", during["AWS_ACCESS_KEY_ID"]);
            Assert.Equal("user-secret", during["AWS_SECRET_ACCESS_KEY"]);
            Assert.Equal("http://127.0.0.1:45678", during["AWS_ENDPOINT_URL_EC2"]);
            Assert.Equal(new[] { "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_EC2" }, session.Changes.Select(c => c.Name));
            Assert.Equal("true", session.Changes[1].Before);
            Assert.Equal("https://vpce-ec2.example", session.Changes[3].Before);
        }

        Assert.Equal(before, Snapshot(env));
    }

    [Fact]
    public void DefaultRegionCountsAsAConfiguredRegion()
    {
        var env = Env(new Dictionary<string, string> { ["AWS_DEFAULT_REGION"] = "sa-east-1" });

        using var session = EmulatorSession.Apply(Endpoint, "us-east-1", env);

        Assert.Null(env.Get("AWS_REGION"));
        Assert.DoesNotContain(session.Changes, c => c.Name == "AWS_REGION");
    }

    [Fact]
    public void RestoreIsIdempotentAndDoesNotUndoLaterChanges()
    {
        var env = new EnvironmentVariables();
        var session = EmulatorSession.Apply(Endpoint, "us-east-1", env);
        session.Restore();
        env.Set("AWS_REGION", "set-after-restore");

        session.Restore();
        session.Dispose();

        Assert.Equal("set-after-restore", env.Get("AWS_REGION"));
    }

    [Fact]
    public async Task RegistryStartsPointsTheEnvironmentAndStopRestoresIt()
    {
        var env = Env(new Dictionary<string, string> { ["AWS_EC2_METADATA_DISABLED"] = "true" });
        var registry = new EmulatorRegistry(env);

        var emulator = registry.Start(new EmulatorOptions { Region = "eu-central-1" });
        string? endpoint = env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
        using (var http = new HttpClient())
        {
            Assert.Equal("eu-central-1", await GetV1Async(http, endpoint!, emulator));
        }

        bool stopped = registry.Stop();

        Assert.Equal(emulator.Endpoint.ToString().TrimEnd('/'), endpoint);
        Assert.True(stopped);
        Assert.False(emulator.IsRunning);
        Assert.Null(registry.Current);
        Assert.Equal(new Dictionary<string, string> { ["AWS_EC2_METADATA_DISABLED"] = "true" }, Snapshot(env));
        Assert.False(registry.Stop());
    }

    [Fact]
    public void SecondStartIsRefusedUnlessForced()
    {
        var env = new EnvironmentVariables();
        var registry = new EmulatorRegistry(env);
        var first = registry.Start(null);

        var ex = Assert.Throws<Ec2OpsException>(() => registry.Start(null));
        Assert.Equal("EmulatorAlreadyRunning", ex.ErrorId);
        Assert.Same(first, ex.TargetObject);
        Assert.True(first.IsRunning);

        var second = registry.Start(new EmulatorOptions { InstanceType = "t3.large" }, force: true);

        Assert.False(first.IsRunning);
        Assert.Same(second, registry.Current);
        Assert.Equal(second.Endpoint.ToString().TrimEnd('/'), env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
        registry.Stop(second);
        Assert.Empty(Snapshot(env));
    }

    [Fact]
    public void StoppingAnOldEmulatorLeavesTheCurrentOneAndTheEnvironmentAlone()
    {
        var env = new EnvironmentVariables();
        var registry = new EmulatorRegistry(env);
        using var stray = Ec2OpsEmulator.Start();
        var current = registry.Start(null);

        Assert.True(registry.Stop(stray));

        Assert.False(stray.IsRunning);
        Assert.True(current.IsRunning);
        Assert.Equal(current.Endpoint.ToString().TrimEnd('/'), env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
        registry.Stop();
    }

    [Fact]
    public void AnEmulatorStoppedDirectlyStillGetsItsEnvironmentRestored()
    {
        var env = new EnvironmentVariables();
        var registry = new EmulatorRegistry(env);
        var emulator = registry.Start(null);

        emulator.Stop();

        Assert.Null(registry.Current);
        Assert.True(registry.Stop());
        Assert.Empty(Snapshot(env));
    }

    [Fact]
    public void FailedStartChangesNothing()
    {
        var env = new EnvironmentVariables();
        var registry = new EmulatorRegistry(env);

        Assert.Throws<Ec2OpsException>(() => registry.Start(new EmulatorOptions { Region = "nowhere" }));

        Assert.Empty(Snapshot(env));
        Assert.Null(registry.Current);
    }

    [Fact]
    public void ForcedStartWithBadOptionsLeavesTheRunningEmulatorAndItsEnvironment()
    {
        var env = new EnvironmentVariables();
        var registry = new EmulatorRegistry(env);
        var running = registry.Start(null);
        var before = Snapshot(env);

        var ex = Assert.Throws<Ec2OpsException>(() => registry.Start(new EmulatorOptions { Region = "moon" }, force: true));

        Assert.Equal("EmulatorInvalidRegion", ex.ErrorId);
        Assert.True(running.IsRunning);
        Assert.Same(running, registry.Current);
        Assert.Equal(before, Snapshot(env));
        registry.Stop();
        Assert.Empty(Snapshot(env));
    }

    private static EnvironmentVariables Env(IDictionary<string, string> values)
    {
        var env = new EnvironmentVariables();
        foreach (var pair in values)
        {
            env.Set(pair.Key, pair.Value);
        }

        return env;
    }

    private static Dictionary<string, string> Snapshot(EnvironmentVariables env) => env.ToDictionary(p => p.Key, p => p.Value);

    private static async Task<string> GetV1Async(HttpClient http, string endpoint, Ec2OpsEmulator emulator)
    {
        emulator.Imds.RequireToken = false;
        using var response = await http.GetAsync(endpoint + "/latest/meta-data/placement/region");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
