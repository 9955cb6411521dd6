using System.Text;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// Debian packages from dpkg's status database (<c>/var/lib/dpkg/status</c>, or a status file or
/// dpkg admin folder under -Path): RFC 822 stanzas; a package counts when its <c>Status:</c> says
/// its files are on disk (installed, or unpacked/half-configured/triggers-pending), not when it is
/// only remembered (not-installed, config-files). Versions order as dpkg orders them.
/// </summary>
internal sealed class DpkgReader : PackageReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public override PackageEcosystem Ecosystem => PackageEcosystem.Dpkg;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        var files = Databases(request);
        var order = 0L;
        foreach (var file in files)
        {
            result.AddSearched(file);
            foreach (var package in Read(file, request.Filter, result, request.Cancellation))
            {
                if (request.Filter.IsMatch(PackageEcosystem.Dpkg, package.Name))
                {
                    result.Add(package, order++);
                }
            }
        }
    }

    public override IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        return Databases(request).SelectMany(f => Read(f, request.Filter, result, request.Cancellation)).Select(p => p.Name).Distinct(StringComparer.Ordinal);
    }

    private static IReadOnlyList<string> Databases(ScanRequest request)
    {
        if (!request.HasPaths)
        {
            var status = request.Context.System("/var/lib/dpkg/status");
            return File.Exists(status) ? new[] { status } : Array.Empty<string>();
        }

        // -Path: a status file (any name that looks like one) or a dpkg admin folder holding "status".
        return request.Paths.Select(p => Directory.Exists(p) ? Path.Combine(p, "status") : p)
            .Where(p => File.Exists(p) && (Path.GetFileName(p) == "status" || LooksLikeStatus(p)))
            .ToArray();
    }

    private static bool LooksLikeStatus(string file)
    {
        try
        {
            using var reader = new StreamReader(file);
            var first = reader.ReadLine();
            return first is not null && first.StartsWith("Package:", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static List<PackageVersion> Read(string file, PackageNameFilter filter, ScanResult result, CancellationToken cancellation)
    {
        var packages = new List<PackageVersion>();
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
            var stanza = new Stanza();
            var lineNumber = 0;
            foreach (var line in Lines(stream))
            {
                lineNumber++;
                if (line.Length == 0 || (line.Length == 1 && line[0] == '\r'))
                {
                    Finish(stanza, file, filter, result, packages);
                    stanza = new Stanza();
                    if ((lineNumber & 0xFFF) == 0)
                    {
                        cancellation.ThrowIfCancellationRequested();
                    }

                    continue;
                }

                stanza.StartLine = stanza.StartLine == 0 ? lineNumber : stanza.StartLine;
                if (line[0] is (byte)' ' or (byte)'\t')
                {
                    continue; // a continuation line (Description, Conffiles): not needed
                }

                var colon = Array.IndexOf(line, (byte)':');
                if (colon <= 0)
                {
                    stanza.Problem ??= $"line {lineNumber} is not a 'Field: value' line";
                    continue;
                }

                var field = Encoding.ASCII.GetString(line, 0, colon);
                if (field is not ("Package" or "Status" or "Version" or "Architecture" or "Description"))
                {
                    continue;
                }

                string value;
                try
                {
                    value = StrictUtf8.GetString(line, colon + 1, line.Length - colon - 1).Trim();
                }
                catch (DecoderFallbackException)
                {
                    value = Encoding.Latin1.GetString(line, colon + 1, line.Length - colon - 1).Trim();
                    if (field is "Package" or "Version")
                    {
                        stanza.Problem ??= $"the {field} field (line {lineNumber}) is not valid UTF-8";
                    }
                }

                switch (field)
                {
                    case "Package":
                        stanza.Package = value;
                        break;
                    case "Status":
                        stanza.Status = value;
                        break;
                    case "Version":
                        stanza.Version = value;
                        break;
                    case "Architecture":
                        stanza.Architecture = value;
                        break;
                    default:
                        stanza.Description = value;
                        break;
                }
            }

            Finish(stanza, file, filter, result, packages);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(file, $"The dpkg status database cannot be read ({Folders.Reason(e)}); no Debian packages are listed from it.");
        }

        return packages;
    }

    private static void Finish(Stanza stanza, string file, PackageNameFilter filter, ScanResult result, List<PackageVersion> packages)
    {
        if (stanza.StartLine == 0)
        {
            return;
        }

        var where = $"{file}, {(stanza.Package is null ? $"the stanza at line {stanza.StartLine}" : $"package {stanza.Package}")}";
        if (stanza.Package is null)
        {
            result.Warn(where, $"The stanza has no Package field{(stanza.Problem is null ? string.Empty : $" ({stanza.Problem})")}; it is skipped.");
            return;
        }

        if (!filter.MightMatch(PackageEcosystem.Dpkg, stanza.Package))
        {
            return;
        }

        // Status: want flag state; only states whose files are on disk count.
        var state = stanza.Status?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 3 } words ? words[2] : null;
        if (state is null or "not-installed" or "config-files")
        {
            if (state is null && stanza.Status is not null)
            {
                result.Warn(where, $"The Status field '{stanza.Status}' is not 'want flag state'; the package is skipped.");
            }

            return;
        }

        if (stanza.Problem is not null)
        {
            result.Warn(where, $"Bad entry: {stanza.Problem}; the package is skipped.");
            return;
        }

        if (string.IsNullOrEmpty(stanza.Version))
        {
            result.Warn(where, "The package is installed but has no Version field (truncated database?); it is skipped.");
            return;
        }

        packages.Add(new PackageVersion
        {
            Name = stanza.Package,
            Version = stanza.Version,
            ParsedVersion = DebianVersion.TryParse(stanza.Version, out var parsed) ? parsed : null,
            Ecosystem = nameof(PackageEcosystem.Dpkg),
            Location = file,
            Summary = string.IsNullOrEmpty(stanza.Description) ? null : stanza.Description,
            Architecture = stanza.Architecture,
        });
    }

    // The lines of a file as bytes, without the line feed.
    private static IEnumerable<byte[]> Lines(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var length = 0;
        var start = 0;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, length - start);
            if (newline >= 0)
            {
                yield return buffer[start..newline];
                start = newline + 1;
                continue;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, length - start);
                length -= start;
                start = 0;
            }

            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                if (length > 0)
                {
                    yield return buffer[..length];
                }

                yield break;
            }

            length += read;
        }
    }

    private sealed class Stanza
    {
        public int StartLine { get; set; }

        public string? Package { get; set; }

        public string? Status { get; set; }

        public string? Version { get; set; }

        public string? Architecture { get; set; }

        public string? Description { get; set; }

        public string? Problem { get; set; }
    }
}
