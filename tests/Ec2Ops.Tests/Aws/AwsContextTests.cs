using Ec2Ops.Core;
using Ec2Ops.Core.Aws;

namespace Ec2Ops.Tests.Aws;

/// <summary>Region and endpoint resolution, in the order the AWS Tools use.</summary>
public class AwsContextTests
{
    [Fact]
    public void TheRegionParameterWinsThenAwsRegionThenAwsDefaultRegion()
    {
        var env = new EnvironmentVariables { ["AWS_REGION"] = "eu-west-1", ["AWS_DEFAULT_REGION"] = "ap-south-1" };

        Assert.Equal(("us-west-2", "-Region"), AwsContext.ResolveRegion(new AwsRequestOptions { Region = "us-west-2" }, env, out _));
        Assert.Equal(("eu-west-1", "AWS_REGION"), AwsContext.ResolveRegion(new AwsRequestOptions(), env, out _));
        env["AWS_REGION"] = null;
        Assert.Equal(("ap-south-1", "AWS_DEFAULT_REGION"), AwsContext.ResolveRegion(new AwsRequestOptions(), env, out _));
    }

    [Fact]
    public void WithNoRegionAnywhereItSaysWhatItTried()
    {
        var found = AwsContext.ResolveRegion(new AwsRequestOptions { ProfileName = "no-such-profile-here" }, new EnvironmentVariables(), out var tried);

        Assert.Null(found);
        Assert.Equal("-Region", tried[0]);
        Assert.Equal(new[] { "AWS_REGION", "AWS_DEFAULT_REGION" }, tried.Skip(1).Take(2));
        Assert.StartsWith("profile 'no-such-profile-here' in the shared config file", tried[3]);
    }

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("eu-central-2", true)]
    [InlineData("US-EAST-1", false)]
    [InlineData("useast1", false)]
    [InlineData("us-east", false)]
    public void RegionNamesAreChecked(string region, bool valid)
    {
        if (valid)
        {
            Assert.Equal(region, AwsContext.ResolveRegion(new AwsRequestOptions { Region = region }, new EnvironmentVariables(), out _)?.Region);
        }
        else
        {
            var error = Assert.Throws<Ec2OpsException>(() => AwsContext.ResolveRegion(new AwsRequestOptions { Region = region }, new EnvironmentVariables(), out _));
            Assert.Equal(("AwsInvalidRegion", region), (error.ErrorId, error.TargetObject));
        }
    }

    [Fact]
    public void EndpointUrlIsUsedForBothServices()
    {
        var context = AwsContext.Create(new AwsRequestOptions { EndpointUrl = "http://127.0.0.1:4566" }, "eu-west-1", "-Region");

        Assert.Equal(new AwsEndpoint(new Uri("http://127.0.0.1:4566/"), "-EndpointUrl"), context.CloudWatch);
        Assert.Equal(context.CloudWatch, context.Ec2);
        Assert.Equal(("eu-west-1", "-Region"), (context.Region, context.RegionSource));
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    [InlineData("http://example.com/?a=b")]
    public void ABadEndpointUrlIsRefused(string url)
    {
        var error = Assert.Throws<Ec2OpsException>(() => AwsContext.Create(new AwsRequestOptions { EndpointUrl = url }, "us-east-1", "-Region"));
        Assert.Equal(("AwsInvalidEndpoint", Ec2OpsErrorCategory.InvalidArgument), (error.ErrorId, error.Category));
    }

    [Fact]
    public void AnUnknownProfileIsRefused()
    {
        var error = Assert.Throws<Ec2OpsException>(() => AwsContext.Create(new AwsRequestOptions { ProfileName = "no-such-profile-here" }, "us-east-1", "-Region"));
        Assert.Equal(("AwsProfileNotFound", "no-such-profile-here"), (error.ErrorId, error.TargetObject));
    }
}

/// <summary>Tests that set process environment variables the AWS SDK reads; never in parallel with each other.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
}

/// <summary>Endpoint variables and profiles, as AWSSDK.Core resolves them.</summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class AwsEnvironmentTests : IDisposable
{
    private static readonly string[] Variables = { "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_EC2", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" };
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string _directory = Directory.CreateTempSubdirectory("ec2ops-aws-").FullName;

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        AwsContext.ProfilesLocationOverride = null;
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void ServiceVariablesWinOverTheGeneralOneAndTheDefaultIsThePublicEndpoint()
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        var plain = AwsContext.Create(new AwsRequestOptions(), "eu-west-1", "-Region");
        Assert.Equal(new AwsEndpoint(new Uri("https://monitoring.eu-west-1.amazonaws.com/"), "default"), plain.CloudWatch);
        Assert.Equal(new AwsEndpoint(new Uri("https://ec2.eu-west-1.amazonaws.com/"), "default"), plain.Ec2);
        Assert.Equal("https://monitoring.cn-north-1.amazonaws.com.cn/", AwsContext.Create(new AwsRequestOptions(), "cn-north-1", "-Region").CloudWatch.Uri.ToString());

        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", "http://127.0.0.1:1111");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:2222");
        var configured = AwsContext.Create(new AwsRequestOptions(), "eu-west-1", "-Region");
        Assert.Equal(new AwsEndpoint(new Uri("http://127.0.0.1:1111/"), "AWS_ENDPOINT_URL"), configured.CloudWatch);
        Assert.Equal(new AwsEndpoint(new Uri("http://127.0.0.1:2222/"), "AWS_ENDPOINT_URL_EC2"), configured.Ec2);

        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:3333");
        Assert.Equal(new AwsEndpoint(new Uri("http://127.0.0.1:3333/"), "AWS_ENDPOINT_URL_CLOUDWATCH"), AwsContext.Create(new AwsRequestOptions(), "eu-west-1", "-Region").CloudWatch);

        // -EndpointUrl wins over every variable.
        Assert.Equal("-EndpointUrl", AwsContext.Create(new AwsRequestOptions { EndpointUrl = "http://127.0.0.1:4444" }, "eu-west-1", "-Region").CloudWatch.Source);
    }

    [Fact]
    public void AProfileGivesRegionAndCredentials()
    {
        var config = Path.Combine(_directory, "config");
        var credentials = Path.Combine(_directory, "credentials");
        File.WriteAllText(config, "[profile dev]\nregion = eu-north-1\n");
        File.WriteAllText(credentials, "[dev]\naws_access_key_id = AKIADEVPROFILE000000\naws_secret_access_key = dev-secret\n");
        // AWSSDK.Core reads AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE once per process, so the test names the file directly.
        AwsContext.ProfilesLocationOverride = credentials;

        Assert.Equal(("eu-north-1", "profile 'dev'"), AwsContext.ResolveRegion(new AwsRequestOptions { ProfileName = "dev" }, new EnvironmentVariables(), out _));
        Assert.Equal(("eu-north-1", "profile 'dev'"), AwsContext.ResolveRegion(new AwsRequestOptions(), new EnvironmentVariables { ["AWS_PROFILE"] = "dev" }, out _));
        var context = AwsContext.Create(new AwsRequestOptions { ProfileName = "dev" }, "eu-north-1", "profile 'dev'");
        Assert.Equal("AKIADEVPROFILE000000", context.Credentials.GetCredentials().AccessKey);
        Assert.Contains("dev", AwsProfiles.Names());
    }
}
