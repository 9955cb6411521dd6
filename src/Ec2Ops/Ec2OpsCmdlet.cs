using System.Collections.Concurrent;
using System.Management.Automation;
using Ec2Ops.Core;

namespace Ec2Ops.Commands;

/// <summary>
/// Base of every Ec2Ops cmdlet. It owns the Ctrl+C token (cancelled by StopProcessing), maps Core's
/// <see cref="Ec2OpsException"/> to ErrorRecords, and runs async Core work off the pipeline thread
/// while everything that must be written (objects, errors, verbose, warnings, progress) is queued
/// back and written on the pipeline thread, the only thread PowerShell allows to write.
/// </summary>
public abstract class Ec2OpsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private IOperationLog? _directLog;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <summary>
    /// A log that writes straight to the verbose/debug/warning streams. Use it only on the pipeline
    /// thread (synchronous Core calls); inside <see cref="RunCore{T}"/> use the session's log.
    /// </summary>
    protected IOperationLog Log => _directLog ??= new DirectLog(this);

    /// <summary>The Activity text of progress records; defaults to the cmdlet's name.</summary>
    protected virtual string ProgressActivity => MyInvocation?.MyCommand?.Name ?? GetType().Name;

    /// <summary>
    /// Writes a verbose line without ever prompting. PowerShell gives the verbose stream an Inquire
    /// preference when only -Debug is passed (MshCommandRuntime.VerbosePreference), so a plain
    /// WriteVerbose would ask "Continue with this operation?" before each line and fail under
    /// -NonInteractive. Under -Debug without -Verbose the line goes to the debug stream instead,
    /// which -Debug prints.
    /// </summary>
    public new void WriteVerbose(string text)
    {
        if (IsDebugWithoutVerbose)
        {
            WriteDebug(text);
        }
        else
        {
            base.WriteVerbose(text);
        }
    }

    private bool IsDebugWithoutVerbose =>
        MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true }
        && !MyInvocation.BoundParameters.ContainsKey("Verbose");

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    /// <summary>Runs async Core work and writes what it queues until it ends. See <see cref="RunCore{T}"/>.</summary>
    protected void RunCore(Func<CoreSession, Task> work) =>
        RunCore<object?>(async session =>
        {
            await work(session).ConfigureAwait(false);
            return null;
        });

    /// <summary>
    /// Runs <paramref name="work"/> off the pipeline thread and pumps what it writes through its
    /// <see cref="CoreSession"/> onto the pipeline until it finishes. An <see cref="Ec2OpsException"/>
    /// that escapes becomes a terminating error; Ctrl+C stops at once even if the work ignores its token.
    /// </summary>
    protected T RunCore<T>(Func<CoreSession, Task<T>> work)
    {
        var session = new CoreSession(StopToken, ProgressActivity);

        // Started on a thread of its own, and the pipeline told of its end synchronously: neither
        // waits for a thread-pool thread, so a starved pool cannot delay the start or hide the end
        // (Core's timeouts fire on their own thread too, see DeadlineTimer).
        var task = Task.Factory.StartNew(() => work(session), StopToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        task.ContinueWith(_ => session.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        try
        {
            foreach (var write in session.Pending(StopToken))
            {
                write(this);
            }

            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
            throw; // unreachable: ThrowTerminatingError throws
        }
        finally
        {
            session.Complete();
            session.CompleteProgress(this);
        }
    }

    /// <summary>Writes a non-terminating error; the item it is about becomes the TargetObject.</summary>
    protected void WriteCoreError(Ec2OpsException error, object? targetObject = null) =>
        WriteError(CoreErrors.ToErrorRecord(error, targetObject));

    /// <summary>Stops the cmdlet with a terminating error.</summary>
    protected void ThrowCoreError(Ec2OpsException error, object? targetObject = null) =>
        ThrowTerminatingError(CoreErrors.ToErrorRecord(error, targetObject));

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class DirectLog(Ec2OpsCmdlet cmdlet) : IOperationLog
    {
        public void Verbose(string message) => cmdlet.WriteVerbose(message);

        public void Debug(string message) => cmdlet.WriteDebug(message);

        public void Warning(string message) => cmdlet.WriteWarning(message);
    }
}

/// <summary>
/// What async Core work may write while it runs on another thread. Every call is queued and written
/// on the pipeline thread by <see cref="Ec2OpsCmdlet"/>, in the order it was made.
/// </summary>
public sealed class CoreSession : IOperationLog, IProgress<OperationProgress>
{
    // One progress bar per cmdlet invocation; the id only has to be unique among nested bars.
    private static int s_nextActivityId;

    private readonly BlockingCollection<Action<Ec2OpsCmdlet>> _queue = new();
    private readonly string _activity;
    private readonly int _activityId = Interlocked.Increment(ref s_nextActivityId);
    private readonly System.Diagnostics.Stopwatch _age = System.Diagnostics.Stopwatch.StartNew();
    private bool _progressShown;

    internal CoreSession(CancellationToken cancellation, string activity)
    {
        Cancellation = cancellation;
        _activity = activity;
    }

    public CancellationToken Cancellation { get; }

    /// <summary>This session as a Core log (verbose, debug, warning).</summary>
    public IOperationLog Log => this;

    /// <summary>This session as a Core progress sink.</summary>
    public IProgress<OperationProgress> Progress => this;

    public void WriteObject(object? item) => Enqueue(c => c.WriteObject(item));

    /// <summary>A non-terminating error for one item; the work goes on with the next.</summary>
    public void WriteError(Ec2OpsException error, object? targetObject = null) =>
        Enqueue(c => c.WriteError(CoreErrors.ToErrorRecord(error, targetObject)));

    public void Verbose(string message) => Enqueue(c => c.WriteVerbose(message));

    public void Debug(string message) => Enqueue(c => c.WriteDebug(message));

    public void Warning(string message) => Enqueue(c => c.WriteWarning(message));

    /// <summary>
    /// Work shorter than this shows no progress bar: a bar that flashes for a few milliseconds is noise
    /// (and slows quick commands). Longer work shows its bar from then on.
    /// </summary>
    internal static TimeSpan ProgressDelay { get; } = TimeSpan.FromSeconds(1);

    public void Report(OperationProgress value)
    {
        if (_age.Elapsed >= ProgressDelay)
        {
            Enqueue(c => WriteProgress(c, value));
        }
    }

    private void WriteProgress(Ec2OpsCmdlet c, OperationProgress value)
    {
        _progressShown = true;
        c.WriteProgress(new ProgressRecord(_activityId, value.Activity.Length > 0 ? value.Activity : _activity, value.Status)
        {
            PercentComplete = Math.Clamp(value.PercentComplete, -1, 100),
            SecondsRemaining = value.SecondsRemaining ?? -1,
        });
    }

    internal IEnumerable<Action<Ec2OpsCmdlet>> Pending(CancellationToken stop) => _queue.GetConsumingEnumerable(stop);

    /// <summary>Ends the session: writes made after this are dropped. Safe to call more than once.</summary>
    internal void Complete() => _queue.CompleteAdding();

    internal void CompleteProgress(Cmdlet cmdlet)
    {
        if (_progressShown)
        {
            _progressShown = false;
            cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void Enqueue(Action<Ec2OpsCmdlet> write)
    {
        // After the work is finished (or the pipeline stopped) late writes have nowhere to go.
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(write);
            }
            catch (InvalidOperationException)
            {
                // Completed between the check and the add: same as above.
            }
        }
    }
}

/// <summary>The one place Core errors become PowerShell ErrorRecords.</summary>
internal static class CoreErrors
{
    public static ErrorRecord ToErrorRecord(Ec2OpsException error, object? targetObject = null)
    {
        // Ec2OpsErrorCategory members are named exactly like ErrorCategory members.
        var category = Enum.TryParse<ErrorCategory>(error.Category.ToString(), out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(error, error.ErrorId, category, targetObject ?? error.TargetObject);
        if (error.RecommendedAction is { Length: > 0 } action)
        {
            record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = action };
        }

        return record;
    }
}
