namespace Ec2Ops.Core.Metadata;

/// <summary>
/// Turns what a user types into the absolute IMDS path to request. Accepted: paths under
/// meta-data (<c>instance-id</c>, <c>placement/region</c>, <c>network/interfaces/macs/</c>), and the
/// absolute forms <c>/latest/meta-data/...</c>, <c>/latest/dynamic/...</c>, <c>/latest/user-data</c>
/// (with or without the leading slash). A trailing slash, or a well-known folder name, asks for a listing.
/// </summary>
public static class ImdsPath
{
    public const string Root = "/latest/";
    public const string MetaData = "/latest/meta-data/";
    public const string Dynamic = "/latest/dynamic/";
    public const string UserData = "/latest/user-data";
    public const string Token = "/latest/api/token";
    public const string IdentityDocument = "/latest/dynamic/instance-identity/document";

    public static string Normalize(string? input)
    {
        var path = (input ?? string.Empty).Trim();
        Validate(path, input);

        if (path.Length == 0 || path == "/")
        {
            return MetaData;
        }

        if (path.StartsWith("latest", StringComparison.Ordinal))
        {
            path = "/" + path;
        }

        string absolute;
        if (path == "/latest" || path.StartsWith(Root, StringComparison.Ordinal))
        {
            absolute = path == "/latest" ? Root : path;
        }
        else
        {
            absolute = MetaData + path.TrimStart('/');
        }

        if (absolute.StartsWith("/latest/api/", StringComparison.Ordinal) || absolute == "/latest/api")
        {
            throw new Ec2OpsException(
                "ImdsInvalidPath",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The metadata path '{input}' is the IMDSv2 session-token endpoint, which is written to (PUT) to get a token, not metadata to read. Get-InstanceMetadata gets and sends the token itself.",
                input)
            {
                RecommendedAction = "Ask for metadata instead, such as instance-id or /latest/dynamic/instance-identity/document.",
            };
        }

        // A folder asked for without its slash still means the folder (IMDS itself answers both).
        return !absolute.EndsWith('/') && KnownMetadataPaths.IsFolder(absolute) ? absolute + "/" : absolute;
    }

    public static bool IsFolder(string absolutePath) => absolutePath.EndsWith('/');

    /// <summary>The last segment: <c>region</c> for <c>/latest/meta-data/placement/region</c>.</summary>
    public static string NameOf(string absolutePath) =>
        absolutePath.TrimEnd('/').Split('/').Last();

    /// <summary>
    /// The children of a folder listing. IMDS marks sub-folders with a trailing slash, except in
    /// two places: /latest/ lists its folders bare, and public-keys/ lists <c>0=key-name</c> for folder <c>0/</c>.
    /// An entry that is not a plain name (a '/' inside, '..', '%', a control character: anything
    /// that would make the client ask for another path than a child) is an <c>ImdsInvalidListing</c>
    /// error: listings come from the network and are checked like -Path input.
    /// </summary>
    public static IReadOnlyList<string> ChildPaths(string folderPath, string listing)
    {
        var children = new List<string>();
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            CheckListingEntry(folderPath, line);

            if (folderPath == Root)
            {
                children.Add(Root + line + (line == "user-data" ? string.Empty : "/"));
            }
            else if (folderPath.EndsWith("/public-keys/", StringComparison.Ordinal) && line.IndexOf('=') is var eq and > 0)
            {
                children.Add(folderPath + line[..eq] + "/");
            }
            else
            {
                children.Add(folderPath + line);
            }
        }

        return children;
    }

    private static void CheckListingEntry(string folderPath, string entry)
    {
        string name = entry.EndsWith('/') ? entry[..^1] : entry;
        string? problem = entry.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "it contains white space or a control character"
            : name.IndexOfAny(new[] { '/', '?', '#', '\\', '%' }) >= 0 ? "it contains one of / ? # \\ %"
            : name is "" or "." or ".." ? "it is not a name"
            : name.Length > 255 ? "it is longer than 255 characters"
            : null;
        if (problem is not null)
        {
            string shown = entry.Length <= 60 ? entry : entry[..60] + "...";
            throw new Ec2OpsException(
                "ImdsInvalidListing",
                Ec2OpsErrorCategory.InvalidData,
                $"The listing of {folderPath} names '{shown.Replace("\r", "\\r").Replace("\t", "\\t")}', which is not a metadata name ({problem}); the listing was not followed.",
                folderPath)
            {
                RecommendedAction = "Check that the endpoint is the instance metadata service (-Endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT).",
            };
        }
    }

    private static void Validate(string path, string? original)
    {
        string? problem = null;
        if (path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problem = "it contains white space";
        }
        else if (path.IndexOfAny(new[] { '?', '#', '\\', '%' }) >= 0)
        {
            problem = "it contains one of ? # \\ %";
        }
        else if (path.Split('/').Any(s => s is "." or ".."))
        {
            problem = "it contains a '.' or '..' segment";
        }
        else if (path.Contains("//", StringComparison.Ordinal))
        {
            problem = "it contains an empty segment (//)";
        }

        if (problem is not null)
        {
            throw new Ec2OpsException(
                "ImdsInvalidPath",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The metadata path '{original}' is not valid: {problem}. Use a path such as instance-id, placement/region or /latest/dynamic/instance-identity/document.",
                original);
        }
    }
}
