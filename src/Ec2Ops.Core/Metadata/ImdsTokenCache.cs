using System.Collections.Concurrent;

namespace Ec2Ops.Core.Metadata;

/// <summary>
/// IMDSv2 session tokens per endpoint, shared by every command of a PowerShell session so that a
/// token is fetched once and reused until shortly before it expires.
/// </summary>
public sealed class ImdsTokenCache
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The process-wide cache the cmdlets use.</summary>
    public static ImdsTokenCache Shared { get; } = new();

    public bool TryGet(Uri endpoint, DateTimeOffset now, out string token)
    {
        if (_tokens.TryGetValue(endpoint.AbsoluteUri, out var entry) && now < entry.RenewAt)
        {
            token = entry.Token;
            return true;
        }

        token = string.Empty;
        return false;
    }

    /// <summary>Keeps a token, to be renewed a little before it expires (10% of its life, at most a minute).</summary>
    public void Store(Uri endpoint, string token, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, lifetime.Ticks / 10));
        _tokens[endpoint.AbsoluteUri] = (token, issuedAt + lifetime - margin);
    }

    /// <summary>Forgets a token the service refused (401), unless another caller already replaced it.</summary>
    public void Invalidate(Uri endpoint, string token)
    {
        var key = endpoint.AbsoluteUri;
        if (_tokens.TryGetValue(key, out var entry) && entry.Token == token)
        {
            _tokens.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    public void Clear() => _tokens.Clear();
}
