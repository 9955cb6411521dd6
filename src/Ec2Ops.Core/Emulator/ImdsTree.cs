namespace Ec2Ops.Core.Emulator;

/// <summary>
/// The data the emulated IMDS serves: leaf values keyed by their path under <c>/latest/</c>
/// (e.g. <c>meta-data/instance-id</c>, <c>dynamic/instance-identity/document</c>, <c>user-data</c>).
/// Folders are implied by the leaves below them, so a folder exists exactly while it has a leaf.
/// Thread-safe: tests change it while the server answers requests.
/// </summary>
public sealed class ImdsTree
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, Func<string>> _leaves = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    /// <summary>Every leaf path, in listing (ordinal) order, without the <c>/latest/</c> prefix.</summary>
    public ValueList Paths
    {
        get
        {
            lock (_gate)
            {
                return new ValueList(_leaves.Keys.ToArray());
            }
        }
    }

    /// <summary>Number of leaf paths.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _leaves.Count;
            }
        }
    }

    /// <summary>
    /// Sets a leaf value. <paramref name="path"/> may be relative (<c>meta-data/ami-id</c>) or absolute
    /// (<c>/latest/meta-data/ami-id</c>). A path cannot turn an existing leaf into a folder or the reverse:
    /// remove it first.
    /// </summary>
    public override string ToString() => $"{Count} paths";

    public void Set(string path, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        SetSource(path, () => value);
    }

    /// <summary>Sets a leaf whose value is computed on every request (e.g. rotating credentials).</summary>
    public void Set(string path, Func<string> valueFactory)
    {
        ArgumentNullException.ThrowIfNull(valueFactory);
        SetSource(path, valueFactory);
    }

    /// <summary>Removes a leaf, or a folder with everything below it. Returns whether anything was removed.</summary>
    public bool Remove(string path)
    {
        string key = Normalize(path, allowEmpty: false);
        lock (_gate)
        {
            bool removed = _leaves.Remove(key);
            string prefix = key + "/";
            foreach (string child in _leaves.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _leaves.Remove(child);
                removed = true;
            }

            foreach (string label in _labels.Keys.Where(k => k == key || k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _labels.Remove(label);
            }

            return removed;
        }
    }

    /// <summary>
    /// Shows a folder under another name in its parent's listing, as the real IMDS lists
    /// <c>public-keys/</c> as <c>0=my-key</c> while <c>public-keys/0/</c> is the folder.
    /// </summary>
    public void SetListingLabel(string folderPath, string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        string key = Normalize(folderPath, allowEmpty: false);
        lock (_gate)
        {
            _labels[key] = label;
        }
    }

    /// <summary>The value of a leaf, or null when <paramref name="path"/> is not a leaf.</summary>
    public string? GetValue(string path)
    {
        string key = Normalize(path, allowEmpty: true);
        Func<string>? source;
        lock (_gate)
        {
            _leaves.TryGetValue(key, out source);
        }

        return source?.Invoke();
    }

    /// <summary>Whether <paramref name="path"/> is a folder (has at least one leaf below it). The root "" is a folder.</summary>
    public bool IsFolder(string path) => GetListing(path) is not null;

    /// <summary>
    /// The listing of a folder as IMDS sends it: one entry per child, sub-folders with a trailing
    /// <c>/</c> (or their listing label), in ordinal order. Null when <paramref name="path"/> is not a folder.
    /// </summary>
    public IReadOnlyList<string>? GetListing(string path)
    {
        string key = Normalize(path, allowEmpty: true);
        string prefix = key.Length == 0 ? "" : key + "/";
        var entries = new List<string>();
        lock (_gate)
        {
            string? last = null;
            foreach (string leaf in _leaves.Keys)
            {
                if (!leaf.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string rest = leaf.Substring(prefix.Length);
                int slash = rest.IndexOf('/');
                string name = slash < 0 ? rest : rest.Substring(0, slash);
                if (name == last)
                {
                    continue;
                }

                last = name;
                if (slash < 0)
                {
                    entries.Add(name);
                }
                else
                {
                    entries.Add(_labels.TryGetValue(prefix + name, out string? label) ? label : name + "/");
                }
            }
        }

        return entries.Count == 0 ? null : entries;
    }

    /// <summary>
    /// Turns a user path into the tree's key: drops the leading <c>/</c>, a leading <c>latest/</c>
    /// and a trailing <c>/</c>.
    /// </summary>
    internal static string Normalize(string path, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(path);
        string p = path.Trim().Trim('/');
        if (p == "latest")
        {
            p = "";
        }
        else if (p.StartsWith("latest/", StringComparison.Ordinal))
        {
            p = p.Substring("latest/".Length).TrimStart('/');
        }

        if (p.Length == 0 && !allowEmpty)
        {
            throw new Ec2OpsException(
                "EmulatorInvalidTreePath",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The metadata path '{path}' is empty; give a path under /latest/, e.g. 'meta-data/instance-id'.",
                path);
        }

        if (p.Contains("//", StringComparison.Ordinal))
        {
            throw new Ec2OpsException(
                "EmulatorInvalidTreePath",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The metadata path '{path}' has an empty segment ('//').",
                path);
        }

        return p;
    }

    private void SetSource(string path, Func<string> source)
    {
        string key = Normalize(path, allowEmpty: false);
        lock (_gate)
        {
            // A leaf may not sit where a folder is, nor below another leaf: IMDS paths are a tree.
            string prefix = key + "/";
            if (_leaves.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            {
                throw Conflict(path, $"'{key}' is a folder");
            }

            for (int i = key.IndexOf('/'); i >= 0; i = key.IndexOf('/', i + 1))
            {
                string ancestor = key.Substring(0, i);
                if (_leaves.ContainsKey(ancestor))
                {
                    throw Conflict(path, $"'{ancestor}' is a value, not a folder");
                }
            }

            _leaves[key] = source;
        }
    }

    private static Ec2OpsException Conflict(string path, string why) =>
        new(
            "EmulatorTreePathConflict",
            Ec2OpsErrorCategory.InvalidArgument,
            $"Cannot set the metadata path '{path}': {why}. Remove it first.",
            path)
        {
            RecommendedAction = "Call Remove on the conflicting path before setting this one.",
        };
}
