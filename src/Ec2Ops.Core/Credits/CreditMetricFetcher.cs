using Ec2Ops.Core.Aws;

namespace Ec2Ops.Core.Credits;

/// <summary>The datapoints of one query after every page was read, oldest first.</summary>
public sealed class MetricSeries
{
    private readonly List<(DateTimeOffset Time, double Value)> _points = new();
    private readonly List<MetricMessage> _messages = new();

    public MetricSeries(string id)
    {
        Id = id;
    }

    public string Id { get; }

    /// <summary>The final StatusCode: Complete, PartialData (data still missing), InternalError or Forbidden.</summary>
    public string StatusCode { get; internal set; } = "Complete";

    public IReadOnlyList<(DateTimeOffset Time, double Value)> Points => _points;

    public IReadOnlyList<MetricMessage> Messages => _messages;

    internal void Add(MetricDataResult result)
    {
        for (var i = 0; i < Math.Min(result.Timestamps.Count, result.Values.Count); i++)
        {
            _points.Add((result.Timestamps[i], result.Values[i]));
        }

        StatusCode = result.StatusCode;
        _messages.AddRange(result.Messages);
    }

    internal void Seal()
    {
        // Pages come newest first; one point per timestamp (a repeated page must not count twice).
        var ordered = _points.GroupBy(p => p.Time).Select(g => g.First()).OrderBy(p => p.Time).ToList();
        _points.Clear();
        _points.AddRange(ordered);
    }
}

/// <summary>
/// Runs GetMetricData for any number of queries: at most 500 per call, up to
/// <see cref="MaxConcurrency"/> calls in flight, every NextToken page followed (a result marked
/// PartialData continues on the next page), results merged by query id.
/// </summary>
public sealed class CreditMetricFetcher
{
    public const int DefaultMaxConcurrency = 4;

    private readonly ICloudWatchClient _client;
    private readonly IOperationLog _log;
    private int _calls;
    private int _datapoints;

    public CreditMetricFetcher(ICloudWatchClient client, IOperationLog? log = null, int maxConcurrency = DefaultMaxConcurrency)
    {
        _client = client;
        _log = log ?? NullOperationLog.Instance;
        MaxConcurrency = Math.Max(1, maxConcurrency);
    }

    public int MaxConcurrency { get; }

    /// <summary>GetMetricData calls made (pages included).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Datapoints received.</summary>
    public int Datapoints => Volatile.Read(ref _datapoints);

    /// <summary>Called after each batch (all its pages) with the number of batches done and the total.</summary>
    public Action<int, int>? BatchDone { get; init; }

    public async Task<IReadOnlyDictionary<string, MetricSeries>> FetchAsync(
        IReadOnlyList<MetricStatQuery> queries,
        DateTimeOffset startTime,
        DateTimeOffset endTime,
        CancellationToken cancellation = default)
    {
        var series = queries.ToDictionary(q => q.Id, q => new MetricSeries(q.Id), StringComparer.Ordinal);
        var batches = CreditMetricQueries.Batches(queries);
        var done = 0;
        using var gate = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);

        async Task RunBatch(IReadOnlyList<MetricStatQuery> batch)
        {
            await gate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                var pages = new List<GetMetricDataResponse>();
                string? token = null;
                do
                {
                    Interlocked.Increment(ref _calls);
                    var page = await _client.GetMetricDataAsync(new GetMetricDataRequest(batch, startTime, endTime, token), cancellation).ConfigureAwait(false);
                    pages.Add(page);
                    token = page.NextToken;
                    foreach (var message in page.Messages)
                    {
                        _log.Verbose($"CloudWatch GetMetricData: {message.Code}: {message.Value}");
                    }

                    if (token is not null)
                    {
                        _log.Debug($"GetMetricData answered {page.Results.Sum(r => r.Values.Count)} datapoints and a NextToken: reading the next page.");
                    }
                }
                while (token is not null);

                lock (series)
                {
                    foreach (var result in pages.SelectMany(p => p.Results))
                    {
                        if (series.TryGetValue(result.Id, out var target))
                        {
                            target.Add(result);
                            Interlocked.Add(ref _datapoints, result.Values.Count);
                        }
                    }
                }

                BatchDone?.Invoke(Interlocked.Increment(ref done), batches.Count);
            }
            finally
            {
                gate.Release();
            }
        }

        await Task.WhenAll(batches.Select(RunBatch)).ConfigureAwait(false);
        foreach (var s in series.Values)
        {
            s.Seal();
        }

        return series;
    }
}
