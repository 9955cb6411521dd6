namespace Ec2Ops.Core;

/// <summary>The one rule for an endpoint a user gives (AWS services and IMDS alike).</summary>
internal static class HttpEndpoint
{
    /// <summary>
    /// An absolute http:// or https:// URL without a query, returned ending with a slash because
    /// the clients append their paths ("latest/...", "?Action=...") to it.
    /// </summary>
    internal static bool TryParse(string value, out Uri endpoint)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0)
        {
            endpoint = uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
            return true;
        }

        endpoint = null!;
        return false;
    }
}
