using System.Globalization;
using System.Text;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Reads a numeric CSV (comma-separated, RFC 4180 quotes) into rows. A header is used for
/// feature names; with <c>hasHeader = null</c> the first line is a header when any of its cells is
/// not a number. Blank lines are skipped. Bad cells are reported by file line, row and column.
/// </summary>
public static class CsvMatrixReader
{
    public static NmfMatrixInput Read(string path, bool? hasHeader = null)
    {
        using var stream = NmfMatrixInput.OpenFile(path);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path), hasHeader);
    }

    /// <param name="sourceName">How messages name the source, e.g. the file name.</param>
    public static NmfMatrixInput Read(TextReader reader, string sourceName, bool? hasHeader = null)
    {
        var rows = new List<double[]>();
        string[]? header = null;
        bool first = true;
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = SplitLine(line, sourceName, lineNumber);
            if (first)
            {
                first = false;
                bool isHeader = hasHeader ?? cells.Any(c => !TryParse(c, out _));
                if (isHeader)
                {
                    header = cells.Select(c => c.Trim()).ToArray();
                    continue;
                }
            }

            int expected = header?.Length ?? (rows.Count > 0 ? rows[0].Length : cells.Count);
            string where = $"'{sourceName}' (line {lineNumber})";
            if (cells.Count != expected)
            {
                string basis = header is not null ? "the header has" : "the first row has";
                throw NmfValidation.Error("NmfRaggedRow", Ec2OpsErrorCategory.InvalidData,
                    $"Row {rows.Count} of {where} has {cells.Count} values but {basis} {expected}: every row needs the same number of columns.",
                    line, "Give every line the same number of comma-separated values.");
            }

            var values = new double[cells.Count];
            for (int j = 0; j < cells.Count; j++)
            {
                if (!TryParse(cells[j], out values[j]))
                {
                    string shown = cells[j].Trim().Length == 0 ? "empty" : $"'{cells[j].Trim()}', which is not a number";
                    throw NmfValidation.Error("NmfInvalidCell", Ec2OpsErrorCategory.InvalidData,
                        $"{NmfValidation.CellName(rows.Count, j, where, header)} is {shown}.", cells[j],
                        "Fix the cell; numbers use '.' as the decimal separator.");
                }

                NmfValidation.CheckCell(values[j], rows.Count, j, where, header);
            }

            rows.Add(values);
        }

        if (rows.Count == 0)
        {
            throw NmfValidation.Error("NmfEmptyInput", Ec2OpsErrorCategory.InvalidData, $"'{sourceName}' has no data rows.", sourceName,
                "Check that the file holds numbers, one row per line.");
        }

        return new NmfMatrixInput(rows.ToArray(), header, sourceName);
    }

    private static bool TryParse(string cell, out double value) =>
        double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Splits one line on commas, honouring double quotes ("" inside quotes is a quote).</summary>
    private static List<string> SplitLine(string line, string sourceName, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(ch);
            }
        }

        if (quoted)
        {
            throw NmfValidation.Error("NmfInvalidCsv", Ec2OpsErrorCategory.ParserError,
                $"Line {lineNumber} of '{sourceName}' has an unclosed quote.", line, "Close the quote; quoted cells cannot span lines.");
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
