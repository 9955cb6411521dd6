using System.Globalization;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Every check on NMF input and options, with stable ErrorIds. Cells are named by 0-based row and
/// column index (as <c>$r.W[row]</c> and numpy index them), plus the column name when known.
/// </summary>
internal static class NmfValidation
{
    public static RowMajorMatrix ToMatrix(double[][]? rows, string what, string[]? featureNames)
    {
        if (rows is null || rows.Length == 0)
        {
            throw Error("NmfEmptyInput", Ec2OpsErrorCategory.InvalidData, $"{Capitalize(what)} has no rows: NMF needs at least one row of numbers.", rows,
                "Pass rows through the pipeline, with -Matrix, or with -Path.");
        }

        int cols = rows[0]?.Length ?? 0;
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (row is null || row.Length == 0)
            {
                throw Error("NmfEmptyRow", Ec2OpsErrorCategory.InvalidData, $"Row {i} of {what} has no values.", i,
                    "Remove the empty row or fill it with numbers.");
            }

            if (row.Length != cols)
            {
                throw Error("NmfRaggedRow", Ec2OpsErrorCategory.InvalidData,
                    $"Row {i} of {what} has {row.Length} values but row 0 has {cols}: every row needs the same number of columns.", row,
                    "Give every row the same number of values.");
            }

            for (int j = 0; j < cols; j++)
            {
                CheckCell(row[j], i, j, what, featureNames);
            }
        }

        CheckMagnitude(rows, cols, what, featureNames);
        return RowMajorMatrix.FromJagged(rows);
    }

    /// <summary>
    /// The largest value the computation can take for a matrix of this size. NMF sums squares of the
    /// values (the Frobenius norm, the SVD of the NNDSVD start, the solvers' updates); past this the
    /// sums overflow to infinity and the solvers fail without saying why. A thousandfold margin covers
    /// the products of W and H.
    /// </summary>
    public static double MaxMagnitude(int rows, int cols) => Math.Sqrt(double.MaxValue / ((double)rows * cols)) / 1e3;

    private static void CheckMagnitude(double[][] rows, int cols, string what, string[]? featureNames)
    {
        double limit = MaxMagnitude(rows.Length, cols);
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (rows[i][j] > limit)
                {
                    throw Error("NmfValueTooLarge", Ec2OpsErrorCategory.InvalidData,
                        $"{CellName(i, j, what, featureNames)} is {Format(rows[i][j])}: NMF sums squares of the values, which overflows a double above about {limit.ToString("G3", CultureInfo.InvariantCulture)} for a {rows.Length} x {cols} matrix.",
                        rows[i][j],
                        "Scale the data down (divide every value by the same factor, for example the largest one), factor it, and multiply W by that factor.");
                }
            }
        }
    }

    /// <summary>Checks one value; shared with the file readers so they report the same way. <paramref name="what"/> names the source with its article ("the input", "'a.csv' (line 3)").</summary>
    public static void CheckCell(double value, int row, int col, string what, string[]? featureNames)
    {
        if (!double.IsFinite(value))
        {
            throw Error("NmfNonFiniteValue", Ec2OpsErrorCategory.InvalidData,
                $"{CellName(row, col, what, featureNames)} is {Format(value)}: NMF needs finite numbers.", value,
                "Replace NaN and infinite values (for example with 0) before factoring.");
        }

        if (value < 0)
        {
            throw Error("NmfNegativeValue", Ec2OpsErrorCategory.InvalidData,
                $"{CellName(row, col, what, featureNames)} is {Format(value)}: NMF needs non-negative values.", value,
                "Shift or clip the data so that every value is zero or more.");
        }
    }

    public static string CellName(int row, int col, string what, string[]? featureNames)
    {
        string name = featureNames is not null && col < featureNames.Length ? $" ('{featureNames[col]}')" : string.Empty;
        return $"Row {row}, column {col}{name} of {what}";
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static RowMajorMatrix ToComponents(double[][]? components, int cols)
    {
        if (components is null || components.Length == 0)
        {
            throw Error("NmfComponentShape", Ec2OpsErrorCategory.InvalidArgument, "The components have no rows: pass H (rank x columns) of an earlier factorization.",
                components, "Pass the H of an NmfResult, e.g. -Components $fit.H.");
        }

        for (int r = 0; r < components.Length; r++)
        {
            int length = components[r]?.Length ?? 0;
            if (length != cols)
            {
                throw Error("NmfComponentShape", Ec2OpsErrorCategory.InvalidArgument,
                    $"Component row {r} has {length} values but the input has {cols} columns: H must be rank x {cols}.", components,
                    "Transform data with the same columns as the data the components were fitted on.");
            }
        }

        var h = ToMatrix(components, "the components", null);
        if (h.Data.All(x => x == 0))
        {
            throw Error("NmfComponentsAllZero", Ec2OpsErrorCategory.InvalidArgument, "The components are all zero: no W can reconstruct anything from them.",
                components, "Pass the H of a real factorization.");
        }

        return h;
    }

    public static void CheckOptions(NmfOptions options, RowMajorMatrix v, string[]? featureNames, int rank, NmfInit init)
    {
        if (featureNames is not null && featureNames.Length != v.Cols)
        {
            throw Error("NmfFeatureNameCount", Ec2OpsErrorCategory.InvalidArgument,
                $"There are {featureNames.Length} feature names for {v.Cols} columns.", featureNames, "Give one name per column.");
        }

        if (rank < 1)
        {
            throw Error("NmfInvalidRank", Ec2OpsErrorCategory.InvalidArgument, $"Rank {rank} is not allowed: it must be 1 or more.", rank,
                "Pick a rank between 1 and the smaller of the row and column counts.");
        }

        if (init is NmfInit.Nndsvd or NmfInit.Nndsvda or NmfInit.Nndsvdar && rank > Math.Min(v.Rows, v.Cols))
        {
            throw Error("NmfRankTooLarge", Ec2OpsErrorCategory.InvalidArgument,
                $"Init {init} needs a rank of at most min(rows, columns) = {Math.Min(v.Rows, v.Cols)}, got {rank}.", rank,
                "Lower the rank or use -Init Random.");
        }

        if (options.MaxIterations < 1)
        {
            throw Error("NmfInvalidMaxIterations", Ec2OpsErrorCategory.InvalidArgument,
                $"MaxIterations {options.MaxIterations} is not allowed: it must be 1 or more.", options.MaxIterations, "Use the default 200 or more.");
        }

        if (!(options.Tolerance >= 0) || double.IsInfinity(options.Tolerance))
        {
            throw Error("NmfInvalidTolerance", Ec2OpsErrorCategory.InvalidArgument,
                $"Tolerance {Format(options.Tolerance)} is not allowed: it must be a finite number of 0 or more.", options.Tolerance, "Use the default 1e-4, or 0 to always run MaxIterations.");
        }

        CheckAlpha(options.AlphaW, "AlphaW");
        if (options.AlphaH is double alphaH)
        {
            CheckAlpha(alphaH, "AlphaH");
        }

        if (!(options.L1Ratio >= 0 && options.L1Ratio <= 1))
        {
            throw Error("NmfInvalidL1Ratio", Ec2OpsErrorCategory.InvalidArgument,
                $"L1Ratio {Format(options.L1Ratio)} is not allowed: it must be between 0 (pure L2) and 1 (pure L1).", options.L1Ratio, "Use a value from 0 to 1.");
        }

        if (options.Seed is < 0)
        {
            throw Error("NmfInvalidSeed", Ec2OpsErrorCategory.InvalidArgument,
                $"Seed {options.Seed} is not allowed: it must be 0 or more.", options.Seed, "Use a seed from 0 to 2147483647.");
        }

        double beta = options.EffectiveBeta;
        if (!double.IsFinite(beta))
        {
            throw Error("NmfInvalidBeta", Ec2OpsErrorCategory.InvalidArgument, $"Beta {Format(beta)} is not allowed: it must be a finite number.", beta, "Use 2, 1, 0 or another finite number.");
        }

        if (options.Solver == NmfSolver.CoordinateDescent && beta != 2)
        {
            throw Error("NmfLossNeedsMultiplicativeUpdate", Ec2OpsErrorCategory.InvalidArgument,
                $"The coordinate descent solver only handles the Frobenius loss (beta 2), not beta {Format(beta)}.", beta,
                "Add -Solver MultiplicativeUpdate, or use -BetaLoss Frobenius.");
        }

        if (beta <= 0)
        {
            // Zeros make beta <= 0 divergences infinite; scikit-learn refuses them too.
            for (int i = 0; i < v.Rows; i++)
            {
                int j = v.Row(i).IndexOf(0.0);
                if (j >= 0)
                {
                    throw Error("NmfZeroWithNonPositiveBeta", Ec2OpsErrorCategory.InvalidData,
                        $"{CellName(i, j, "the input", featureNames)} is 0, but beta {Format(beta)} (e.g. Itakura-Saito) needs strictly positive values: the solver may diverge.", 0.0,
                        "Add a small value to the data, or use a positive beta such as KullbackLeibler.");
                }
            }
        }
    }

    private static void CheckAlpha(double alpha, string name)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha))
        {
            throw Error("NmfInvalidAlpha", Ec2OpsErrorCategory.InvalidArgument,
                $"{name} {Format(alpha)} is not allowed: regularization must be a finite number of 0 or more.", alpha, "Use 0 (no regularization) or a positive number.");
        }
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static Ec2OpsException Error(string id, Ec2OpsErrorCategory category, string message, object? target, string action) =>
        new(id, category, message, target) { RecommendedAction = action };
}
