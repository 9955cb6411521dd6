namespace Ec2Ops.Core;

/// <summary>
/// Where Core services send verbose, debug and warning messages. The cmdlet layer forwards them to
/// WriteVerbose / WriteDebug / WriteWarning on the pipeline thread; tests can record them.
/// Implementations must be thread-safe.
/// </summary>
public interface IOperationLog
{
    void Verbose(string message);

    void Debug(string message);

    void Warning(string message);
}

/// <summary>A log that drops everything: the default when a caller passes none.</summary>
public sealed class NullOperationLog : IOperationLog
{
    public static readonly NullOperationLog Instance = new();

    private NullOperationLog()
    {
    }

    public void Verbose(string message)
    {
    }

    public void Debug(string message)
    {
    }

    public void Warning(string message)
    {
    }
}

/// <summary>A log that keeps every message, for tests and for callers that report later.</summary>
public sealed class RecordingOperationLog : IOperationLog
{
    private readonly object _gate = new();
    private readonly List<(string Level, string Message)> _entries = new();

    public IReadOnlyList<(string Level, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level == "Warning").Select(e => e.Message);

    public void Verbose(string message) => Add("Verbose", message);

    public void Debug(string message) => Add("Debug", message);

    public void Warning(string message) => Add("Warning", message);

    private void Add(string level, string message)
    {
        lock (_gate)
        {
            _entries.Add((level, message));
        }
    }
}

/// <summary>
/// Progress of a long Core operation; the cmdlet layer turns it into Write-Progress.
/// <paramref name="PercentComplete"/> is 0..100, or -1 when unknown.
/// </summary>
public sealed record OperationProgress(string Activity, string Status, int PercentComplete, int? SecondsRemaining = null);
