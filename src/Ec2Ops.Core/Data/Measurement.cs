namespace Ec2Ops.Core.Data;

/// <summary>The statistics Measure-Statistic computes; each maps to a numpy function (nan* by default).</summary>
public enum Statistic
{
    Sum,
    Mean,
    Median,
    Min,
    Max,
    Std,
    Var,
    Prod,
    Count,
    Percentile,
    Quantile,
    ArgMin,
    ArgMax,
    CumSum,
    CumProd,
}

/// <summary>What to compute and how (numpy's arguments: ddof, q; nan* vs plain).</summary>
public sealed record StatisticOptions
{
    /// <summary>Used when the caller names none: the Measure-Object set plus Median and Std.</summary>
    public static readonly IReadOnlyList<Statistic> DefaultStatistics =
        new[] { Statistic.Count, Statistic.Sum, Statistic.Mean, Statistic.Median, Statistic.Min, Statistic.Max, Statistic.Std };

    public IReadOnlyList<Statistic> Statistics { get; init; } = DefaultStatistics;

    /// <summary>numpy's q of <c>np.nanpercentile</c>, in [0, 100].</summary>
    public double Percentile { get; init; } = 50.0;

    /// <summary>numpy's q of <c>np.nanquantile</c>, in [0, 1].</summary>
    public double Quantile { get; init; } = 0.5;

    /// <summary>Delta degrees of freedom: Std and Var divide by Count - Ddof (0: population, 1: sample).</summary>
    public int Ddof { get; init; }

    /// <summary>numpy's plain functions instead of the nan* ones: one NaN (or NULL) makes the result NaN.</summary>
    public bool PropagateNaN { get; init; }

    /// <summary>Leave non-numeric values out quietly instead of reporting an error for each.</summary>
    public bool SkipNonNumeric { get; init; }

    public bool Wants(Statistic statistic) => Statistics.Contains(statistic);

    /// <summary>Checks the arguments before any input is read (numpy's messages where it has them).</summary>
    public void Validate()
    {
        if (!(Percentile >= 0 && Percentile <= 100))
        {
            throw new Ec2OpsException("StatisticPercentileOutOfRange", Ec2OpsErrorCategory.InvalidArgument,
                $"Percentile {Percentile} is outside [0, 100] (numpy: \"Percentiles must be in the range [0, 100]\").", Percentile);
        }

        if (!(Quantile >= 0 && Quantile <= 1))
        {
            throw new Ec2OpsException("StatisticQuantileOutOfRange", Ec2OpsErrorCategory.InvalidArgument,
                $"Quantile {Quantile} is outside [0, 1] (numpy: \"Quantiles must be in the range [0, 1]\").", Quantile);
        }

        if (Ddof < 0)
        {
            throw new Ec2OpsException("StatisticDdofNegative", Ec2OpsErrorCategory.InvalidArgument,
                $"Ddof {Ddof} is negative; Std and Var divide by Count - Ddof, so Ddof must be 0 (population) or more (1: sample).", Ddof);
        }
    }
}

/// <summary>
/// One Measure-Statistic output: the statistics of one property (or of the input values themselves,
/// when <see cref="Property"/> is null). Statistics that were not asked for are null.
/// </summary>
public sealed class StatisticResult
{
    public string? Property { get; init; }

    /// <summary>Numeric values used: not NaN, not NULL, not rejected (pandas <c>count</c>).</summary>
    public int Count { get; init; }

    /// <summary>Missing values: NaN, <c>$null</c>, <c>[DBNull]::Value</c>, empty strings (skipped, or propagated under -PropagateNaN).</summary>
    public int Skipped { get; init; }

    /// <summary>Non-numeric values left out (each reported as an error unless -SkipNonNumeric).</summary>
    public int Rejected { get; init; }

    public double? Sum { get; init; }

    public double? Mean { get; init; }

    public double? Median { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public double? Std { get; init; }

    public double? Var { get; init; }

    public double? Prod { get; init; }

    /// <summary>The value at <see cref="PercentileLevel"/> (0..100), linear interpolation.</summary>
    public double? Percentile { get; init; }

    public double? PercentileLevel { get; init; }

    /// <summary>The value at <see cref="QuantileLevel"/> (0..1), linear interpolation.</summary>
    public double? Quantile { get; init; }

    public double? QuantileLevel { get; init; }

    /// <summary>0-based position in the input of the first minimum (null when there is no number).</summary>
    public int? ArgMin { get; init; }

    public int? ArgMax { get; init; }

    /// <summary>Running sum, one value per input position (NaN counts as 0 unless -PropagateNaN).</summary>
    public NumberList? CumSum { get; init; }

    /// <summary>Running product, one value per input position (NaN counts as 1 unless -PropagateNaN).</summary>
    public NumberList? CumProd { get; init; }

    public int Ddof { get; init; }

    /// <summary>The names of the statistics that were asked for, in the order asked.</summary>
    public ValueList Statistics { get; init; } = ValueList.Empty;

    /// <summary>
    /// The properties worth showing by default: the property, the counts, and the requested
    /// statistics only (Rejected only when something was rejected). The cmdlet makes this the
    /// object's DefaultDisplayPropertySet, so a table never fills with empty columns.
    /// </summary>
    public IReadOnlyList<string> DisplayPropertyNames()
    {
        var names = new List<string> { nameof(Property), nameof(Count), nameof(Skipped) };
        if (Rejected > 0)
        {
            names.Add(nameof(Rejected));
        }

        names.AddRange(Statistics.Where(s => s != nameof(Statistic.Count)).Distinct());
        return names;
    }
}

/// <summary>
/// Collects the values of one property as they stream in, then computes the requested statistics.
/// Each input value keeps its position (ArgMin/ArgMax and the cumulative arrays refer to it);
/// missing and rejected values hold theirs as NaN.
/// </summary>
public sealed class StatisticAccumulator
{
    // The statistics that are NaN without numbers (sums and products fall back to 0 and 1, ArgMin/ArgMax to null).
    private static readonly Statistic[] NaNWhenEmpty =
    {
        Statistic.Mean, Statistic.Median, Statistic.Min, Statistic.Max, Statistic.Std, Statistic.Var,
        Statistic.Percentile, Statistic.Quantile,
    };

    private readonly List<double> _values = new();
    private readonly StatisticOptions _options;
    private int _skipped;
    private int _rejected;

    public StatisticAccumulator(string? property, StatisticOptions options)
    {
        Property = property;
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    public string? Property { get; }

    /// <summary>
    /// Adds one value. Numbers of any .NET type are taken as double; strings are parsed as
    /// PowerShell's <c>[double]</c> does (invariant culture), so Import-Csv columns work, and an empty
    /// string is missing, as pandas' read_csv reads an empty field. Returns the error for a
    /// non-numeric value (null when the value was accepted or -SkipNonNumeric is set); the value is
    /// left out either way and later values are unaffected.
    /// </summary>
    public Ec2OpsException? Add(object? value)
    {
        int position = _values.Count;
        if (DataValue.IsNull(value) || (value is string blank && string.IsNullOrWhiteSpace(blank)))
        {
            _skipped++;
            _values.Add(double.NaN);
            return null;
        }

        if (DataValue.TryToDouble(value, out double number)
            || (value is string text && DataValue.TryParseNumber(text, out number)))
        {
            if (double.IsNaN(number))
            {
                _skipped++;
            }

            _values.Add(number);
            return null;
        }

        _rejected++;
        _values.Add(double.NaN);
        if (_options.SkipNonNumeric)
        {
            return null;
        }

        string where = Property is null ? $"Input value {position}" : $"Property '{Property}' of input {position}";
        return new Ec2OpsException(
            "StatisticValueNotNumeric",
            Ec2OpsErrorCategory.InvalidData,
            $"{where} is {DataValue.Describe(value)}, which is not a number; it is left out of the statistics.",
            value)
        {
            RecommendedAction = "Convert the value to a number, or use -SkipNonNumeric to leave such values out quietly.",
        };
    }

    /// <summary>Computes the requested statistics; warns (as numpy does) when a result is NaN for lack of numbers.</summary>
    public StatisticResult Compute(IOperationLog? log = null)
    {
        log ??= NullOperationLog.Instance;
        var o = _options;
        bool plain = o.PropagateNaN;
        double[] values = _values.ToArray();
        int count = NanStatistics.CountNonNaN(values);
        int ddof = o.Ddof;

        double? Pick(Statistic s, Func<double> compute) => o.Wants(s) ? compute() : null;

        var result = new StatisticResult
        {
            Property = Property,
            Count = count,
            Skipped = _skipped,
            Rejected = _rejected,
            Ddof = ddof,
            Statistics = new ValueList(o.Statistics.Select(s => s.ToString()).ToArray()),
            Sum = Pick(Statistic.Sum, () => plain ? NanStatistics.Sum(values) : NanStatistics.NanSum(values)),
            Mean = Pick(Statistic.Mean, () => plain ? NanStatistics.Mean(values) : NanStatistics.NanMean(values)),
            Median = Pick(Statistic.Median, () => plain ? NanStatistics.Median(values) : NanStatistics.NanMedian(values)),
            Min = Pick(Statistic.Min, () => plain ? NanStatistics.Min(values) : NanStatistics.NanMin(values)),
            Max = Pick(Statistic.Max, () => plain ? NanStatistics.Max(values) : NanStatistics.NanMax(values)),
            Std = Pick(Statistic.Std, () => plain ? NanStatistics.Std(values, ddof) : NanStatistics.NanStd(values, ddof)),
            Var = Pick(Statistic.Var, () => plain ? NanStatistics.Var(values, ddof) : NanStatistics.NanVar(values, ddof)),
            Prod = Pick(Statistic.Prod, () => plain ? NanStatistics.Prod(values) : NanStatistics.NanProd(values)),
            Percentile = Pick(Statistic.Percentile, () => plain ? NanStatistics.Percentile(values, o.Percentile) : NanStatistics.NanPercentile(values, o.Percentile)),
            PercentileLevel = o.Wants(Statistic.Percentile) ? o.Percentile : null,
            Quantile = Pick(Statistic.Quantile, () => plain ? NanStatistics.Quantile(values, o.Quantile) : NanStatistics.NanQuantile(values, o.Quantile)),
            QuantileLevel = o.Wants(Statistic.Quantile) ? o.Quantile : null,
            ArgMin = o.Wants(Statistic.ArgMin) ? (plain ? NanStatistics.ArgMin(values) : NanStatistics.NanArgMin(values)) : null,
            ArgMax = o.Wants(Statistic.ArgMax) ? (plain ? NanStatistics.ArgMax(values) : NanStatistics.NanArgMax(values)) : null,
            CumSum = o.Wants(Statistic.CumSum) ? new NumberList(plain ? NanStatistics.CumSum(values) : NanStatistics.NanCumSum(values)) : null,
            CumProd = o.Wants(Statistic.CumProd) ? new NumberList(plain ? NanStatistics.CumProd(values) : NanStatistics.NanCumProd(values)) : null,
        };

        Warn(result, values.Length, log);
        return result;
    }

    // numpy warns "Mean of empty slice" / "All-NaN slice encountered" when a nan* function has no
    // numbers left, and "Degrees of freedom <= 0" when Count - ddof <= 0; so do we, once per property.
    private void Warn(StatisticResult r, int length, IOperationLog log)
    {
        string name = Property is null ? "The input" : $"Property '{Property}'";
        bool noNumbers = length == 0 || (!_options.PropagateNaN && r.Count == 0);
        if (noNumbers)
        {
            var nan = NaNWhenEmpty.Where(_options.Wants).Select(st => st.ToString()).ToList();
            var nulls = new[] { Statistic.ArgMin, Statistic.ArgMax }.Where(_options.Wants).Select(st => st.ToString()).ToList();
            if (nan.Count + nulls.Count > 0)
            {
                string why = length == 0 ? "has no values" : $"has no numbers ({_skipped} missing, {_rejected} non-numeric)";
                var parts = new List<string>();
                if (nan.Count > 0)
                {
                    parts.Add($"{string.Join(", ", nan)} {(nan.Count == 1 ? "is" : "are")} NaN");
                }

                if (nulls.Count > 0)
                {
                    parts.Add($"{string.Join(", ", nulls)} {(nulls.Count == 1 ? "is" : "are")} null");
                }

                log.Warning($"{name} {why}: {string.Join("; ", parts)} (numpy: \"All-NaN slice encountered\", \"Mean of empty slice\").");
            }

            return;
        }

        if ((_options.Wants(Statistic.Std) || _options.Wants(Statistic.Var)) && r.Count - _options.Ddof <= 0)
        {
            log.Warning($"{name}: Count {r.Count} - Ddof {_options.Ddof} <= 0, so Std and Var are not defined (numpy: \"Degrees of freedom <= 0 for slice\").");
        }
    }
}
