using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Emulator;

/// <summary>What the emulator found about a request's Signature Version 4 authorization.</summary>
internal sealed record AwsSignature(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature, string AmzDate);

/// <summary>
/// Checks that an AWS request carries a well-formed SigV4 <c>Authorization</c> header (algorithm,
/// credential scope, signed headers including host and x-amz-date, a 64-digit hex signature, a
/// request time within 15 minutes), and, when the emulator knows the secret of the access key (its
/// own dummy credentials, or the instance-profile credentials its IMDS serves), recomputes the
/// signature exactly as AWS does and compares.
/// </summary>
internal static partial class AwsSignatureCheck
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Null when the request passes; else the AWS error code and message to answer.</summary>
    public static (string Code, string Message)? Check(
        string method,
        string path,
        string query,
        Func<string, string?> header,
        byte[] body,
        string expectedService,
        DateTimeOffset now,
        Func<string, (string Secret, string? Token)?> secretOf,
        out AwsSignature? signature)
    {
        signature = null;
        var authorization = header("Authorization");
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return ("MissingAuthenticationToken", "Request is missing Authentication Token");
        }

        var match = AuthorizationPattern().Match(authorization.Trim());
        if (!match.Success)
        {
            return ("IncompleteSignature", $"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, with algorithm {Algorithm}. Authorization={authorization}");
        }

        var scope = match.Groups["credential"].Value.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || !DatePattern().IsMatch(scope[1]) || scope[2].Length == 0)
        {
            return ("IncompleteSignature", $"Credential should be scoped to a valid region, a date (yyyyMMdd) and 'aws4_request': '{match.Groups["credential"].Value}'.");
        }

        if (!string.Equals(scope[3], expectedService, StringComparison.Ordinal))
        {
            return ("SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{expectedService}'.");
        }

        var signedHeaders = match.Groups["headers"].Value.Split(';');
        if (signedHeaders.Any(h => h.Length == 0 || h != h.ToLowerInvariant()) || !signedHeaders.SequenceEqual(signedHeaders.Order(StringComparer.Ordinal)))
        {
            return ("IncompleteSignature", "SignedHeaders must be lowercase header names separated by ';', in sorted order.");
        }

        if (!signedHeaders.Contains("host"))
        {
            return ("IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var amzDate = header("X-Amz-Date");
        if (amzDate is null || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return ("IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header (X-Amz-Date as yyyyMMddTHHmmssZ).");
        }

        if (!signedHeaders.Contains("x-amz-date"))
        {
            return ("IncompleteSignature", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!amzDate.StartsWith(scope[1], StringComparison.Ordinal))
        {
            return ("SignatureDoesNotMatch", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate[..8]}'.");
        }

        if ((now - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            return ("SignatureDoesNotMatch", $"Signature expired: {amzDate} is now earlier than {now.UtcDateTime.AddMinutes(-15):yyyyMMdd'T'HHmmss'Z'} ({now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'} - 15 min.)");
        }

        signature = new AwsSignature(scope[0], scope[1], scope[2], scope[3], signedHeaders, match.Groups["signature"].Value, amzDate);
        foreach (var name in signedHeaders)
        {
            if (header(name) is null)
            {
                return ("SignatureDoesNotMatch", $"The request signature we calculated does not match the signature you provided: the signed header '{name}' was not sent.");
            }
        }

        if (secretOf(scope[0]) is not { } known)
        {
            // A key the emulator has no secret for (a user's real credentials): well-formed is all it can check.
            return null;
        }

        if (known.Token is not null && header("X-Amz-Security-Token") != known.Token)
        {
            return ("InvalidClientTokenId", "The security token included in the request is invalid.");
        }

        var expected = Compute(method, path, query, header, body, signedHeaders, amzDate, scope[1], scope[2], scope[3], known.Secret);
        return string.Equals(expected, signature.Signature, StringComparison.Ordinal)
            ? null
            : ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    /// <summary>The SigV4 signature of a request (AWS's algorithm: canonical request, string to sign, derived key).</summary>
    public static string Compute(
        string method,
        string path,
        string query,
        Func<string, string?> header,
        byte[] body,
        IReadOnlyList<string> signedHeaders,
        string amzDate,
        string date,
        string region,
        string service,
        string secret)
    {
        var payloadHash = header("X-Amz-Content-SHA256") is { Length: > 0 } declared && signedHeaders.Contains("x-amz-content-sha256")
            ? declared
            : Hex(SHA256.HashData(body));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(path)).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            canonical.Append(name).Append(':').Append(SpacesPattern().Replace(header(name)!.Trim(), " ")).Append('\n');
        }

        canonical.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n').Append(payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    private static string CanonicalPath(string path) =>
        path.Length == 0 ? "/" : string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));

    private static string CanonicalQuery(string query)
    {
        var trimmed = query.TrimStart('?');
        if (trimmed.Length == 0)
        {
            return "";
        }

        return string.Join('&', trimmed.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(kv[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""))))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + kv.Value));
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [GeneratedRegex(@"^AWS4-HMAC-SHA256\s+Credential=(?<credential>[^,\s]+),\s*SignedHeaders=(?<headers>[^,\s]+),\s*Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"^[0-9]{8}$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacesPattern();
}
