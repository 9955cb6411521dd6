using System.Collections;

namespace Ec2Ops.Core;

/// <summary>
/// The process environment as Core reads and writes it. Services take this instead of calling
/// <see cref="Environment"/> directly so tests can give each case its own variables.
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>The value, with an empty value read as not set (null), as the AWS SDKs read settings.</summary>
    string? Get(string name);

    /// <summary>
    /// The value exactly as it is: null when the variable does not exist, "" when it is set to the
    /// empty string (PowerShell 7.6 keeps <c>$env:X = ''</c> set). For putting a value back exactly.
    /// </summary>
    string? GetExact(string name) => Get(name);

    /// <summary>Sets a variable; <c>null</c> removes it.</summary>
    void Set(string name, string? value);
}

/// <summary>The real process environment (what <c>$env:NAME</c> reads and writes in PowerShell).</summary>
public sealed class ProcessEnvironment : IEnvironmentVariables
{
    public static readonly ProcessEnvironment Instance = new();

    private ProcessEnvironment()
    {
    }

    public string? Get(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public string? GetExact(string name) => Environment.GetEnvironmentVariable(name);

    public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, value);
}

/// <summary>An in-memory environment for tests and for callers that pass explicit settings.</summary>
public sealed class EnvironmentVariables : IEnvironmentVariables, IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string? Get(string name) => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string? GetExact(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public void Set(string name, string? value)
    {
        if (value is null)
        {
            _values.Remove(name);
        }
        else
        {
            _values[name] = value;
        }
    }

    /// <summary>Collection-initializer support: <c>new EnvironmentVariables { ["A"] = "1" }</c>.</summary>
    public string? this[string name]
    {
        get => Get(name);
        set => Set(name, value);
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
