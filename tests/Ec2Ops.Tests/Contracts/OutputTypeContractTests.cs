using System.Reflection;
using Ec2Ops.Core;
using Ec2Ops.HelpGen;

namespace Ec2Ops.Tests.Contracts;

/// <summary>
/// Every output type exports readably: Export-Csv writes each property's ToString() and ConvertTo-Json
/// writes enums as numbers, so a property must not be an enum, an array or a collection whose
/// ToString() is its type name. Walks the [OutputType]s of the compiled cmdlets (whose properties
/// become CSV columns) and every Ec2Ops type they contain (which become one CSV cell, their ToString(),
/// and a JSON object, where only enums are unreadable).
/// </summary>
public class OutputTypeContractTests
{
    private static readonly Type[] Scalars =
    {
        typeof(string), typeof(bool), typeof(int), typeof(long), typeof(double), typeof(DateTimeOffset),
        typeof(TimeSpan), typeof(Uri), typeof(object),
    };

    [Fact]
    public void EveryOutputPropertyExportsReadably()
    {
        var cmdlets = CmdletMetadata.Read(ModuleLayout.ModuleAssembly, new[] { ModuleLayout.SystemManagementAutomation });
        var roots = cmdlets.SelectMany(c => c.OutputTypes)
            .Select(name => typeof(ValueList).Assembly.GetType(name))
            .OfType<Type>()
            .Distinct()
            .ToList();
        Assert.NotEmpty(roots);

        var problems = new List<string>();
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            bool isRoot = roots.Contains(type);
            if (!seen.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            {
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (Scalars.Contains(propertyType))
                {
                    continue;
                }

                if (propertyType.IsEnum)
                {
                    problems.Add($"{type.Name}.{property.Name} is an enum ({propertyType.Name}): ConvertTo-Json writes its number; expose the name as a string.");
                }
                else if (isRoot && (propertyType.IsArray || !OverridesToString(propertyType)))
                {
                    problems.Add($"{type.Name}.{property.Name} is {propertyType.Name}: Export-Csv would write its type name; use ValueList, NumberList or a type whose ToString() is readable.");
                }
                else if (propertyType.Namespace?.StartsWith("Ec2Ops", StringComparison.Ordinal) == true)
                {
                    pending.Enqueue(propertyType);
                }
                else if (!isRoot && propertyType.IsArray && propertyType.GetElementType()!.IsEnum)
                {
                    problems.Add($"{type.Name}.{property.Name} is an array of enums: ConvertTo-Json writes numbers.");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void NumberListsPrintExactlyAndMatricesAsNestedBrackets()
    {
        Assert.Equal("1, 2.5, 0.30000000000000004", new NumberList(new[] { 1, 2.5, 0.1 + 0.2 }).ToString());
        var matrix = new NumberMatrix(new[] { new[] { 1.0, 2 }, new[] { 3.0, 4 } });
        Assert.Equal("[[1, 2], [3, 4]]", matrix.ToString());
        Assert.Equal(2, matrix.ColumnCount);
        Assert.Equal(4.0, matrix[1][1]);
        Assert.Equal(new[] { 3.0, 4 }, matrix.ToArray()[1]);
    }

    private static bool OverridesToString(Type type) =>
        !type.IsInterface
        && type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType != typeof(object)
        && type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType?.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) != true;
}
