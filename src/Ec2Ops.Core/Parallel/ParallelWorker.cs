namespace Ec2Ops.Core.Parallelism;

/// <summary>Where a running item sends what it writes. Called from the worker's own thread.</summary>
public interface IParallelItemContext
{
    /// <summary>One object written to the item's output.</summary>
    void Output(object? value);

    /// <summary>A record of another stream (verbose, warning, information, error, progress...), passed on at once.</summary>
    void Stream(object record);
}

/// <summary>
/// A reusable worker that runs one item at a time: a runspace, a worker process, or a delegate.
/// The runner owns it from <see cref="IParallelWorkerFactory.CreateAsync"/> to <see cref="IDisposable.Dispose"/>.
/// </summary>
public interface IParallelWorker : IDisposable
{
    /// <summary>Shown in results and messages, e.g. "Runspace 12", "Process 4242".</summary>
    string Name { get; }

    /// <summary>
    /// Runs one item to its end. Completes with null when it succeeded, with the item's own error when
    /// its script failed (the worker stays usable), and faults with <see cref="ParallelWorkerBrokenException"/>
    /// when the worker itself broke (it is then replaced).
    /// </summary>
    Task<Exception?> RunAsync(ParallelItem item, IParallelItemContext context);

    /// <summary>
    /// Stops the running item now (timeout, Ctrl+C): the runner reports the item and never reuses this
    /// worker; it disposes it. Must not block. Safe to call at any time, more than once.
    /// </summary>
    void Abort();
}

/// <summary>Starts workers; called once per throttle slot, and again to replace a worker that broke or was stopped.</summary>
public interface IParallelWorkerFactory
{
    Task<IParallelWorker> CreateAsync(int slot, CancellationToken cancellation);
}

/// <summary>The worker itself failed (its process died, its pipe broke); the item it ran fails and the worker is replaced.</summary>
public sealed class ParallelWorkerBrokenException : Exception
{
    public ParallelWorkerBrokenException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// An item's failure reported by a worker process: <see cref="Payload"/> is what the worker sent
/// (the PowerShell layer decodes it into an ErrorRecord). The message is a readable summary.
/// </summary>
public sealed class ParallelRemoteException : Exception
{
    public ParallelRemoteException(string message, string payload)
        : base(message)
    {
        Payload = payload;
    }

    public string Payload { get; }
}

/// <summary>Receives what a run produces. <see cref="OnCompleted"/> is never called concurrently and may block (back-pressure).</summary>
public interface IParallelSink
{
    /// <summary>A stream record from a running item, as it is written (any thread).</summary>
    void OnStream(ParallelItem item, object record);

    /// <summary>An item's result, in completion order, or in input order when the run is ordered.</summary>
    void OnCompleted(ParallelItemResult result);
}
