using Ec2Ops.Core;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Metadata;

public class ImdsSettingsTests
{
    [Fact]
    public void DefaultsFailFastOffEc2()
    {
        var settings = ImdsSettings.Resolve(environment: new EnvironmentVariables());

        Assert.Equal(new Uri("http://169.254.169.254/"), settings.Endpoint);
        Assert.Equal("default", settings.EndpointSource);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Timeout);
        Assert.Equal(2, settings.MaxAttempts);
        Assert.True(settings.AllowImdsV1);
        Assert.Equal(21600, settings.TokenTtlSeconds);
    }

    [Fact]
    public void ExplicitEndpointWinsOverEnvironment()
    {
        var env = new EnvironmentVariables
        {
            [ImdsSettings.EndpointVariable] = "http://127.0.0.1:1111",
            [ImdsSettings.EndpointModeVariable] = "IPv6",
        };

        var settings = ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = "http://127.0.0.1:2222" }, env);

        Assert.Equal(new Uri("http://127.0.0.1:2222/"), settings.Endpoint);
        Assert.Equal("-Endpoint", settings.EndpointSource);
    }

    [Fact]
    public void EndpointVariableWinsOverMode()
    {
        var env = new EnvironmentVariables
        {
            [ImdsSettings.EndpointVariable] = "http://127.0.0.1:1111/imds",
            [ImdsSettings.EndpointModeVariable] = "IPv6",
        };

        var settings = ImdsSettings.Resolve(environment: env);

        Assert.Equal(new Uri("http://127.0.0.1:1111/imds/"), settings.Endpoint);
        Assert.Equal(ImdsSettings.EndpointVariable, settings.EndpointSource);
    }

    [Theory]
    [InlineData("IPv6", "http://[fd00:ec2::254]/")]
    [InlineData("ipv6", "http://[fd00:ec2::254]/")]
    [InlineData("IPV4", "http://169.254.169.254/")]
    public void ModeChoosesTheDefaultEndpointCaseInsensitively(string mode, string expected)
    {
        var env = new EnvironmentVariables { [ImdsSettings.EndpointModeVariable] = mode };

        Assert.Equal(new Uri(expected), ImdsSettings.Resolve(environment: env).Endpoint);
    }

    [Fact]
    public void ModeParameterWinsOverModeVariable()
    {
        var env = new EnvironmentVariables { [ImdsSettings.EndpointModeVariable] = "IPv4" };

        var settings = ImdsSettings.Resolve(new ImdsRequestOptions { EndpointMode = "IPv6" }, env);

        Assert.Equal(ImdsSettings.DefaultIPv6Endpoint, settings.Endpoint);
        Assert.Equal("-EndpointMode", settings.EndpointSource);
    }

    [Fact]
    public void AnUnknownModeIsAnErrorNamingTheVariable()
    {
        var env = new EnvironmentVariables { [ImdsSettings.EndpointModeVariable] = "IPv5" };

        var error = Assert.Throws<Ec2OpsException>(() => ImdsSettings.Resolve(environment: env));

        Assert.Equal("ImdsInvalidEndpointMode", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains(ImdsSettings.EndpointModeVariable, error.Message);
        Assert.Contains("IPv5", error.Message);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("http://127.0.0.1/?x=1")]
    public void AnEndpointThatIsNotAnHttpUriIsRejected(string endpoint)
    {
        var error = Assert.Throws<Ec2OpsException>(() =>
            ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = endpoint }, new EnvironmentVariables()));

        Assert.Equal("ImdsInvalidEndpoint", error.ErrorId);
        Assert.Contains("-Endpoint", error.Message);
        Assert.Equal(endpoint, error.TargetObject);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData(" True ")]
    public void DisabledVariableFailsAtOnce(string value)
    {
        var env = new EnvironmentVariables { [ImdsSettings.DisabledVariable] = value };

        var error = Assert.Throws<Ec2OpsException>(() => ImdsSettings.Resolve(environment: env));

        Assert.Equal("ImdsDisabled", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.NotEnabled, error.Category);
        Assert.Contains(ImdsSettings.DisabledVariable, error.Message);
    }

    [Fact]
    public void DisabledVariableOtherThanTrueIsIgnored()
    {
        var env = new EnvironmentVariables { [ImdsSettings.DisabledVariable] = "false" };

        Assert.Equal(ImdsSettings.DefaultIPv4Endpoint, ImdsSettings.Resolve(environment: env).Endpoint);
    }

    [Fact]
    public void TimeoutAndAttemptsComeFromTheEnvironmentUnlessGiven()
    {
        var env = new EnvironmentVariables
        {
            [ImdsSettings.TimeoutVariable] = "2.5",
            [ImdsSettings.AttemptsVariable] = "4",
        };

        var fromEnvironment = ImdsSettings.Resolve(environment: env);
        var explicitOnes = ImdsSettings.Resolve(new ImdsRequestOptions { TimeoutSeconds = 0.25, MaxAttempts = 1 }, env);

        Assert.Equal(TimeSpan.FromSeconds(2.5), fromEnvironment.Timeout);
        Assert.Equal(4, fromEnvironment.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(0.25), explicitOnes.Timeout);
        Assert.Equal(1, explicitOnes.MaxAttempts);
    }

    [Theory]
    [InlineData(ImdsSettings.TimeoutVariable, "soon")]
    [InlineData(ImdsSettings.TimeoutVariable, "0")]
    [InlineData(ImdsSettings.AttemptsVariable, "1.5")]
    [InlineData(ImdsSettings.AttemptsVariable, "-1")]
    public void ABadTimeoutOrAttemptsVariableNamesTheVariable(string variable, string value)
    {
        var env = new EnvironmentVariables { [variable] = value };

        var error = Assert.Throws<Ec2OpsException>(() => ImdsSettings.Resolve(environment: env));

        Assert.Equal("ImdsInvalidSetting", error.ErrorId);
        Assert.Contains(variable, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void ABadTimeoutParameterNamesTheParameter()
    {
        var error = Assert.Throws<Ec2OpsException>(() =>
            ImdsSettings.Resolve(new ImdsRequestOptions { TimeoutSeconds = 0 }, new EnvironmentVariables()));

        Assert.Contains("-TimeoutSec", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21601)]
    public void TokenLifetimeOutsideImdsRangeIsRejected(int ttl)
    {
        var error = Assert.Throws<Ec2OpsException>(() =>
            ImdsSettings.Resolve(new ImdsRequestOptions { TokenTtlSeconds = ttl }, new EnvironmentVariables()));

        Assert.Equal("ImdsInvalidTokenTtl", error.ErrorId);
    }

    [Fact]
    public void V1CanBeDisabledByParameterOrVariable()
    {
        Assert.False(ImdsSettings.Resolve(new ImdsRequestOptions { DisableImdsV1 = true }, new EnvironmentVariables()).AllowImdsV1);
        Assert.False(ImdsSettings.Resolve(environment: new EnvironmentVariables { [ImdsSettings.V1DisabledVariable] = "true" }).AllowImdsV1);
    }
}
