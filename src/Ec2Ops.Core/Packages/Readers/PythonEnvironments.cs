using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// One Python's search path for distributions (its sys.path, less the standard library): the
/// folders in the order importlib.metadata scans them.
/// </summary>
internal sealed record PythonEnvironment(string Label, string Key, IReadOnlyList<string> Roots);

/// <summary>
/// Finds the Pythons of this machine and their site- and dist-packages without running any of them:
/// from the file-system layout each kind of installation leaves, the way site.py builds sys.path.
/// <list type="bullet">
/// <item>PYTHONPATH entries come first in every environment.</item>
/// <item>$VIRTUAL_ENV and venvs found on PATH: pyvenv.cfg; only the venv's site-packages unless
/// include-system-site-packages is true (then the user site, the venv, then the base's).</item>
/// <item>$CONDA_PREFIX, pyenv (its shims resolved through PYENV_VERSION, .python-version or the
/// global version file) and any python3/python on PATH: the prefix of the real executable.</item>
/// <item>System Pythons: every pythonX.Y standard library under /usr and /usr/local. Debian's
/// /usr Python reads /usr/local/lib/pythonX.Y/dist-packages, /usr/lib/python3/dist-packages,
/// /usr/lib/pythonX.Y/dist-packages; Amazon Linux, Fedora and the rest read site-packages under
/// /usr/local/lib64, /usr/local/lib, /usr/lib64, /usr/lib.</item>
/// <item>The user site (~/.local/lib/pythonX.Y/site-packages, or under PYTHONUSERBASE) comes before
/// the system folders, unless PYTHONNOUSERSITE is set.</item>
/// </list>
/// </summary>
internal sealed partial class PythonEnvironments
{
    private readonly PackageSearchContext _context;
    private readonly List<PythonEnvironment> _found = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    private PythonEnvironments(PackageSearchContext context) => _context = context;

    /// <summary>The environments of the standard places, in the order a user meets them.</summary>
    public static IReadOnlyList<PythonEnvironment> Standard(PackageSearchContext context)
    {
        var finder = new PythonEnvironments(context);
        if (context.Environment.Get("VIRTUAL_ENV") is { } venv)
        {
            finder.AddVenv(finder.Absolute(venv));
        }

        if (context.Environment.Get("CONDA_PREFIX") is { } conda)
        {
            finder.AddPrefix(finder.Absolute(conda), label: "conda");
        }

        foreach (var folder in context.PathList("PATH"))
        {
            finder.AddInterpreters(finder.Absolute(folder));
        }

        foreach (var prefix in new[] { "/usr/local", "/usr" })
        {
            finder.AddPrefix(context.System(prefix));
        }

        return finder._found;
    }

    /// <summary>
    /// The environments that -Path names: a virtual environment (pyvenv.cfg), an installation prefix
    /// (lib/pythonX.Y), or else a folder read as a site-packages folder itself. Plain folders form one
    /// environment, in the order given, so the first match wins among them too.
    /// </summary>
    public static IReadOnlyList<PythonEnvironment> FromPaths(PackageSearchContext context, IReadOnlyList<string> paths)
    {
        var finder = new PythonEnvironments(context);
        var plain = new List<string>();
        foreach (var path in paths.Where(Directory.Exists))
        {
            if (File.Exists(Path.Combine(path, "pyvenv.cfg")))
            {
                finder.AddVenv(path, withPythonPath: false);
            }
            else if (StandardLibraries(path).Any())
            {
                finder.AddPrefix(path, withPythonPath: false);
            }
            else
            {
                plain.Add(path);
            }
        }

        if (plain.Count > 0)
        {
            finder._found.Insert(0, new PythonEnvironment("-Path", "-Path", plain));
        }

        return finder._found;
    }

    /// <summary>The X.Y of every standard library (pythonX.Y/os.py) under a prefix.</summary>
    private static IEnumerable<string> StandardLibraries(string prefix)
    {
        foreach (var lib in new[] { "lib", "lib64" })
        {
            var folder = Path.Combine(prefix, lib);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            string[] candidates;
            try
            {
                candidates = Directory.GetDirectories(folder, "python*");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var candidate in candidates.Order(StringComparer.Ordinal))
            {
                var match = VersionFolder().Match(Path.GetFileName(candidate));
                if (match.Success && File.Exists(Path.Combine(candidate, "os.py")))
                {
                    yield return match.Groups[1].Value;
                }
            }
        }

        if (File.Exists(Path.Combine(prefix, "Lib", "os.py")))
        {
            yield return string.Empty; // a Windows layout: Lib/site-packages, no version in the path
        }
    }

    private string Absolute(string path) => Path.GetFullPath(path, _context.WorkingDirectory);

    private IEnumerable<string> PythonPath() => _context.PathList("PYTHONPATH").Select(Absolute);

    private bool UserSiteEnabled => _context.Environment.Get("PYTHONNOUSERSITE") is null;

    private string UserBase => _context.Environment.Get("PYTHONUSERBASE") is { } userBase ? Absolute(userBase) : _context.Home(".local");

    private string UserSite(string version) => Path.Combine(UserBase, "lib", "python" + version, "site-packages");

    private void Add(string label, string key, IEnumerable<string> roots)
    {
        if (_keys.Add(key))
        {
            _found.Add(new PythonEnvironment(label, key, roots.Distinct(StringComparer.Ordinal).ToList()));
        }
    }

    // The site folders of an installation prefix, as site.getsitepackages() lists them for it.
    private IEnumerable<string> PrefixSites(string prefix, string version)
    {
        if (version.Length == 0)
        {
            yield return Path.Combine(prefix, "Lib", "site-packages");
            yield break;
        }

        var python = "python" + version;
        var isSystemUsr = Folders.Canonical(prefix) == Folders.Canonical(_context.System("/usr"));
        var isDebian = isSystemUsr
            && (Directory.Exists(_context.System("/usr/lib/python3/dist-packages")) || Directory.Exists(_context.System($"/usr/lib/{python}/dist-packages")))
            && !Directory.Exists(_context.System($"/usr/lib/{python}/site-packages"));
        if (isDebian)
        {
            yield return _context.System($"/usr/local/lib/{python}/dist-packages");
            if (version.StartsWith('3'))
            {
                yield return _context.System("/usr/lib/python3/dist-packages");
            }

            yield return _context.System($"/usr/lib/{python}/dist-packages");
        }
        else if (isSystemUsr)
        {
            yield return _context.System($"/usr/local/lib64/{python}/site-packages");
            yield return _context.System($"/usr/local/lib/{python}/site-packages");
            yield return _context.System($"/usr/lib64/{python}/site-packages");
            yield return _context.System($"/usr/lib/{python}/site-packages");
        }
        else
        {
            yield return Path.Combine(prefix, "lib64", python, "site-packages");
            yield return Path.Combine(prefix, "lib", python, "site-packages");
        }
    }

    private void AddPrefix(string prefix, string? label = null, bool withPythonPath = true, IEnumerable<string>? onlyVersions = null)
    {
        var versions = onlyVersions?.ToList() ?? StandardLibraries(prefix).Distinct().ToList();
        foreach (var version in versions)
        {
            var key = $"{Folders.Canonical(prefix)}|{version}";
            var name = version.Length == 0 ? "python" : "python" + version;
            var roots = new List<string>();
            if (withPythonPath)
            {
                roots.AddRange(PythonPath());
            }

            if (UserSiteEnabled && version.Length > 0)
            {
                roots.Add(UserSite(version));
            }

            roots.AddRange(PrefixSites(prefix, version));
            Add(label is null ? $"{name} {prefix}" : $"{label} {prefix}", key, roots);
        }
    }

    private void AddVenv(string venv, bool withPythonPath = true)
    {
        var config = ReadConfig(Path.Combine(venv, "pyvenv.cfg"));
        var sites = new List<string>();
        foreach (var lib in new[] { "lib64", "lib" })
        {
            var folder = Path.Combine(venv, lib);
            if (Directory.Exists(folder))
            {
                sites.AddRange(SafeDirectories(folder, "python*").Select(p => Path.Combine(p, "site-packages")).Where(Directory.Exists));
            }
        }

        sites.Add(Path.Combine(venv, "Lib", "site-packages"));
        var version = VersionOf(config) ?? sites.Select(s => VersionFolder().Match(Path.GetFileName(Path.GetDirectoryName(s)!))).FirstOrDefault(m => m.Success)?.Groups[1].Value;
        var roots = new List<string>();
        if (withPythonPath)
        {
            roots.AddRange(PythonPath());
        }

        var withSystem = config.TryGetValue("include-system-site-packages", out var include) && include.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (withSystem && UserSiteEnabled && version is not null)
        {
            roots.Add(UserSite(version));
        }

        roots.AddRange(sites);
        if (withSystem && config.TryGetValue("home", out var home) && version is not null)
        {
            var basePrefix = Path.GetFileName(Path.TrimEndingDirectorySeparator(home)) is "bin" or "Scripts" ? Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(home))! : home;
            roots.AddRange(PrefixSites(basePrefix, version));
        }

        Add($"venv {venv}", Folders.Canonical(venv), roots);
    }

    // python3 and python on one PATH folder: a venv, a pyenv shim, or an installation.
    private void AddInterpreters(string folder)
    {
        foreach (var name in new[] { "python3", "python" })
        {
            var file = Path.Combine(folder, name);
            if (!File.Exists(file))
            {
                continue;
            }

            var pyenvRoot = _context.Environment.Get("PYENV_ROOT") is { } root ? Absolute(root) : _context.Home(".pyenv");
            if (Folders.Canonical(folder) == Folders.Canonical(Path.Combine(pyenvRoot, "shims")))
            {
                AddPyenvSelection(pyenvRoot);
                continue;
            }

            // A venv's bin/python is a link to its base interpreter: pyvenv.cfg beside bin/ says it is a venv.
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder));
            if (parent is not null && File.Exists(Path.Combine(parent, "pyvenv.cfg")))
            {
                AddVenv(parent);
                continue;
            }

            var real = Folders.Canonical(file);
            var bin = Path.GetDirectoryName(real);
            var prefix = bin is null ? null : Path.GetDirectoryName(bin);
            if (prefix is null)
            {
                continue;
            }

            var match = VersionFolder().Match(Path.GetFileName(real));
            var versions = match.Success ? new[] { match.Groups[1].Value } : null;
            if (versions is not null && !StandardLibraries(prefix).Contains(versions[0]))
            {
                versions = null;
            }

            AddPrefix(prefix, onlyVersions: versions);
        }
    }

    // What pyenv's python3 shim runs: PYENV_VERSION, else the nearest .python-version, else the global version file.
    private void AddPyenvSelection(string pyenvRoot)
    {
        var selected = _context.Environment.Get("PYENV_VERSION");
        if (selected is null)
        {
            for (var folder = _context.WorkingDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
            {
                if (ReadFirstWord(Path.Combine(folder, ".python-version")) is { } local)
                {
                    selected = local;
                    break;
                }
            }
        }

        selected ??= ReadFirstWord(Path.Combine(pyenvRoot, "version"));
        var name = selected?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (name is null || name == "system")
        {
            return; // the system Python, found on its own
        }

        var prefix = Path.Combine(pyenvRoot, "versions", name);
        if (File.Exists(Path.Combine(prefix, "pyvenv.cfg")))
        {
            AddVenv(prefix);
        }
        else if (Directory.Exists(prefix))
        {
            AddPrefix(prefix, label: $"pyenv {name}");
        }
    }

    private static string? VersionOf(Dictionary<string, string> config)
    {
        foreach (var key in new[] { "version_info", "version" })
        {
            if (config.TryGetValue(key, out var value))
            {
                var parts = value.Split('.');
                if (parts.Length >= 2 && parts[0].All(char.IsAsciiDigit) && parts[1].All(char.IsAsciiDigit) && parts[0].Length > 0 && parts[1].Length > 0)
                {
                    return parts[0] + "." + parts[1];
                }
            }
        }

        return null;
    }

    private static Dictionary<string, string> ReadConfig(string file)
    {
        var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var equals = line.IndexOf('=');
                if (equals > 0)
                {
                    config[line[..equals].Trim()] = line[(equals + 1)..].Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return config;
    }

    private static string? ReadFirstWord(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            return File.ReadLines(file).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'))?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> SafeDirectories(string folder, string pattern)
    {
        try
        {
            return Directory.GetDirectories(folder, pattern).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    [GeneratedRegex(@"^python([23]\.[0-9]+)$")]
    private static partial Regex VersionFolder();
}
