using System.Buffers.Binary;
using System.Text;
using Ec2Ops.Core;
using Ec2Ops.Core.Packages;
using Microsoft.Data.Sqlite;

namespace Ec2Ops.Tests.Packages;

/// <summary>
/// A throw-away machine: a temporary folder used as the file-system root, with helpers that write
/// realistic package metadata of every ecosystem, and a search context that sees only it.
/// </summary>
internal sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "ec2ops-packages-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Root);
        Home = Dir("home/admin");
        Environment = new EnvironmentVariables { ["PATH"] = Dir("usr/bin") };
    }

    public string Root { get; }

    public string Home { get; }

    public EnvironmentVariables Environment { get; }

    public RecordingOperationLog Log { get; } = new();

    public PackageSearchContext Context => new()
    {
        RootDirectory = Root,
        HomeDirectory = Home,
        WorkingDirectory = Home,
        Environment = Environment,
    };

    public PackageVersionService Service => new(Context, Log);

    public PackageSearchResult Find(params string[] names) => Service.Find(new PackageQuery { Names = names });

    public PackageSearchResult Find(PackageQuery query) => Service.Find(query);

    /// <summary>A folder under the fake root, created.</summary>
    public string Dir(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A wheel-installed distribution: name-version.dist-info/METADATA with a real header and body.</summary>
    public string DistInfo(string site, string name, string version, string? summary = "A package", string? folderName = null)
    {
        var folder = folderName ?? $"{name.Replace('-', '_')}-{version}.dist-info";
        return Write($"{site}/{folder}/METADATA", Metadata(name, version, summary));
    }

    public static string Metadata(string name, string version, string? summary) => $"""
        Metadata-Version: 2.1
        Name: {name}
        Version: {version}
        {(summary is null ? string.Empty : $"Summary: {summary}\n")}Home-page: https://example.org/{name}
        Author: Example Author
        License: MIT
        Classifier: Programming Language :: Python :: 3
        Requires-Python: >=3.8
        Requires-Dist: urllib3 (<3,>=1.21.1)
        Description-Content-Type: text/markdown

        # {name}

        Version: 0.0.0-this-is-the-body-and-is-never-read
        """.Replace("\r\n", "\n");

    /// <summary>A distutils-style egg-info: a folder with PKG-INFO, or a single file.</summary>
    public string EggInfo(string site, string name, string version, bool asFile, string summary = "An egg")
    {
        var text = $"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\nSummary: {summary}\nHome-page: UNKNOWN\n\nUNKNOWN\n";
        var folder = $"{site}/{name.Replace('-', '_')}-{version}-py3.11.egg-info";
        return asFile ? Write(folder, text) : Write(folder + "/PKG-INFO", text);
    }

    /// <summary>A module manifest as New-ModuleManifest writes it: nested hashtables, comments, arrays.</summary>
    public static string Manifest(string version, string? prerelease = null, string description = "Does things.", string extra = "") => $$"""
        #
        # Module manifest for module 'Sample'
        #
        @{

        # Script module or binary module file associated with this manifest.
        RootModule = 'Sample.psm1'

        # Version number of this module.
        ModuleVersion = '{{version}}'

        <# Supported PSEditions
           (both) #>
        CompatiblePSEditions = @('Core', 'Desktop')

        GUID = 'd0a9150d-b6a4-4b17-a325-e3a24fed0aa9'
        Author = "Example ""Quoted"" Author"
        Description = @'
        {{description}}
        '@
        PowerShellVersion = '5.1'
        FunctionsToExport = @(
            'Get-Sample', # the getter
            'Set-Sample'
        )
        CmdletsToExport = @()
        VariablesToExport = '*'
        FileList = 'a.ps1', 'b.ps1'; AliasesToExport = @()
        MaximumSize = 10kb
        {{extra}}
        PrivateData = @{
            PSData = @{
                Tags = @('sample', 'test')
                LicenseUri = 'https://example.org/license'
                {{(prerelease is null ? "# Prerelease = ''" : $"Prerelease = '{prerelease}'")}}
                ExternalModuleDependencies = @{ Name = 'Other'; Version = 1.0 }
            } # End of PSData hashtable
        } # End of PrivateData hashtable
        }
        """;

    public string Nuspec(string root, string id, string version, string description = "A NuGet package.")
    {
        var lower = id.ToLowerInvariant();
        return Write($"{root}/{lower}/{version.ToLowerInvariant()}/{lower}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata minClientVersion="2.12">
                <id>{id}</id>
                <version>{version}</version>
                <authors>Example</authors>
                <license type="expression">MIT</license>
                <description>{description}</description>
                <dependencies>
                  <group targetFramework="net8.0" />
                </dependencies>
              </metadata>
              <files><file src="x" /></files>
            </package>
            """);
    }

    public string PackageJson(string nodeModules, string name, string version, string description = "An npm package") =>
        Write($"{nodeModules}/{name}/package.json", $$"""
            {
              "name": "{{name}}",
              "description": "{{description}}",
              "keywords": ["a", "b"],
              "repository": { "type": "git", "url": "https://example.org/{{name}}.git" },
              "version": "{{version}}",
              "dependencies": { "x": "^1.0.0" }
            }
            """);

    /// <summary>An rpm header blob: index count, data length, index entries, data store (big-endian).</summary>
    public static byte[] RpmHeader(string? name, string? version, string? release, int? epoch = null, string? arch = "x86_64", string? summary = null, bool magic = false)
    {
        var entries = new List<(int Tag, int Type, int Offset, int Count)>();
        var data = new MemoryStream();
        void AddString(int tag, int type, string? value)
        {
            if (value is null)
            {
                return;
            }

            entries.Add((tag, type, (int)data.Length, 1));
            var bytes = Encoding.UTF8.GetBytes(value + "\0");
            data.Write(bytes);
        }

        // A real installed header starts with an immutable-region entry (tag 63, BIN) the reader ignores.
        entries.Add((63, 7, 0, 16));
        data.Write(new byte[16]);
        AddString(1000, 6, name);
        AddString(1001, 6, version);
        AddString(1002, 6, release);
        if (epoch is { } e)
        {
            while (data.Length % 4 != 0)
            {
                data.WriteByte(0);
            }

            entries.Add((1003, 4, (int)data.Length, 1));
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, e);
            data.Write(bytes);
        }

        AddString(1004, 9, summary);
        AddString(1022, 6, arch);
        var blob = new MemoryStream();
        void Int(int value)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            blob.Write(bytes);
        }

        if (magic)
        {
            blob.Write(new byte[] { 0x8E, 0xAD, 0xE8, 0x01, 0, 0, 0, 0 });
        }

        Int(entries.Count);
        Int((int)data.Length);
        foreach (var (tag, type, offset, count) in entries)
        {
            Int(tag);
            Int(type);
            Int(offset);
            Int(count);
        }

        data.WriteTo(blob);
        return blob.ToArray();
    }

    /// <summary>An rpmdb.sqlite with rpm's Packages table (and one of its index tables, as rpm creates them).</summary>
    public string RpmDatabase(string relative, params byte[]?[] headers)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = """
            CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB);
            CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES Packages(hnum));
            """;
        create.ExecuteNonQuery();
        foreach (var header in headers)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO Packages (blob) VALUES ($blob)";
            insert.Parameters.AddWithValue("$blob", (object?)header ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
