using System.Net;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>Plain HttpClient calls against an emulator, as any IMDS client would make them.</summary>
internal sealed class ImdsHttp : IDisposable
{
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

    public ImdsHttp(Ec2OpsEmulator emulator)
    {
        Client = new HttpClient { BaseAddress = emulator.Endpoint, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

    public async Task<HttpResponseMessage> PutTokenAsync(string? ttl = "21600", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/latest/api/token");
        if (ttl is not null)
        {
            request.Headers.TryAddWithoutValidation(TtlHeader, ttl);
        }

        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public async Task<string> TokenAsync(int ttl = 21600)
    {
        using var response = await PutTokenAsync(ttl.ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string? token, string tokenHeaderName = TokenHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(tokenHeaderName, token);
        }

        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET with a fresh token; asserts 200 and returns the body.</summary>
    public async Task<string> GetOkAsync(string path)
    {
        var (status, body) = await GetAsync(path, await TokenAsync());
        Assert.True(status == HttpStatusCode.OK, $"GET {path} answered {(int)status}: {body}");
        return body;
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>A clock tests move by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
