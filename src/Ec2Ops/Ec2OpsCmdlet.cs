using System.Threading.Channels;
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
    /// The session's queue is bounded: work that writes faster than the pipeline consumes waits (back-pressure).
    /// </summary>
    protected T RunCore<T>(Func<CoreSession, Task<T>> work)
    {
        var session = CreateCoreSession();

        // Started on a thread of its own, and the pipeline told of its end synchronously (StartCore):
        // neither waits for a thread-pool thread, so a starved pool cannot delay the start or hide
        // the end (Core's timeouts fire on their own thread too, see DeadlineTimer).
        var task = Task.Factory.StartNew(() => work(session), StopToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var run = StartCore(session, task);
        try
        {
            PumpCore(run, task);
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
            EndCore(run);
        }
    }

    /// <summary>
    /// A session for Core work that outlives one call (a cmdlet that streams its pipeline input into
    /// Core): create it, start the work with <see cref="StartCore"/>, write what is ready in every
    /// ProcessRecord with <see cref="PumpCore"/> or <see cref="DrainCore"/>, and end with <see cref="FinishCore"/>.
    /// </summary>
    protected CoreSession CreateCoreSession() => new(this, StopToken, ProgressActivity, WriteQueueCapacity);

    /// <summary>How many writes Core work may queue before it waits for the pipeline (back-pressure).</summary>
    protected virtual int WriteQueueCapacity => CoreSession.DefaultCapacity;

    /// <summary>Ties running <paramref name="work"/> to <paramref name="session"/>: the session ends when the work does.</summary>
    protected static CoreRun StartCore(CoreSession session, Task work)
    {
        work.ContinueWith(_ => session.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new CoreRun(session, work);
    }

    /// <summary>Writes everything the work has queued so far, without waiting; throws if the work failed.</summary>
    protected void DrainCore(CoreRun run)
    {
        while (run.Session.TryRead(out var write))
        {
            write(this);
        }

        ThrowIfWorkFailed(run);
    }

    /// <summary>
    /// Writes what the work queues until <paramref name="until"/> completes (e.g. a submission waiting for
    /// room) or the work ends; throws the work's failure (terminating) and PipelineStoppedException on Ctrl+C.
    /// </summary>
    protected void PumpCore(CoreRun run, Task until)
    {
        var session = run.Session;
        try
        {
            while (true)
            {
                while (session.TryRead(out var write))
                {
                    write(this);
                }

                if (until.IsCompleted || run.Work.IsCompleted)
                {
                    // Whatever the work wrote before it ended is written before returning.
                    while (session.TryRead(out var write))
                    {
                        write(this);
                    }

                    break;
                }

                var more = session.WaitToReadAsync(StopToken);
                if (!more.IsCompleted)
                {
                    Task.WaitAny(new[] { more.AsTask(), until, run.Work }, StopToken);
                }
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        ThrowIfWorkFailed(run);
    }

    /// <summary>Writes until the work ends, then ends the session (progress bar included). Throws the work's failure.</summary>
    protected void FinishCore(CoreRun run)
    {
        try
        {
            PumpCore(run, run.Work);
        }
        finally
        {
            EndCore(run);
        }
    }

    /// <summary>Ends the session: later writes are dropped, waiting writers are released, the work is told to stop.</summary>
    protected void EndCore(CoreRun run)
    {
        run.Session.Complete();
        run.Session.CancelWork();
        run.Session.CompleteProgress(this);
    }

    private void ThrowIfWorkFailed(CoreRun run)
    {
        if (!run.Work.IsFaulted && !run.Work.IsCanceled)
        {
            return;
        }

        try
        {
            run.Work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
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
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the cmdlet holds; PowerShell calls Dispose when the pipeline ends, however it ends.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }
    }

    private sealed class DirectLog(Ec2OpsCmdlet cmdlet) : IOperationLog
    {
        public void Verbose(string message) => cmdlet.WriteVerbose(message);

        public void Debug(string message) => cmdlet.WriteDebug(message);

        public void Warning(string message) => cmdlet.WriteWarning(message);
    }
}

/// <summary>A running piece of Core work and the session it writes through. See <see cref="Ec2OpsCmdlet.StartCore"/>.</summary>
public sealed class CoreRun
{
    internal CoreRun(CoreSession session, Task work)
    {
        Session = session;
        Work = work;
    }

    public CoreSession Session { get; }

    public Task Work { get; }
}

/// <summary>
/// What async Core work may write while it runs on another thread. Every call is queued and written
/// on the pipeline thread by <see cref="Ec2OpsCmdlet"/>, in the order it was made. The queue is bounded:
/// a writer waits while it is full, so work that produces faster than the pipeline consumes is held
/// back instead of filling memory. Writes made on the pipeline thread itself never wait.
/// </summary>
public sealed class CoreSession : IOperationLog, IProgress<OperationProgress>
{
    /// <summary>The default bound of the write queue.</summary>
    public const int DefaultCapacity = 1024;

    // One progress bar per cmdlet invocation; the id only has to be unique among nested bars.
    private static int s_nextActivityId;

    private readonly Channel<Action<Ec2OpsCmdlet>> _queue;
    private readonly Ec2OpsCmdlet _cmdlet;
    private readonly CancellationTokenSource _work;
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
    private readonly string _activity;
    private readonly int _activityId = Interlocked.Increment(ref s_nextActivityId);
    private readonly System.Diagnostics.Stopwatch _age = System.Diagnostics.Stopwatch.StartNew();
    private volatile bool _completed;
    private bool _progressShown;

    internal CoreSession(Ec2OpsCmdlet cmdlet, CancellationToken cancellation, string activity, int capacity = DefaultCapacity)
    {
        _cmdlet = cmdlet;
        _work = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _activity = activity;
        Capacity = Math.Max(1, capacity);
        _queue = Channel.CreateBounded<Action<Ec2OpsCmdlet>>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,

            // The reader is the pipeline thread blocked in PumpCore: a write wakes it directly
            // rather than through a thread-pool continuation, which a starved pool would delay.
            AllowSynchronousContinuations = true,
        });
        Cancellation = _work.Token;
    }

    /// <summary>Cancelled on Ctrl+C, and when the cmdlet stops pumping (it failed, or the pipeline ended early).</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The bound of the write queue.</summary>
    public int Capacity { get; }

    /// <summary>This session as a Core log (verbose, debug, warning).</summary>
    public IOperationLog Log => this;

    /// <summary>This session as a Core progress sink.</summary>
    public IProgress<OperationProgress> Progress => this;

    public void WriteObject(object? item) => Post(c => c.WriteObject(item));

    /// <summary>A non-terminating error for one item; the work goes on with the next.</summary>
    public void WriteError(Ec2OpsException error, object? targetObject = null) =>
        Post(c => c.WriteError(CoreErrors.ToErrorRecord(error, targetObject)));

    public void Verbose(string message) => Post(c => c.WriteVerbose(message));

    public void Debug(string message) => Post(c => c.WriteDebug(message));

    public void Warning(string message) => Post(c => c.WriteWarning(message));

    /// <summary>
    /// Work shorter than this shows no progress bar: a bar that flashes for a few milliseconds is noise
    /// (and slows quick commands). Longer work shows its bar from then on.
    /// </summary>
    internal static TimeSpan ProgressDelay { get; } = TimeSpan.FromSeconds(1);

    public void Report(OperationProgress value)
    {
        if (_age.Elapsed >= ProgressDelay)
        {
            Post(c => WriteProgress(c, value));
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

    /// <summary>
    /// Queues any write (objects, records of any stream) to run on the pipeline thread, in order.
    /// Waits while the queue is full; dropped once the session has ended.
    /// </summary>
    public void Post(Action<Ec2OpsCmdlet> write)
    {
        if (_completed)
        {
            return;
        }

        if (_queue.Writer.TryWrite(write))
        {
            return;
        }

        if (Environment.CurrentManagedThreadId == _pipelineThread)
        {
            // The pipeline thread is the reader: waiting here would wait for itself.
            while (TryRead(out var earlier))
            {
                earlier(_cmdlet);
            }

            write(_cmdlet);
            return;
        }

        try
        {
            _queue.Writer.WriteAsync(write, Cancellation).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Completed while waiting: late writes have nowhere to go.
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting: nothing more is written.
        }
    }

    internal bool TryRead(out Action<Ec2OpsCmdlet> write) => _queue.Reader.TryRead(out write!);

    internal ValueTask<bool> WaitToReadAsync(CancellationToken stop) => _queue.Reader.WaitToReadAsync(stop);

    /// <summary>Ends the session: writes made after this are dropped, waiting writers are released. Safe to call more than once.</summary>
    internal void Complete()
    {
        _completed = true;
        _queue.Writer.TryComplete();
    }

    /// <summary>Tells the work to stop (it has nobody left to write to).</summary>
    internal void CancelWork()
    {
        try
        {
            _work.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal void CompleteProgress(Cmdlet cmdlet)
    {
        if (_progressShown)
        {
            _progressShown = false;
            cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
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
