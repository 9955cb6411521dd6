using System.Collections.ObjectModel;

namespace Ec2Ops.Core.Parallelism;

/// <summary>One input of a parallel run: its position in the input (0-based) and the value itself.</summary>
public sealed class ParallelItem
{
    public ParallelItem(long index, object? input)
    {
        Index = index;
        Input = input;
    }

    public long Index { get; }

    public object? Input { get; }

    /// <summary>The input as a short text for messages: its string form, cut at 60 characters, in quotes.</summary>
    public string Describe() => DescribeValue(Input);

    public static string DescribeValue(object? value)
    {
        string text = value?.ToString() ?? "(null)";
        text = text.ReplaceLineEndings(" ");
        return "'" + (text.Length > 60 ? text[..57] + "..." : text) + "'";
    }
}

/// <summary>How an item ended (the futures' done / failed / cancelled, plus the two timeouts).</summary>
public enum ParallelItemStatus
{
    /// <summary>The script ran to its end.</summary>
    Completed,

    /// <summary>The script threw, or its worker died while running it.</summary>
    Failed,

    /// <summary>Stopped by the per-item limit or by the whole-run limit while running.</summary>
    TimedOut,

    /// <summary>Never started: the whole-run limit had passed when its turn came.</summary>
    NotRun,
}

/// <summary>What became of one item: everything it wrote to output, or why it did not finish.</summary>
public sealed class ParallelItemResult
{
    internal ParallelItemResult(ParallelItem item, ParallelItemStatus status, IReadOnlyList<object?> output, Exception? error, string? errorId, Ec2OpsErrorCategory category, TimeSpan elapsed, string? worker)
    {
        Item = item;
        Status = status;
        Output = output;
        Error = error;
        ErrorId = errorId;
        Category = category;
        Elapsed = elapsed;
        Worker = worker;
    }

    public ParallelItem Item { get; }

    public ParallelItemStatus Status { get; }

    /// <summary>The objects the script wrote to its output, in the order written (empty unless Completed).</summary>
    public IReadOnlyList<object?> Output { get; }

    /// <summary>Why the item did not complete: the script's own exception, a <see cref="TimeoutException"/>, or a <see cref="ParallelWorkerBrokenException"/>.</summary>
    public Exception? Error { get; }

    /// <summary>The stable error id for <see cref="Error"/> (one of <see cref="ParallelErrorIds"/>).</summary>
    public string? ErrorId { get; }

    public Ec2OpsErrorCategory Category { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>The worker that ran it (e.g. "Runspace 12", "Process 4242"); null when it never ran.</summary>
    public string? Worker { get; }

    public bool Succeeded => Status == ParallelItemStatus.Completed;
}

/// <summary>The error ids of a parallel run, part of the public contract (FullyQualifiedErrorId).</summary>
public static class ParallelErrorIds
{
    /// <summary>The script block threw for this input.</summary>
    public const string ItemFailed = "ParallelItemFailed";

    /// <summary>The input ran longer than the per-item limit and was stopped.</summary>
    public const string ItemTimeout = "ParallelItemTimeout";

    /// <summary>The whole-run limit passed while the input ran, or before it started.</summary>
    public const string RunTimeout = "ParallelRunTimeout";

    /// <summary>The worker (process) died while running the input.</summary>
    public const string WorkerCrashed = "ParallelWorkerCrashed";

    /// <summary>A worker could not be started (no pwsh, a module that does not import, ...).</summary>
    public const string WorkerStartFailed = "ParallelWorkerStartFailed";
}

/// <summary>
/// One result of Invoke-Parallel -IncludeTiming: the input, everything its script block wrote, how long
/// it ran and on which worker (the future of concurrent.futures, once done).
/// </summary>
public sealed class ParallelResult
{
    public ParallelResult(long index, object? input, ParallelOutput output, TimeSpan elapsed, string worker)
    {
        Index = index;
        Input = input;
        Output = output;
        Elapsed = elapsed;
        Worker = worker;
    }

    /// <summary>The input's position in the input stream, from 0.</summary>
    public long Index { get; }

    public object? Input { get; }

    public ParallelOutput Output { get; }

    public TimeSpan Elapsed { get; }

    public string Worker { get; }

    public static ParallelResult From(ParallelItemResult result) =>
        new(result.Item.Index, result.Item.Input, new ParallelOutput(result.Output.ToArray()), result.Elapsed, result.Worker ?? "");
}

/// <summary>The output objects of one input; prints (and exports to CSV) as "a, b, c".</summary>
public sealed class ParallelOutput : ReadOnlyCollection<object?>
{
    public ParallelOutput(IList<object?> items)
        : base(items)
    {
    }

    public override string ToString() => string.Join(", ", this.Select(o => o?.ToString() ?? ""));
}
