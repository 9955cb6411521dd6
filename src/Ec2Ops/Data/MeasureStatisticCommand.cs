using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>
/// numpy's nan-functions over the pipeline: one result per property (or one for the values
/// themselves), computed when the input ends. NaN, $null and DBNull are skipped and counted.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "Statistic", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Measure-Statistic.md")]
[OutputType(typeof(StatisticResult))]
public sealed class MeasureStatisticCommand : Ec2OpsCmdlet
{
    private readonly List<StatisticAccumulator> _accumulators = new();
    private PropertyPresence? _presence;

    /// <summary>Numbers, objects (with -Property), or lists and matrices (their elements, flattened as numpy does).</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object? InputObject { get; set; }

    /// <summary>Measure these properties of the input objects, one result each.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(InputPropertyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    /// <summary>The statistics to compute; default Count, Sum, Mean, Median, Min, Max, Std.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public Statistic[]? Statistic { get; set; }

    /// <summary>The percentile (0..100) for the Percentile statistic; giving it adds Percentile.</summary>
    [Parameter]
    public double Percentile { get; set; } = 50;

    /// <summary>The quantile (0..1) for the Quantile statistic; giving it adds Quantile.</summary>
    [Parameter]
    public double Quantile { get; set; } = 0.5;

    /// <summary>Delta degrees of freedom for Std and Var (0: population, as numpy; 1: sample, as pandas).</summary>
    [Parameter]
    public int Ddof { get; set; }

    /// <summary>numpy's plain functions: any NaN or NULL makes the result NaN.</summary>
    [Parameter]
    public SwitchParameter PropagateNaN { get; set; }

    /// <summary>Leave non-numeric values out without an error for each.</summary>
    [Parameter]
    public SwitchParameter SkipNonNumeric { get; set; }

    protected override void BeginProcessing()
    {
        var statistics = (Statistic ?? StatisticOptions.DefaultStatistics).ToList();
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Percentile)) && !statistics.Contains(Core.Data.Statistic.Percentile))
        {
            statistics.Add(Core.Data.Statistic.Percentile);
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(Quantile)) && !statistics.Contains(Core.Data.Statistic.Quantile))
        {
            statistics.Add(Core.Data.Statistic.Quantile);
        }

        var options = new StatisticOptions
        {
            Statistics = statistics,
            Percentile = Percentile,
            Quantile = Quantile,
            Ddof = Ddof,
            PropagateNaN = PropagateNaN,
            SkipNonNumeric = SkipNonNumeric,
        };

        try
        {
            options.Validate();
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
        }

        _presence = new PropertyPresence(Property);
        foreach (string? property in Property ?? new string?[] { null })
        {
            _accumulators.Add(new StatisticAccumulator(property, options));
        }
    }

    protected override void ProcessRecord()
    {
        if (!MyInvocation.ExpectingInput && !MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)))
        {
            return;
        }

        var model = PSDataObjectModel.Instance;
        if (Property is null)
        {
            // A list or matrix contributes its elements (numpy reduces over all of them by default).
            foreach (object? element in DataValue.Flatten(InputObject, model.Unwrap))
            {
                Add(_accumulators[0], element);
            }

            return;
        }

        // A missing property reads as NULL and is skipped, as pandas reads a missing column as NaN.
        var row = InputObject is null ? Array.Empty<KeyValuePair<string, object?>>() : model.GetProperties(InputObject);
        if (InputObject is not null)
        {
            _presence!.Observe(row);
        }

        foreach (var accumulator in _accumulators)
        {
            int index = DataObjects.IndexOf(row, accumulator.Property!);
            Add(accumulator, index < 0 ? null : row[index].Value);
        }
    }

    protected override void EndProcessing()
    {
        // A property no input has is a typo, not a column of missing values: an error, not Count 0.
        foreach (var error in _presence!.MissingErrors())
        {
            WriteCoreError(error);
        }

        foreach (var accumulator in _accumulators)
        {
            if (accumulator.Property is { } name && _presence.IsMissing(name))
            {
                continue;
            }

            var result = accumulator.Compute(Log);
            var output = new PSObject(result);
            output.Members.Add(new PSMemberSet("PSStandardMembers", new PSMemberInfo[]
            {
                new PSPropertySet("DefaultDisplayPropertySet", result.DisplayPropertyNames()),
            }));
            WriteObject(output);
        }
    }

    private void Add(StatisticAccumulator accumulator, object? value)
    {
        if (accumulator.Add(value) is { } error)
        {
            WriteCoreError(error, InputObject);
        }
    }
}
