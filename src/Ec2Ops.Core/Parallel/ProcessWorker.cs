using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ec2Ops.Core.Parallelism;

/// <summary>How to start and talk to worker processes. The payload functions make the pool independent of what a worker is.</summary>
public sealed class ProcessWorkerOptions
{
    /// <summary>Builds the start info of a new worker (program, arguments, environment, working directory).</summary>
    public required Func<ProcessStartInfo> StartInfo { get; init; }

    /// <summary>Sent once to every new worker (<c>init</c>); the worker answers <c>ready</c> or <c>initfail</c>.</summary>
    public string InitPayload { get; init; } = "";

    /// <summary>An input as the payload of a <c>run</c> message.</summary>
    public Func<object?, string> SerializeInput { get; init; } = input => input?.ToString() ?? "";

    /// <summary>The payload of an <c>out</c> message as an output object.</summary>
    public Func<string, object?> DeserializeOutput { get; init; } = payload => payload;

    /// <summary>The payload of a <c>stream</c> message as a stream record.</summary>
    public Func<string, object> DeserializeStream { get; init; } = payload => payload;

    /// <summary>The payload of an <c>initfail</c> message as readable text.</summary>
    public Func<string, string> DescribeInitFailure { get; init; } = payload => payload;

    /// <summary>How long a new worker may take to answer <c>ready</c>.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a worker asked to quit may take to exit before it is killed.</summary>
    public TimeSpan QuitTimeout { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// The reusable process-worker pool: every throttle slot owns one long-lived process, started once and
/// fed item after item; a process that dies or is stopped (timeout, Ctrl+C) is replaced by a new one.
/// </summary>
public sealed class ProcessWorkerFactory : IParallelWorkerFactory
{
    private readonly ProcessWorkerOptions _options;
    private int _started;

    public ProcessWorkerFactory(ProcessWorkerOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>How many processes were started (first ones and replacements).</summary>
    public int Started => Volatile.Read(ref _started);

    public async Task<IParallelWorker> CreateAsync(int slot, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _started);
        return await ProcessWorker.StartAsync(_options, cancellation).ConfigureAwait(false);
    }
}

/// <summary>One worker process speaking <see cref="WorkerProtocol"/> on its standard input and output.</summary>
public sealed class ProcessWorker : IParallelWorker
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly ProcessWorkerOptions _options;
    private readonly Process _process;
    private readonly StreamWriter _input;
    private readonly object _gate = new();
    private readonly Queue<string> _diagnostics = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Pending? _current;
    private volatile bool _aborted;
    private int _disposed;

    private ProcessWorker(ProcessWorkerOptions options, Process process)
    {
        _options = options;
        _process = process;
        _input = new StreamWriter(process.StandardInput.BaseStream, Utf8) { AutoFlush = false, NewLine = "\n" };
        Name = "Process " + process.Id.ToString(CultureInfo.InvariantCulture);
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The last lines the process wrote that were not protocol messages (stderr and stray stdout).</summary>
    public string Diagnostics
    {
        get
        {
            lock (_diagnostics)
            {
                return string.Join(Environment.NewLine, _diagnostics);
            }
        }
    }

    /// <summary>Starts a worker, sends it the init payload and waits for <c>ready</c>.</summary>
    public static async Task<ProcessWorker> StartAsync(ProcessWorkerOptions options, CancellationToken cancellation)
    {
        var start = options.StartInfo();
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Utf8;
        start.StandardErrorEncoding = Utf8;
        start.StandardInputEncoding = Utf8;
        start.CreateNoWindow = true;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            throw new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.ResourceUnavailable,
                $"The worker process '{start.FileName}' could not be started: {error.Message}", start.FileName, error);
        }

        var worker = new ProcessWorker(options, process);
        worker.StartReading();
        try
        {
            worker.Send(WorkerProtocol.Format(WorkerProtocol.Init, 0, options.InitPayload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(options.StartTimeout);
            try
            {
                await worker._ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.OperationTimeout,
                    $"The worker process {worker.Name} ('{start.FileName}') did not get ready within {options.StartTimeout.TotalSeconds} s.{worker.DiagnosticsSuffix()}", start.FileName);
            }

            return worker;
        }
        catch
        {
            worker.Abort();
            worker.Dispose();
            throw;
        }
    }

    public Task<Exception?> RunAsync(ParallelItem item, IParallelItemContext context)
    {
        var pending = new Pending(item, context);
        lock (_gate)
        {
            if (_current is not null)
            {
                throw new InvalidOperationException($"{Name} is already running an item.");
            }

            if (_exited.Task.IsCompleted || _aborted)
            {
                throw new ParallelWorkerBrokenException($"Input {item.Describe()} failed: its worker {Name} is no longer running.{DiagnosticsSuffix()}");
            }

            _current = pending;
        }

        string payload;
        try
        {
            payload = _options.SerializeInput(item.Input);
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _current = null;
            }

            return Task.FromResult<Exception?>(error);
        }

        try
        {
            Send(WorkerProtocol.Format(WorkerProtocol.Run, item.Index, payload));
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            pending.Completion.TrySetException(new ParallelWorkerBrokenException($"Input {item.Describe()} failed: {Name} stopped reading its input ({error.Message}).{DiagnosticsSuffix()}", error));
        }

        return pending.Completion.Task;
    }

    public void Abort()
    {
        _aborted = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Asks a healthy worker to quit and waits a little; kills it otherwise. Always waits for the exit it caused.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (!_aborted && !_exited.Task.IsCompleted)
            {
                try
                {
                    Send(WorkerProtocol.Format(WorkerProtocol.Quit));
                    _input.Close();
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
                {
                }

                if (!_process.WaitForExit(_options.QuitTimeout))
                {
                    Abort();
                }
            }
            else
            {
                Abort();
            }

            _process.WaitForExit(5000);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Send(string line)
    {
        lock (_input)
        {
            _input.Write(line);
            _input.Write('\n');
            _input.Flush();
        }
    }

    private void StartReading()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                string? line;
                while ((line = await _process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
                {
                    Remember(line);
                }
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        });

        _ = Task.Run(async () =>
        {
            try
            {
                string? line;
                while ((line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false)) is not null)
                {
                    Dispatch(line);
                }
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }

            OnExited();
        });
    }

    private void Dispatch(string line)
    {
        if (!WorkerProtocol.TryParse(line, out string verb, out long id, out string payload))
        {
            Remember(line);
            return;
        }

        switch (verb)
        {
            case WorkerProtocol.Ready:
                _ready.TrySetResult((int)id);
                return;
            case WorkerProtocol.InitFail:
                string reason = _options.DescribeInitFailure(payload);
                _ready.TrySetException(new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.ResourceUnavailable,
                    $"The worker process {Name} could not be set up: {reason}", reason));
                return;
        }

        Pending? pending;
        lock (_gate)
        {
            pending = _current;
        }

        if (pending is null || pending.Item.Index != id)
        {
            Remember(line);
            return;
        }

        try
        {
            switch (verb)
            {
                case WorkerProtocol.Out:
                    pending.Context.Output(_options.DeserializeOutput(payload));
                    break;
                case WorkerProtocol.Stream:
                    pending.Context.Stream(_options.DeserializeStream(payload));
                    break;
                case WorkerProtocol.Done:
                    Finish(pending)?.TrySetResult(null);
                    break;
                case WorkerProtocol.Fail:
                    Finish(pending)?.TrySetResult(new ParallelRemoteException($"Input {pending.Item.Describe()} failed in {Name}.", payload));
                    break;
                default:
                    Remember(line);
                    break;
            }
        }
        catch (Exception error)
        {
            // A payload that does not decode fails the item, not the reader.
            Finish(pending)?.TrySetResult(error);
        }
    }

    private TaskCompletionSource<Exception?>? Finish(Pending pending)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_current, pending))
            {
                return null;
            }

            _current = null;
        }

        return pending.Completion;
    }

    private void OnExited()
    {
        int? code = null;
        try
        {
            if (_process.WaitForExit(5000))
            {
                code = _process.ExitCode;
            }
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        _exited.TrySetResult();
        string exit = code is { } c ? $"exited with code {c}" : "stopped answering";
        _ready.TrySetException(new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.ResourceUnavailable,
            $"The worker process {Name} {exit} before it was ready.{DiagnosticsSuffix()}", Name));

        Pending? pending;
        lock (_gate)
        {
            pending = _current;
            _current = null;
        }

        pending?.Completion.TrySetException(new ParallelWorkerBrokenException(
            $"Input {pending.Item.Describe()} failed: its worker {Name} {exit} while running it; the pool replaces the worker.{DiagnosticsSuffix()}"));
    }

    private void Remember(string line)
    {
        if (line.Length == 0)
        {
            return;
        }

        lock (_diagnostics)
        {
            _diagnostics.Enqueue(line.Length > 500 ? line[..500] : line);
            while (_diagnostics.Count > 20)
            {
                _diagnostics.Dequeue();
            }
        }
    }

    private string DiagnosticsSuffix()
    {
        string text = Diagnostics;
        return text.Length == 0 ? "" : " Its last output: " + text.ReplaceLineEndings(" | ");
    }

    private sealed class Pending(ParallelItem item, IParallelItemContext context)
    {
        public ParallelItem Item { get; } = item;

        public IParallelItemContext Context { get; } = context;

        public TaskCompletionSource<Exception?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
