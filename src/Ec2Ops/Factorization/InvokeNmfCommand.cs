using System.Collections;
using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Commands;

/// <summary>Non-negative matrix factorization V ≈ W·H (scikit-learn's NMF), or a transform onto fixed components.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "Nmf", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Invoke-Nmf.md", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(NmfResult))]
public sealed class InvokeNmfCommand : Ec2OpsCmdlet
{
    private const string PipelineSet = "Pipeline";
    private const string MatrixSet = "Matrix";
    private const string PathSet = "Path";

    private NmfRowCollector? _collector;

    /// <summary>One row: an array of numbers, or an object whose properties are the columns.</summary>
    [Parameter(ParameterSetName = PipelineSet, Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    [Parameter(ParameterSetName = PipelineSet)]
    [ArgumentCompleter(typeof(InputPropertyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    [Parameter(ParameterSetName = MatrixSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public object Matrix { get; set; } = Array.Empty<object>();

    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter NoHeader { get; set; }

    [Parameter(ParameterSetName = PipelineSet)]
    [Parameter(ParameterSetName = MatrixSet)]
    [ValidateNotNullOrEmpty]
    public string[]? FeatureName { get; set; }

    // Not positional: with piped rows a bare number would otherwise bind to -Path (position 0).
    [Parameter]
    [Alias("NComponents")]
    public int? Rank { get; set; }

    [Parameter]
    public NmfInit Init { get; set; } = NmfInit.Auto;

    [Parameter]
    public NmfSolver Solver { get; set; } = NmfSolver.CoordinateDescent;

    [Parameter]
    public NmfBetaLoss BetaLoss { get; set; } = NmfBetaLoss.Frobenius;

    [Parameter]
    public double? Beta { get; set; }

    [Parameter]
    [Alias("MaxIter")]
    public int MaxIterations { get; set; } = 200;

    [Parameter]
    [Alias("Tol")]
    public double Tolerance { get; set; } = 1e-4;

    [Parameter]
    [Alias("RandomState")]
    public int? Seed { get; set; }

    [Parameter]
    public double AlphaW { get; set; }

    [Parameter]
    public double? AlphaH { get; set; }

    [Parameter]
    public double L1Ratio { get; set; }

    [Parameter]
    public SwitchParameter Shuffle { get; set; }

    /// <summary>H of an earlier fit (Rank x columns): solve only for W, as scikit-learn's transform.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public double[][]? Components { get; set; }

    protected override string ProgressActivity => "Invoke-Nmf";

    protected override void BeginProcessing() => _collector = new NmfRowCollector(Property);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PipelineSet)
        {
            AddRow(InputObject);
        }
    }

    protected override void EndProcessing()
    {
        double[][] rows;
        string[]? names;
        switch (ParameterSetName)
        {
            case PathSet:
                try
                {
                    var input = NmfMatrixInput.ReadFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path), NoHeader ? false : null);
                    (rows, names) = (input.Rows, input.FeatureNames);
                }
                catch (Ec2OpsException error)
                {
                    ThrowCoreError(error, Path);
                    return;
                }

                break;
            case MatrixSet:
                AddMatrix(Matrix);
                (rows, names) = Collected();
                break;
            default:
                (rows, names) = Collected();
                break;
        }

        var options = new NmfOptions
        {
            Rank = Rank,
            Init = Init,
            Solver = Solver,
            BetaLoss = BetaLoss,
            Beta = Beta,
            MaxIterations = MaxIterations,
            Tolerance = Tolerance,
            Seed = Seed,
            AlphaW = AlphaW,
            AlphaH = AlphaH,
            L1Ratio = L1Ratio,
            Shuffle = Shuffle,
        };
        var result = RunCore(session =>
        {
            var service = new NmfService(session.Log, session.Progress);
            return Task.FromResult(Components is null
                ? service.Factorize(rows, options, names, session.Cancellation)
                : service.Transform(rows, Components, options, names, session.Cancellation));
        });
        WriteObject(result);
    }

    private (double[][] Rows, string[]? Names) Collected()
    {
        var collector = _collector!;
        if (collector.RejectedCount > 0)
        {
            WriteWarning($"{collector.RejectedCount} of {collector.InputCount} input rows were skipped (see the errors); W has one row per accepted row, in input order.");
        }

        return (collector.ToRows(), FeatureName ?? collector.FeatureNames?.ToArray());
    }

    /// <summary>
    /// -Matrix: a 2-D array keeps its shape (PowerShell would flatten it into an object[]); a list is a
    /// list of rows; anything else (one object, one hashtable) is a single row.
    /// </summary>
    private void AddMatrix(object matrix)
    {
        switch (matrix is PSObject wrapped ? wrapped.BaseObject : matrix)
        {
            case Array { Rank: 2 } grid:
                try
                {
                    _collector!.AddGrid(grid);
                }
                catch (Ec2OpsException error)
                {
                    ThrowCoreError(error, matrix);
                }

                break;
            case IEnumerable rows and not string and not IDictionary:
                foreach (var row in rows)
                {
                    AddRow(row);
                }

                break;
            default:
                // The PSObject itself: a [pscustomobject]'s properties live on it, not on its base object.
                AddRow(matrix);
                break;
        }
    }

    /// <summary>Hands one pipeline item to Core: a list becomes a row of values, anything else a row of properties.</summary>
    private void AddRow(object? item)
    {
        object? value = item is PSObject ps ? ps.BaseObject : item;
        try
        {
            if (value is IEnumerable list and not string and not IDictionary)
            {
                _collector!.AddValues(list.Cast<object?>().Select(x => x is PSObject p ? p.BaseObject : x));
            }
            else if (value is IDictionary dictionary)
            {
                _collector!.AddProperties(dictionary.Keys.Cast<object>()
                    .Select(k => new KeyValuePair<string, object?>(k.ToString() ?? string.Empty, Unwrap(dictionary[k]))).ToList());
            }
            else if (value is null || value is string || value.GetType().IsPrimitive || value is decimal)
            {
                // A lone number is a one-column row (what PowerShell pipes when a flat array is unrolled).
                _collector!.AddValues(new[] { value });
            }
            else
            {
                var wrapped = item as PSObject ?? PSObject.AsPSObject(value);
                _collector!.AddProperties(wrapped.Properties
                    .Where(p => p.IsGettable && p.MemberType is PSMemberTypes.NoteProperty or PSMemberTypes.Property)
                    .Select(p => new KeyValuePair<string, object?>(p.Name, Unwrap(p.Value))).ToList());
            }
        }
        catch (Ec2OpsException error)
        {
            WriteCoreError(error, item);
        }
    }

    private static object? Unwrap(object? value) => value is PSObject p ? p.BaseObject : value;
}
