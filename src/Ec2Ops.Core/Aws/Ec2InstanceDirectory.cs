using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace Ec2Ops.Core.Aws;

/// <summary>What EC2 says about an instance, as far as the module needs it.</summary>
public sealed record Ec2Instance(
    string InstanceId,
    string InstanceType,
    string State,
    DateTimeOffset? LaunchTime,
    string? AvailabilityZone,
    string? Name);

/// <summary>The EC2 calls the module makes: instances and their CPU credit option.</summary>
public interface IEc2InstanceDirectory
{
    /// <summary>The instances among <paramref name="instanceIds"/> that exist (any state); unknown ids are simply absent.</summary>
    Task<IReadOnlyList<Ec2Instance>> DescribeAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellation = default);

    /// <summary>Every running instance of the burstable families (t2, t3, t3a, t4g) in the region.</summary>
    Task<IReadOnlyList<Ec2Instance>> DescribeRunningBurstableAsync(CancellationToken cancellation = default);

    /// <summary>standard | unlimited per instance id (only burstable instances may be asked).</summary>
    Task<IReadOnlyDictionary<string, string>> DescribeCreditSpecificationsAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellation = default);

    /// <summary>DescribeInstances calls made so far (pages included).</summary>
    int DescribeInstancesCalls { get; }

    /// <summary>DescribeInstanceCreditSpecifications calls made so far (pages included).</summary>
    int CreditSpecificationCalls { get; }
}

/// <summary>
/// <see cref="IEc2InstanceDirectory"/> through AWSSDK.EC2: DescribeInstances with filters (an
/// <c>instance-id</c> filter rather than InstanceIds, so an unknown id does not fail the whole call),
/// paged with MaxResults/NextToken; DescribeInstanceCreditSpecifications by InstanceId, 1,000 at a
/// time. The SDK retries throttling (RequestLimitExceeded) and 5xx with its standard backoff;
/// errors become <see cref="AwsServiceException"/>s.
/// </summary>
internal sealed class Ec2SdkInstanceDirectory : IEc2InstanceDirectory, IDisposable
{
    /// <summary>Values per filter that DescribeInstances accepts.</summary>
    public const int FilterValueLimit = 200;

    /// <summary>Instance ids per DescribeInstanceCreditSpecifications call.</summary>
    public const int CreditSpecificationBatch = 1000;

    public static readonly string[] BurstableTypePatterns = { "t2.*", "t3.*", "t3a.*", "t4g.*" };

    private readonly AmazonEC2Client _client;
    private readonly AwsEndpoint _endpoint;
    private readonly IOperationLog _log;
    private int _describeCalls;
    private int _creditCalls;

    public Ec2SdkInstanceDirectory(AwsContext context, AwsRetryPolicy? retry = null, IOperationLog? log = null)
    {
        _endpoint = context.Ec2;
        _log = log ?? NullOperationLog.Instance;
        var config = context.CreateEc2Config(retry ?? AwsRetryPolicy.Default);
        AWSCredentials credentials;
        try
        {
            credentials = context.Credentials;
        }
        catch (AmazonClientException failure)
        {
            throw AwsContext.NoCredentials(failure);
        }

        _client = new AmazonEC2Client(credentials, config);
    }

    public int DescribeInstancesCalls => Volatile.Read(ref _describeCalls);

    public int CreditSpecificationCalls => Volatile.Read(ref _creditCalls);

    public async Task<IReadOnlyList<Ec2Instance>> DescribeAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellation = default)
    {
        var found = new List<Ec2Instance>();
        foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
        {
            found.AddRange(await DescribePagesAsync(new List<Filter> { new("instance-id", chunk.ToList()) }, cancellation).ConfigureAwait(false));
        }

        return found;
    }

    public Task<IReadOnlyList<Ec2Instance>> DescribeRunningBurstableAsync(CancellationToken cancellation = default) =>
        DescribePagesAsync(
            new List<Filter>
            {
                new("instance-state-name", new List<string> { "running" }),
                new("instance-type", BurstableTypePatterns.ToList()),
            },
            cancellation);

    public async Task<IReadOnlyDictionary<string, string>> DescribeCreditSpecificationsAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellation = default)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(CreditSpecificationBatch))
        {
            string? token = null;
            do
            {
                var request = new DescribeInstanceCreditSpecificationsRequest { InstanceIds = chunk.ToList(), NextToken = token };
                var response = await CallAsync("DescribeInstanceCreditSpecifications", () => _client.DescribeInstanceCreditSpecificationsAsync(request, cancellation)).ConfigureAwait(false);
                foreach (var specification in response.InstanceCreditSpecifications ?? new List<InstanceCreditSpecification>())
                {
                    if (specification.InstanceId is { } id && specification.CpuCredits is { } credits)
                    {
                        result[id] = credits;
                    }
                }

                token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
            }
            while (token is not null);
        }

        return result;
    }

    public void Dispose() => _client.Dispose();

    private async Task<IReadOnlyList<Ec2Instance>> DescribePagesAsync(List<Filter> filters, CancellationToken cancellation)
    {
        var found = new List<Ec2Instance>();
        string? token = null;
        do
        {
            var request = new DescribeInstancesRequest { Filters = filters, MaxResults = 1000, NextToken = token };
            var response = await CallAsync("DescribeInstances", () => _client.DescribeInstancesAsync(request, cancellation)).ConfigureAwait(false);
            foreach (var reservation in response.Reservations ?? new List<Reservation>())
            {
                foreach (var instance in reservation.Instances ?? new List<Instance>())
                {
                    found.Add(new Ec2Instance(
                        instance.InstanceId,
                        instance.InstanceType?.Value ?? "",
                        instance.State?.Name?.Value ?? "unknown",
                        instance.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : null,
                        instance.Placement?.AvailabilityZone,
                        instance.Tags?.FirstOrDefault(t => t.Key == "Name")?.Value));
                }
            }

            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);

        return found;
    }

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        Interlocked.Increment(ref operation == "DescribeInstances" ? ref _describeCalls : ref _creditCalls);
        _log.Debug($"EC2 {operation} at {_endpoint}.");
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException failure) when (failure.StatusCode != 0 && failure.ErrorCode is not null || (int)failure.StatusCode >= 400)
        {
            throw AwsErrors.FromResponse("EC2", operation, _endpoint.Uri, (int)failure.StatusCode, failure.ErrorCode, failure.Message, failure.RequestId, inner: failure);
        }
        catch (AmazonServiceException failure) when (failure.InnerException is HttpRequestException or IOException or TaskCanceledException)
        {
            throw AwsErrors.Unreachable("EC2", operation, _endpoint.Uri, _endpoint.Source, 1, failure.InnerException!);
        }
        catch (HttpRequestException failure)
        {
            throw AwsErrors.Unreachable("EC2", operation, _endpoint.Uri, _endpoint.Source, 1, failure);
        }
        catch (AmazonClientException failure) when (failure.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            throw AwsContext.NoCredentials(failure);
        }
    }
}
