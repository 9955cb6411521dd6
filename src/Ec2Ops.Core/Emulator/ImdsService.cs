using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace Ec2Ops.Core.Emulator;

/// <summary>A reply the emulator sends: status, text body, extra headers and the content type (text/plain when null).</summary>
internal sealed record EmulatorResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string>? Headers = null, string? ContentType = null)
{
    public static EmulatorResponse Text(int status, string body) => new(status, body);
}

/// <summary>
/// The IMDS protocol, free of any HTTP server: the emulator hands it method, path and headers and
/// sends back what it answers. Follows the real service: token PUT (TTL 1..21600, 400 otherwise,
/// 403 with X-Forwarded-For), 401 for a missing/invalid/expired token, 403 when disabled, 405 for
/// other methods, 404 for unknown paths, folder listings with and without the trailing slash.
/// </summary>
internal sealed class ImdsService
{
    public const string TokenPath = "/latest/api/token";
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    public const int MaxTtlSeconds = 21600;

    // The metadata versions the real service lists at "/"; each serves the same data as "latest".
    private static readonly string[] Versions =
    {
        "1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15", "2008-02-01",
        "2008-09-01", "2009-04-04", "2011-01-01", "2011-05-01", "2012-01-12", "2014-02-25", "2014-11-05",
        "2015-10-20", "2016-04-19", "2016-06-30", "2016-09-02", "2018-03-28", "2018-08-17", "2018-09-24",
        "2019-10-01", "2020-10-27", "2021-01-03", "2021-03-23", "2021-07-15", "2022-09-24", "latest",
    };

    private static readonly HashSet<string> VersionSet = new(Versions, StringComparer.Ordinal);

    private readonly ImdsTree _tree;
    private readonly ImdsScenario _scenario;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, long Generation)> _tokens = new(StringComparer.Ordinal);

    public ImdsService(ImdsTree tree, ImdsScenario scenario, TimeProvider clock)
    {
        _tree = tree;
        _scenario = scenario;
        _clock = clock;
    }

    /// <summary>Whether a request path belongs to IMDS ("/", "/latest/...", "/2021-07-15/...").</summary>
    public static bool Owns(string path)
    {
        string first = path.TrimStart('/').Split('/', 2)[0];
        return first.Length == 0 || VersionSet.Contains(first);
    }

    /// <summary>Answers one request. <paramref name="header"/> looks a header up case-insensitively.</summary>
    public EmulatorResponse Handle(string method, string path, Func<string, string?> header)
    {
        if (_scenario.Disabled)
        {
            return EmulatorResponse.Text(403, "Forbidden");
        }

        if (_scenario.ConsumeThrottle())
        {
            return EmulatorResponse.Text(429, "Too Many Requests");
        }

        if (_scenario.ConsumeFailure())
        {
            int status = _scenario.FailStatusCode;
            return EmulatorResponse.Text(status, status switch
            {
                500 => "Internal Server Error",
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                504 => "Gateway Timeout",
                _ => "Server Error",
            });
        }

        if (path == TokenPath || path == TokenPath + "/")
        {
            return method == "PUT"
                ? IssueToken(header)
                : new EmulatorResponse(405, "Method Not Allowed", new Dictionary<string, string> { ["Allow"] = "PUT" });
        }

        if (method != "GET")
        {
            return new EmulatorResponse(405, "Method Not Allowed", new Dictionary<string, string> { ["Allow"] = "GET" });
        }

        string? token = header(TokenHeader);
        if (token is not null)
        {
            if (!IsValid(token))
            {
                return EmulatorResponse.Text(401, "Unauthorized");
            }
        }
        else if (_scenario.RequireToken)
        {
            return EmulatorResponse.Text(401, "Unauthorized");
        }

        return Get(path);
    }

    private EmulatorResponse IssueToken(Func<string, string?> header)
    {
        // The real IMDS refuses token requests that went through a proxy.
        if (header("X-Forwarded-For") is not null)
        {
            return EmulatorResponse.Text(403, "Forbidden");
        }

        if (_scenario.TokenStatusCode is { } forced)
        {
            return EmulatorResponse.Text(forced, forced switch
            {
                403 => "Forbidden",
                404 => "Not Found",
                405 => "Method Not Allowed",
                _ => "Token unavailable",
            });
        }

        string? ttlText = header(TtlHeader)?.Trim();
        if (ttlText is null
            || !int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out int ttl)
            || ttl < 1 || ttl > MaxTtlSeconds)
        {
            return EmulatorResponse.Text(400, "Bad Request");
        }

        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(42));
        DateTimeOffset now = _clock.GetUtcNow();
        if (_tokens.Count > 10_000)
        {
            foreach (var old in _tokens.Where(t => t.Value.Expires <= now).ToList())
            {
                _tokens.TryRemove(old.Key, out _);
            }
        }

        _tokens[token] = (now.AddSeconds(ttl), _scenario.TokenGeneration);
        return new EmulatorResponse(200, token, new Dictionary<string, string>
        {
            [TtlHeader] = ttl.ToString(CultureInfo.InvariantCulture),
        });
    }

    private bool IsValid(string token) =>
        _tokens.TryGetValue(token, out var entry)
        && entry.Generation == _scenario.TokenGeneration
        && _clock.GetUtcNow() < entry.Expires;

    private EmulatorResponse Get(string path)
    {
        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return EmulatorResponse.Text(200, string.Join('\n', Versions));
        }

        if (!VersionSet.Contains(segments[0]))
        {
            return NotFound();
        }

        string key = string.Join('/', segments.Skip(1));
        if (key.Length == 0)
        {
            // "/latest/" lists its three categories without trailing slashes, as the real service does.
            var top = new List<string>();
            if (_tree.IsFolder("dynamic"))
            {
                top.Add("dynamic");
            }

            if (_tree.IsFolder("meta-data"))
            {
                top.Add("meta-data");
            }

            if (_tree.GetValue("user-data") is not null)
            {
                top.Add("user-data");
            }

            return EmulatorResponse.Text(200, string.Join('\n', top));
        }

        if (_tree.GetValue(key) is { } value)
        {
            return EmulatorResponse.Text(200, value);
        }

        // A folder answers its listing with or without the trailing slash.
        if (_tree.GetListing(key) is { } listing)
        {
            return EmulatorResponse.Text(200, string.Join('\n', listing));
        }

        return NotFound();
    }

    private static EmulatorResponse NotFound() => EmulatorResponse.Text(404, "Not Found");
}
