using Ec2Ops.HelpGen;

// Usage: Ec2Ops.HelpGen --assembly Ec2Ops.dll --docs docs/help --out en-US/Ec2Ops.dll-Help.xml [--reference path.dll]...
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal) && x.i + 1 < args.Length)
    .ToLookup(x => x.a, x => args[x.i + 1]);
string Required(string name) => options[name].FirstOrDefault()
    ?? throw new ArgumentException($"Ec2Ops.HelpGen: {name} is required. Usage: --assembly DLL --docs DIR --out FILE [--reference DLL]...");

try
{
    var cmdlets = CmdletMetadata.Read(Required("--assembly"), options["--reference"]);
    var docs = Directory.Exists(Required("--docs"))
        ? Directory.GetFiles(Required("--docs"), "*.md").Order(StringComparer.Ordinal).Select(HelpDocument.Load).ToList()
        : new List<HelpDocument>();

    var problems = HelpValidator.Problems(cmdlets, docs);
    foreach (var problem in problems)
    {
        // MSBuild shows lines in this form as build errors.
        Console.Error.WriteLine($"error EC2OPSHELP: {problem}");
    }

    if (problems.Count > 0)
    {
        return 1;
    }

    var byName = docs.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
    var output = Required("--out");
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    MamlWriter.Build(cmdlets.Select(c => (c, byName[c.Name]))).Save(output);
    Console.WriteLine($"Ec2Ops.HelpGen: {cmdlets.Count} cmdlet(s) -> {output}");
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or IOException or FormatException or BadImageFormatException)
{
    Console.Error.WriteLine($"error EC2OPSHELP: {ex.Message}");
    return 2;
}
