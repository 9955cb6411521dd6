using System.Diagnostics;
using System.Threading.Channels;

namespace Ec2Ops.Core.Parallelism;

/// <summary>
/// The scheduling engine of Invoke-Parallel, free of PowerShell: a bounded work queue feeding
/// <see cref="ParallelRunOptions.ThrottleLimit"/> lanes, each owning one reusable worker; results in
/// completion order or, with bounded buffering, in input order; a per-item and a whole-run time limit;
/// cancellation that stops running items at once; and errors kept per item.
/// </summary>
/// <remarks>
/// Every accepted input is reported exactly once through <see cref="IParallelSink.OnCompleted"/>
/// (Completed, Failed, TimedOut or NotRun) unless the run is stopped: nothing is dropped silently.
/// Memory stays bounded: <see cref="SubmitAsync"/> waits while <see cref="ParallelRunOptions.Window"/>
/// items are accepted but not yet reported, and a sink that blocks holds the workers back.
/// </remarks>
public sealed class ParallelRunner : IDisposable
{
    private readonly ParallelRunOptions _options;
    private readonly IParallelWorkerFactory _factory;
    private readonly IParallelSink _sink;
    private readonly Channel<ParallelItem> _queue = Channel.CreateUnbounded<ParallelItem>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly SemaphoreSlim? _window;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _runDeadline = new();
    private readonly object _deliveryGate = new();
    private readonly SortedDictionary<long, ParallelItemResult>? _reorder;
    private readonly List<Task> _retiring = new();
    private readonly Stopwatch _clock = new();
    private long _nextIndex;
    private long _nextToDeliver;
    private long _running;
    private long _completed;
    private long _failed;
    private long _workersStarted;
    private long _pendingPeak;
    private int _starting;
    private int _inputCompleted;
    private int _started;
    private Exception? _fatal;
    private Task? _completion;

    public ParallelRunner(ParallelRunOptions options, IParallelWorkerFactory factory, IParallelSink sink, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        int window = options.EffectiveWindow;
        _window = window == ParallelRunOptions.Unbounded ? null : new SemaphoreSlim(window, window);
        _reorder = options.Ordered ? new SortedDictionary<long, ParallelItemResult>() : null;
    }

    /// <summary>Completes when every input has been reported (or the run was stopped); faults when a worker could not be started.</summary>
    public Task Completion => _completion ?? throw new InvalidOperationException("The run has not been started.");

    /// <summary>True once <see cref="Stop"/> was called, the caller's token was cancelled, or a worker could not be started.</summary>
    public bool IsStopped => _stop.IsCancellationRequested;

    /// <summary>True once the whole-run limit has passed.</summary>
    public bool RunTimedOut => _runDeadline.IsCancellationRequested;

    public TimeSpan Elapsed => _clock.Elapsed;

    public ParallelRunOptions Options => _options;

    /// <summary>A snapshot of the counters, for progress and job status.</summary>
    public ParallelCounters Counters => new(
        Interlocked.Read(ref _nextIndex),
        Interlocked.Read(ref _running),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _failed),
        Volatile.Read(ref _inputCompleted) == 1,
        Interlocked.Read(ref _workersStarted),
        Interlocked.Read(ref _pendingPeak));

    /// <summary>Starts the lanes. Workers are created lazily, when a lane takes its first item.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The run has already been started.");
        }

        _clock.Start();
        if (_options.RunTimeout is { } limit)
        {
            _runDeadline.CancelAfter(limit);
        }

        var lanes = new Task[_options.ThrottleLimit];
        for (int i = 0; i < lanes.Length; i++)
        {
            int slot = i;
            lanes[i] = Task.Run(() => LaneAsync(slot));
        }

        _completion = FinishAsync(lanes);
    }

    /// <summary>
    /// Accepts one input. Completes at once while the window has room; otherwise when an earlier item
    /// has been reported (back-pressure), or when the run stops (the input is then not run).
    /// </summary>
    public ValueTask SubmitAsync(object? input, CancellationToken cancellation = default)
    {
        if (Volatile.Read(ref _inputCompleted) == 1)
        {
            throw new InvalidOperationException("CompleteInput was called: no more input is accepted.");
        }

        if (_stop.IsCancellationRequested)
        {
            return default;
        }

        if (_window is not null && !_window.Wait(0))
        {
            return WaitAndEnqueueAsync(input, cancellation);
        }

        Enqueue(input);
        return default;
    }

    /// <summary>No more input: the run completes when the queue is drained.</summary>
    public void CompleteInput()
    {
        if (Interlocked.Exchange(ref _inputCompleted, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Stops everything now: running items are aborted, queued ones dropped, nothing more is reported.</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        Stop();
        CompleteInput();
        try
        {
            _completion?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Reported through Completion.
        }
    }

    private async ValueTask WaitAndEnqueueAsync(object? input, CancellationToken cancellation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stop.Token);
        try
        {
            await _window!.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }

        Enqueue(input);
    }

    private void Enqueue(object? input)
    {
        long index = Interlocked.Increment(ref _nextIndex) - 1;
        long pending = index + 1 - Interlocked.Read(ref _completed) - Interlocked.Read(ref _failed);
        if (pending > Interlocked.Read(ref _pendingPeak))
        {
            Interlocked.Exchange(ref _pendingPeak, pending);
        }

        _queue.Writer.TryWrite(new ParallelItem(index, input));
    }

    private async Task FinishAsync(Task[] lanes)
    {
        await Task.WhenAll(lanes).ConfigureAwait(false);
        Task[] retiring;
        lock (_retiring)
        {
            retiring = _retiring.ToArray();
        }

        // Workers stopped mid-item are disposed in the background; wait a little so that nothing of
        // this run outlives it, but never hang on one that cannot be stopped.
        await Task.WhenAny(Task.WhenAll(retiring), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _clock.Stop();
        _runDeadline.Dispose();
        if (_fatal is { } fatal)
        {
            throw fatal;
        }
    }

    private async Task LaneAsync(int slot)
    {
        IParallelWorker? worker = null;
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                if (worker is null && !_runDeadline.IsCancellationRequested)
                {
                    // Start a worker only for inputs that no worker already starting will take, and
                    // before taking one: an input goes to whichever worker is ready first.
                    if (reader.Count > Volatile.Read(ref _starting))
                    {
                        Interlocked.Increment(ref _starting);
                        try
                        {
                            worker = await CreateWorkerAsync(slot).ConfigureAwait(false);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _starting);
                        }

                        if (worker is null)
                        {
                            return;
                        }
                    }
                    else
                    {
                        // Enough workers are starting for what is queued; look again shortly.
                        await Task.Delay(1, _stop.Token).ConfigureAwait(false);
                        continue;
                    }
                }

                while (reader.TryRead(out var item))
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    if (_runDeadline.IsCancellationRequested)
                    {
                        Deliver(NotRun(item));
                        continue;
                    }

                    if (worker is null)
                    {
                        worker = await CreateWorkerAsync(slot).ConfigureAwait(false);
                        if (worker is null)
                        {
                            return;
                        }
                    }

                    var (result, broken) = await RunItemAsync(worker, item).ConfigureAwait(false);
                    if (broken)
                    {
                        Retire(worker);
                        worker = null;
                    }

                    if (result is not null)
                    {
                        Deliver(result);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception unexpected)
        {
            Fail(unexpected);
        }
        finally
        {
            if (worker is not null)
            {
                if (_stop.IsCancellationRequested)
                {
                    worker.Abort();
                    Retire(worker);
                }
                else
                {
                    DisposeQuietly(worker);
                }
            }
        }
    }

    private async Task<IParallelWorker?> CreateWorkerAsync(int slot)
    {
        try
        {
            var worker = await _factory.CreateAsync(slot, _stop.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _workersStarted);
            if (_stop.IsCancellationRequested)
            {
                worker.Abort();
                Retire(worker);
                return null;
            }

            return worker;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception error)
        {
            Fail(error is Ec2OpsException ? error : new Ec2OpsException(
                ParallelErrorIds.WorkerStartFailed,
                Ec2OpsErrorCategory.ResourceUnavailable,
                $"A parallel worker could not be started: {error.Message}",
                innerException: error));
            return null;
        }
    }

    private async Task<(ParallelItemResult? Result, bool Broken)> RunItemAsync(IParallelWorker worker, ParallelItem item)
    {
        var context = new ItemContext(this, item);
        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _running);
        try
        {
            Task<Exception?> run;
            try
            {
                run = worker.RunAsync(item, context);
            }
            catch (Exception error)
            {
                run = Task.FromException<Exception?>(error);
            }

            // 0: ran to its end; 1: per-item limit; 2: whole-run limit; 3: stopped.
            int reason = 0;
            if (!run.IsCompleted)
            {
                var abort = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                using var itemTimer = _options.ItemTimeout is { } limit ? new CancellationTokenSource(limit) : null;
                using var onItemTimeout = itemTimer?.Token.UnsafeRegister(static s => ((TaskCompletionSource<int>)s!).TrySetResult(1), abort);
                using var onRunTimeout = _runDeadline.Token.UnsafeRegister(static s => ((TaskCompletionSource<int>)s!).TrySetResult(2), abort);
                using var onStop = _stop.Token.UnsafeRegister(static s => ((TaskCompletionSource<int>)s!).TrySetResult(3), abort);
                if (await Task.WhenAny(run, abort.Task).ConfigureAwait(false) != run)
                {
                    reason = abort.Task.Result;
                    context.Close();
                    worker.Abort();
                    _ = run.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                }
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            context.Close();
            switch (reason)
            {
                case 1:
                    return (Timeout(item, worker.Name, elapsed, ParallelErrorIds.ItemTimeout,
                        $"Input {item.Describe()} did not finish within {Seconds(_options.ItemTimeout!.Value)} (the per-item limit); it was stopped and its worker replaced."), true);
                case 2:
                    return (Timeout(item, worker.Name, elapsed, ParallelErrorIds.RunTimeout,
                        $"Input {item.Describe()} was stopped: the whole run reached its limit of {Seconds(_options.RunTimeout!.Value)}."), true);
                case 3:
                    return (null, true);
            }

            Exception? failure;
            try
            {
                failure = await run.ConfigureAwait(false);
            }
            catch (ParallelWorkerBrokenException broken)
            {
                return (new ParallelItemResult(item, ParallelItemStatus.Failed, Array.Empty<object?>(), broken, ParallelErrorIds.WorkerCrashed, Ec2OpsErrorCategory.ResourceUnavailable, elapsed, worker.Name), true);
            }
            catch (Exception unexpected)
            {
                var broken = new ParallelWorkerBrokenException($"Input {item.Describe()} failed: its worker {worker.Name} broke: {unexpected.Message}", unexpected);
                return (new ParallelItemResult(item, ParallelItemStatus.Failed, Array.Empty<object?>(), broken, ParallelErrorIds.WorkerCrashed, Ec2OpsErrorCategory.ResourceUnavailable, elapsed, worker.Name), true);
            }

            return failure is null
                ? (new ParallelItemResult(item, ParallelItemStatus.Completed, context.Outputs, null, null, Ec2OpsErrorCategory.NotSpecified, elapsed, worker.Name), false)
                : (new ParallelItemResult(item, ParallelItemStatus.Failed, context.Outputs, failure, ParallelErrorIds.ItemFailed, Ec2OpsErrorCategory.NotSpecified, elapsed, worker.Name), false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static ParallelItemResult Timeout(ParallelItem item, string worker, TimeSpan elapsed, string errorId, string message) =>
        new(item, ParallelItemStatus.TimedOut, Array.Empty<object?>(), new TimeoutException(message), errorId, Ec2OpsErrorCategory.OperationTimeout, elapsed, worker);

    private ParallelItemResult NotRun(ParallelItem item) =>
        new(item, ParallelItemStatus.NotRun, Array.Empty<object?>(),
            new TimeoutException($"Input {item.Describe()} was not run: the whole run reached its limit of {Seconds(_options.RunTimeout!.Value)} before its turn."),
            ParallelErrorIds.RunTimeout, Ec2OpsErrorCategory.OperationTimeout, TimeSpan.Zero, null);

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s";

    private void Deliver(ParallelItemResult result)
    {
        lock (_deliveryGate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_reorder is null)
            {
                Emit(result);
                return;
            }

            if (result.Item.Index != _nextToDeliver)
            {
                _reorder.Add(result.Item.Index, result);
                return;
            }

            Emit(result);
            _nextToDeliver++;
            while (_reorder.Remove(_nextToDeliver, out var next))
            {
                Emit(next);
                _nextToDeliver++;
            }
        }
    }

    private void Emit(ParallelItemResult result)
    {
        if (result.Succeeded)
        {
            Interlocked.Increment(ref _completed);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }

        try
        {
            _sink.OnCompleted(result);
        }
        finally
        {
            _window?.Release();
        }
    }

    private void Fail(Exception error)
    {
        Interlocked.CompareExchange(ref _fatal, error, null);
        Stop();
    }

    private void Retire(IParallelWorker worker)
    {
        var disposal = Task.Run(() => DisposeQuietly(worker));
        lock (_retiring)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(disposal);
        }
    }

    private static void DisposeQuietly(IParallelWorker worker)
    {
        try
        {
            worker.Dispose();
        }
        catch (Exception)
        {
            // A worker that fails to shut down cleanly has nothing more to report.
        }
    }

    private sealed class ItemContext(ParallelRunner runner, ParallelItem item) : IParallelItemContext
    {
        private List<object?>? _outputs;
        private volatile bool _closed;

        public IReadOnlyList<object?> Outputs => (IReadOnlyList<object?>?)_outputs ?? Array.Empty<object?>();

        public void Output(object? value)
        {
            if (!_closed)
            {
                (_outputs ??= new List<object?>()).Add(value);
            }
        }

        public void Stream(object record)
        {
            if (!_closed && !runner._stop.IsCancellationRequested)
            {
                runner._sink.OnStream(item, record);
            }
        }

        public void Close() => _closed = true;
    }
}

/// <summary>Where a run stands: inputs accepted, running, completed, failed (including timed out and not run).</summary>
public readonly record struct ParallelCounters(long Submitted, long Running, long Completed, long Failed, bool InputCompleted, long WorkersStarted, long PendingPeak)
{
    public long Done => Completed + Failed;

    public long Queued => Math.Max(0, Submitted - Done - Running);
}
