using System.Net;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>The IMDSv2 token protocol and the status codes, driven over HTTP.</summary>
public class EmulatorProtocolTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("60")]
    [InlineData("21600")]
    [InlineData(" 300 ")]
    public async Task TokenPutWithTtlInRangeAnswersTokenAndEchoesTtl(string ttl)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        using var response = await http.PutTokenAsync(ttl);
        string token = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ttl.Trim(), Assert.Single(response.Headers.GetValues(ImdsHttp.TtlHeader)));
        Assert.Equal(56, token.Length);
        Assert.DoesNotContain('\n', token);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("21601")]
    [InlineData("99999999999")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public async Task TokenPutWithMissingOrOutOfRangeTtlAnswers400(string? ttl)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        using var response = await http.PutTokenAsync(ttl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var logged = Assert.Single(emulator.Requests);
        Assert.Equal(("PUT", "/latest/api/token", 400), (logged.Method, logged.Path, logged.StatusCode));
    }

    [Fact]
    public async Task TokenTtlHeaderNameIsCaseInsensitive()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        using var response = await http.PutTokenAsync(ttl: null, r => r.Headers.TryAddWithoutValidation("x-AWS-ec2-METADATA-token-ttl-seconds", "30"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TokenPutThroughAProxyAnswers403()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        using var response = await http.PutTokenAsync("60", r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetWithValidTokenAnswersAndTokenHeaderNameIsCaseInsensitive()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();

        var exact = await http.GetAsync("/latest/meta-data/instance-id", token);
        var lower = await http.GetAsync("/latest/meta-data/instance-id", token, "x-aws-ec2-metadata-token");

        Assert.Equal((HttpStatusCode.OK, "i-0a1b2c3d4e5f67890"), exact);
        Assert.Equal((HttpStatusCode.OK, "i-0a1b2c3d4e5f67890"), lower);
        Assert.True(emulator.Requests[^1].HadToken);
    }

    [Fact]
    public async Task V2RequiredRefusesMissingAndInvalidTokensWith401()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        var missing = await http.GetAsync("/latest/meta-data/instance-id", token: null);
        var invalid = await http.GetAsync("/latest/meta-data/instance-id", token: "not-a-token");
        var missingOnUnknownPath = await http.GetAsync("/latest/meta-data/no-such-thing", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, missingOnUnknownPath.Status); // no path leaks without a token
        Assert.False(emulator.Requests[0].HadToken);
        Assert.True(emulator.Requests[1].HadToken);
    }

    [Fact]
    public async Task V1ModeServesTokenlessGetsButStillRefusesBadTokens()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        using var http = new ImdsHttp(emulator);

        var tokenless = await http.GetAsync("/latest/meta-data/instance-type", token: null);
        var invalid = await http.GetAsync("/latest/meta-data/instance-type", token: "forged");
        var valid = await http.GetAsync("/latest/meta-data/instance-type", await http.TokenAsync());

        Assert.False(emulator.RequireImdsV2);
        Assert.Equal((HttpStatusCode.OK, "t3.micro"), tokenless);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.Status);
        Assert.Equal((HttpStatusCode.OK, "t3.micro"), valid);
    }

    [Fact]
    public async Task RequireTokenCanBeSwitchedWhileRunning()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        emulator.Imds.RequireToken = false;
        var open = await http.GetAsync("/latest/meta-data/ami-id", null);
        emulator.Imds.RequireToken = true;
        var closed = await http.GetAsync("/latest/meta-data/ami-id", null);

        Assert.Equal(HttpStatusCode.OK, open.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.Status);
    }

    [Fact]
    public async Task TokenExpiresAfterItsTtlOnTheRealClock()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string longLived = await http.TokenAsync(ttl: 3600);
        var issued = System.Diagnostics.Stopwatch.StartNew();
        string shortLived = await http.TokenAsync(ttl: 1);

        var before = await http.GetAsync("/latest/meta-data/instance-id", shortLived);
        bool checkedInTime = issued.Elapsed < TimeSpan.FromMilliseconds(900);
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        var after = await http.GetAsync("/latest/meta-data/instance-id", shortLived);
        var other = await http.GetAsync("/latest/meta-data/instance-id", longLived);

        // On a machine too loaded to ask within the second, "before" may rightly be 401 already.
        Assert.Equal(checkedInTime ? HttpStatusCode.OK : before.Status, before.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public async Task TokenExpiryFollowsTheInjectedClockToTheSecond()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { TimeProvider = clock });
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync(ttl: 60);

        clock.Advance(TimeSpan.FromSeconds(59.9));
        var justBefore = await http.GetAsync("/latest/meta-data/instance-id", token);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var atExpiry = await http.GetAsync("/latest/meta-data/instance-id", token);

        Assert.Equal(HttpStatusCode.OK, justBefore.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, atExpiry.Status);
    }

    [Fact]
    public async Task ExpireAllTokensInvalidatesIssuedTokensButNotNewOnes()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string old = await http.TokenAsync();

        emulator.Imds.ExpireAllTokens();
        var withOld = await http.GetAsync("/latest/meta-data/instance-id", old);
        var withNew = await http.GetAsync("/latest/meta-data/instance-id", await http.TokenAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, withOld.Status);
        Assert.Equal(HttpStatusCode.OK, withNew.Status);
    }

    [Fact]
    public async Task DisabledImdsAnswers403ToEverything()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();

        emulator.Imds.Disabled = true;
        using var put = await http.PutTokenAsync("60");
        var get = await http.GetAsync("/latest/meta-data/instance-id", token);
        var root = await http.GetAsync("/", null);
        emulator.Imds.Disabled = false;
        var back = await http.GetAsync("/latest/meta-data/instance-id", token);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, get.Status);
        Assert.Equal(HttpStatusCode.Forbidden, root.Status);
        Assert.Equal(HttpStatusCode.OK, back.Status);
    }

    [Fact]
    public async Task ThrottleAnswers429ForExactlyTheNextNRequests()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();

        emulator.Imds.ThrottleNextRequests = 2;
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3; i++)
        {
            statuses.Add((await http.GetAsync("/latest/meta-data/instance-id", token)).Status);
        }

        Assert.Equal(new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK }, statuses);
        Assert.Equal(0, emulator.Imds.ThrottleNextRequests);
    }

    [Fact]
    public async Task ThrottleAlsoHitsTheTokenPut()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        emulator.Imds.ThrottleNextRequests = 1;
        using var first = await http.PutTokenAsync("60");
        using var second = await http.PutTokenAsync("60");

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task FailNextRequestsAnswersTheChosen5xx(int status)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();

        emulator.Imds.FailStatusCode = status;
        emulator.Imds.FailNextRequests = 1;
        var failed = await http.GetAsync("/latest/meta-data/instance-id", token);
        var ok = await http.GetAsync("/latest/meta-data/instance-id", token);

        Assert.Equal(status, (int)failed.Status);
        Assert.Equal(status == 500 ? "Internal Server Error" : "Service Unavailable", failed.Body);
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(new[] { 200, status, 200 }, emulator.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public void FailStatusCodeMustBe5xx()
    {
        using var emulator = Ec2OpsEmulator.Start();

        Assert.Throws<ArgumentOutOfRangeException>(() => emulator.Imds.FailStatusCode = 429);
        Assert.Equal(503, emulator.Imds.FailStatusCode);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    public async Task TokenStatusCodeSimulatesAV1OnlyImds(int status)
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        using var http = new ImdsHttp(emulator);

        emulator.Imds.TokenStatusCode = status;
        using var put = await http.PutTokenAsync("21600");
        var v1 = await http.GetAsync("/latest/meta-data/instance-id", null);

        Assert.Equal(status, (int)put.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "i-0a1b2c3d4e5f67890"), v1);
    }

    [Fact]
    public async Task ResponseDelayHoldsRepliesBackUntilTheClientGivesUp()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();
        using var impatient = new HttpClient { BaseAddress = emulator.Endpoint, Timeout = TimeSpan.FromMilliseconds(200) };

        emulator.Imds.ResponseDelay = TimeSpan.FromSeconds(30);
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetStringAsync("/latest/meta-data/instance-id"));
        emulator.Imds.ResponseDelay = TimeSpan.Zero;
        var prompt = await http.GetAsync("/latest/meta-data/instance-id", token);

        Assert.Equal(HttpStatusCode.OK, prompt.Status);
    }

    [Theory]
    [InlineData("POST", "/latest/meta-data/instance-id")]
    [InlineData("DELETE", "/latest/meta-data/")]
    [InlineData("PUT", "/latest/meta-data/instance-id")]
    [InlineData("GET", "/latest/api/token")]
    [InlineData("DELETE", "/latest/api/token")]
    public async Task OtherMethodsAnswer405(string method, string path)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("") };
        request.Headers.TryAddWithoutValidation(ImdsHttp.TokenHeader, token);
        request.Headers.TryAddWithoutValidation(ImdsHttp.TtlHeader, "60");

        using var response = await http.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains(path.EndsWith("token") ? "PUT" : "GET", response.Content.Headers.Allow);
    }

    [Fact]
    public void ResetPutsEverySwitchBack()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var s = emulator.Imds;
        s.Disabled = true;
        s.RequireToken = false;
        s.TokenStatusCode = 404;
        s.ThrottleNextRequests = 3;
        s.FailNextRequests = 2;
        s.FailStatusCode = 500;
        s.ResponseDelay = TimeSpan.FromSeconds(1);
        s.SpotInstanceAction = "{\"action\": \"stop\"}";

        s.Reset();

        Assert.False(s.Disabled);
        Assert.True(s.RequireToken);
        Assert.Null(s.TokenStatusCode);
        Assert.Equal(0, s.ThrottleNextRequests);
        Assert.Equal(0, s.FailNextRequests);
        Assert.Equal(503, s.FailStatusCode);
        Assert.Equal(TimeSpan.Zero, s.ResponseDelay);
        Assert.Null(s.SpotInstanceAction);
        Assert.Null(emulator.Tree.GetValue("meta-data/spot/instance-action"));
    }
}
