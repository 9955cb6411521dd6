using Ec2Ops.Core.Packages.Versions;
using Microsoft.Data.Sqlite;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// RPM packages from the SQLite rpmdb of rpm 4.16 and later (Amazon Linux 2023, Fedora 33+, RHEL 9):
/// <c>/var/lib/rpm/rpmdb.sqlite</c> or <c>/usr/lib/sysimage/rpm/rpmdb.sqlite</c>, or one under
/// -Path. The table <c>Packages(hnum, blob)</c> holds one rpm header per installed package; each is
/// parsed for NAME, EPOCH, VERSION, RELEASE, ARCH and SUMMARY (<see cref="RpmHeader"/>). The
/// database is opened read-only through Microsoft.Data.Sqlite, and when that fails (a WAL database
/// in a folder this user cannot write) as an immutable file. The Berkeley DB rpmdb of older rpm
/// (Amazon Linux 2, /var/lib/rpm/Packages) is not read: a warning says so.
/// </summary>
internal sealed class RpmReader : PackageReader
{
    public override PackageEcosystem Ecosystem => PackageEcosystem.Rpm;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        long order = 0;
        foreach (var database in Databases(request, result))
        {
            result.AddSearched(database);
            foreach (var package in Read(database, request.Filter, result, request.Cancellation))
            {
                if (request.Filter.IsMatch(PackageEcosystem.Rpm, package.Name))
                {
                    result.Add(package, order++);
                }
            }
        }
    }

    private static IReadOnlyList<string> Databases(ScanRequest request, ScanResult result)
    {
        var candidates = request.HasPaths
            ? request.Paths.Select(p => Directory.Exists(p) ? Path.Combine(p, "rpmdb.sqlite") : p)
                .Where(p => File.Exists(p) && (p.EndsWith(".sqlite", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(p).StartsWith("rpmdb", StringComparison.Ordinal)))
            : new[] { "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite" }.Select(request.Context.System).Where(File.Exists);
        var databases = candidates.DistinctBy(Folders.Canonical).ToArray();

        if (databases.Length == 0)
        {
            var folders = request.HasPaths ? request.Paths.Where(Directory.Exists) : new[] { request.Context.System("/var/lib/rpm") };
            foreach (var folder in folders)
            {
                var berkeley = Path.Combine(folder, "Packages");
                if (File.Exists(berkeley))
                {
                    result.AddSearched(berkeley);
                    result.Warn(berkeley, "This is a Berkeley DB rpmdb (rpm older than 4.16, e.g. Amazon Linux 2), which is not read; only the SQLite rpmdb (rpmdb.sqlite) is. Use 'rpm -q' there.");
                }
            }
        }

        return databases;
    }

    private static List<PackageVersion> Read(string database, PackageNameFilter filter, ScanResult result, CancellationToken cancellation)
    {
        var packages = new List<PackageVersion>();
        try
        {
            SqliteNative.EnsureResolvable();
            using var connection = Open(database);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT hnum, blob FROM Packages ORDER BY hnum";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellation.ThrowIfCancellationRequested();
                var number = reader.GetInt64(0);
                if (reader.IsDBNull(1))
                {
                    result.Warn($"{database}, header #{number}", "The package header is empty; it is skipped.");
                    continue;
                }

                var blob = (byte[])reader.GetValue(1);
                if (ReadHeader(blob, database, number, filter, result) is { } package)
                {
                    packages.Add(package);
                }
            }
        }
        catch (SqliteException e)
        {
            result.Warn(database, $"The rpm database cannot be read (SQLite error {e.SqliteErrorCode}: {e.Message.Split('\n')[0]}); no RPM packages are listed from it.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(database, $"The rpm database cannot be read ({Folders.Reason(e)}); no RPM packages are listed from it.");
        }

        return packages;
    }

    // Read-only first; a WAL database whose -shm this user cannot create opens as immutable instead.
    private static SqliteConnection Open(string database)
    {
        var readOnly = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            readOnly.Open();
            using var probe = readOnly.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            probe.ExecuteScalar();
            return readOnly;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 8 or 14) // SQLITE_READONLY, SQLITE_CANTOPEN
        {
            readOnly.Dispose();
            var immutable = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = new Uri(Path.GetFullPath(database)).AbsoluteUri + "?immutable=1",
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            immutable.Open();
            return immutable;
        }
    }

    private static PackageVersion? ReadHeader(byte[] blob, string database, long number, PackageNameFilter filter, ScanResult result)
    {
        string? name = null;
        try
        {
            var header = RpmHeader.Parse(blob);
            name = header.GetString(RpmHeader.TagName);
            if (string.IsNullOrEmpty(name))
            {
                result.Warn($"{database}, header #{number}", "The package header has no NAME; it is skipped.");
                return null;
            }

            if (!filter.MightMatch(PackageEcosystem.Rpm, name))
            {
                return null;
            }

            var version = header.GetString(RpmHeader.TagVersion);
            if (string.IsNullOrEmpty(version))
            {
                result.Warn($"{database}, package {name}", "The package header has no VERSION; it is skipped.");
                return null;
            }

            var release = header.GetString(RpmHeader.TagRelease);
            var epoch = header.GetInt32(RpmHeader.TagEpoch);
            var parsed = RpmVersion.From(epoch, version, release, out var evr) ? evr : null;
            return new PackageVersion
            {
                Name = name,
                Version = (epoch is { } e ? $"{e}:" : string.Empty) + version + (release is null ? string.Empty : "-" + release),
                ParsedVersion = parsed,
                Ecosystem = nameof(PackageEcosystem.Rpm),
                Location = database,
                Summary = header.GetString(RpmHeader.TagSummary),
                Architecture = header.GetString(RpmHeader.TagArch),
            };
        }
        catch (RpmHeaderException e)
        {
            result.Warn($"{database}, {(name is null ? $"header #{number}" : $"package {name}")}", $"The package header is malformed ({e.Message}); it is skipped.");
            return null;
        }
    }
}
