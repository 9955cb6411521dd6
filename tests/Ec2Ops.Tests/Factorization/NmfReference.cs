using System.Text.Json;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

/// <summary>One scikit-learn 1.2.1 result from Factorization/Reference (copied from the shared reference folder).</summary>
public sealed record NmfReference(string Name, NmfOptions Options, double[][] V, double[][] W, double[][] H, double Error, int Iterations)
{
    /// <summary>Warnings scikit-learn raised (extra cases only).</summary>
    public string[] Warnings { get; init; } = Array.Empty<string>();

    /// <summary>Data passed to scikit-learn's transform, and what it returned (extra cases only).</summary>
    public double[][]? TransformV { get; init; }

    public double[][]? TransformW { get; init; }

    /// <summary>A case from extra-cases.json (written by make_extra_cases.py).</summary>
    public static NmfReference LoadExtra(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Factorization", "Reference", "extra-cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var p = root.GetProperty("params");
        double? Number(string key) => p.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
        string? Text(string key) => p.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var options = new NmfOptions
        {
            Rank = p.GetProperty("n_components").GetInt32(),
            Init = Text("init") is string init ? Enum.Parse<NmfInit>(init, ignoreCase: true) : NmfInit.Auto,
            Solver = Text("solver") == "mu" ? NmfSolver.MultiplicativeUpdate : NmfSolver.CoordinateDescent,
            BetaLoss = Text("beta_loss") switch
            {
                "kullback-leibler" => NmfBetaLoss.KullbackLeibler,
                "itakura-saito" => NmfBetaLoss.ItakuraSaito,
                _ => NmfBetaLoss.Frobenius,
            },
            Beta = Number("beta_loss"),
            MaxIterations = (int)(Number("max_iter") ?? 200),
            Tolerance = Number("tol") ?? 1e-4,
            AlphaW = Number("alpha_W") ?? 0,
            AlphaH = Number("alpha_H"),
            L1Ratio = Number("l1_ratio") ?? 0,
            Shuffle = p.TryGetProperty("shuffle", out var shuffle) && shuffle.GetBoolean(),
            Seed = 0,
        };
        return new NmfReference(
            name,
            options,
            Matrix(root.GetProperty("V")),
            Matrix(root.GetProperty("W")),
            Matrix(root.GetProperty("H")),
            root.GetProperty("reconstruction_err").GetDouble(),
            root.GetProperty("n_iter").GetInt32())
        {
            Warnings = root.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray(),
            TransformV = root.TryGetProperty("transform_V", out var tv) ? Matrix(tv) : null,
            TransformW = root.TryGetProperty("transform_W", out var tw) ? Matrix(tw) : null,
        };
    }

    public static NmfReference Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Factorization", "Reference", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var p = root.GetProperty("params");
        var alphaH = p.GetProperty("alpha_H");
        var options = new NmfOptions
        {
            Rank = p.GetProperty("n_components").GetInt32(),
            Init = Enum.Parse<NmfInit>(p.GetProperty("init").GetString()!, ignoreCase: true),
            Solver = p.GetProperty("solver").GetString() == "cd" ? NmfSolver.CoordinateDescent : NmfSolver.MultiplicativeUpdate,
            BetaLoss = p.GetProperty("beta_loss").GetString() switch
            {
                "frobenius" => NmfBetaLoss.Frobenius,
                "kullback-leibler" => NmfBetaLoss.KullbackLeibler,
                _ => NmfBetaLoss.ItakuraSaito,
            },
            MaxIterations = p.GetProperty("max_iter").GetInt32(),
            Tolerance = p.GetProperty("tol").GetDouble(),
            AlphaW = p.GetProperty("alpha_W").GetDouble(),
            AlphaH = alphaH.ValueKind == JsonValueKind.Number ? alphaH.GetDouble() : null,
            L1Ratio = p.GetProperty("l1_ratio").GetDouble(),
            Seed = 0,
        };
        return new NmfReference(
            root.GetProperty("name").GetString()!,
            options,
            Matrix(root.GetProperty("V")),
            Matrix(root.GetProperty("W")),
            Matrix(root.GetProperty("H")),
            root.GetProperty("reconstruction_err").GetDouble(),
            root.GetProperty("n_iter").GetInt32());
    }

    private static double[][] Matrix(JsonElement e) =>
        e.EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
}
