using System.Text.Json;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

/// <summary>One scikit-learn 1.2.1 result from Factorization/Reference (copied from the shared reference folder).</summary>
public sealed record NmfReference(string Name, NmfOptions Options, double[][] V, double[][] W, double[][] H, double Error, int Iterations)
{
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
