namespace Ec2Ops.Core.Parallelism;

/// <summary>
/// Workers that run a plain .NET delegate per item: for Core callers that want the engine's throttling,
/// ordering and timeouts without PowerShell, and for tests. <see cref="IParallelWorker.Abort"/> cancels
/// the token the delegate receives.
/// </summary>
public sealed class DelegateWorkerFactory : IParallelWorkerFactory
{
    private readonly Func<ParallelItem, IParallelItemContext, CancellationToken, Task> _body;
    private int _created;

    public DelegateWorkerFactory(Func<ParallelItem, IParallelItemContext, CancellationToken, Task> body)
    {
        _body = body ?? throw new ArgumentNullException(nameof(body));
    }

    /// <summary>How many workers were created (first ones and replacements).</summary>
    public int Created => Volatile.Read(ref _created);

    public Task<IParallelWorker> CreateAsync(int slot, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        int number = Interlocked.Increment(ref _created);
        return Task.FromResult<IParallelWorker>(new DelegateWorker(_body, $"Delegate {number}"));
    }

    private sealed class DelegateWorker(Func<ParallelItem, IParallelItemContext, CancellationToken, Task> body, string name) : IParallelWorker
    {
        private readonly CancellationTokenSource _abort = new();

        public string Name => name;

        public async Task<Exception?> RunAsync(ParallelItem item, IParallelItemContext context)
        {
            try
            {
                await body(item, context, _abort.Token).ConfigureAwait(false);
                return null;
            }
            catch (ParallelWorkerBrokenException)
            {
                throw;
            }
            catch (Exception error)
            {
                return error;
            }
        }

        public void Abort()
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _abort.Dispose();
    }
}
