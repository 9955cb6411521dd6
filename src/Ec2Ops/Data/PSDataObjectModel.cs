using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Management.Automation.Language;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>
/// How the data cmdlets hand PowerShell values to Core: PSObjects are unwrapped to their base
/// object, except custom objects, whose properties only the PSObject knows; script blocks become
/// delegates invoked on the pipeline thread with the element as <c>$_</c>.
/// </summary>
internal sealed class PSDataObjectModel : IDataObjectModel
{
    public static readonly PSDataObjectModel Instance = new();

    public object? Unwrap(object? value) =>
        value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;

    public bool IsRecord(object? value) =>
        value is PSObject ps ? ps.BaseObject is PSCustomObject || ClrDataObjectModel.Instance.IsRecord(ps.BaseObject) : ClrDataObjectModel.Instance.IsRecord(value);

    public IReadOnlyList<KeyValuePair<string, object?>> GetProperties(object value)
    {
        if (Unwrap(value) is IDictionary dictionary)
        {
            return ClrDataObjectModel.Instance.GetProperties(dictionary).Select(p => new KeyValuePair<string, object?>(p.Key, Unwrap(p.Value))).ToList();
        }

        var result = new List<KeyValuePair<string, object?>>();
        foreach (var property in PSObject.AsPSObject(value).Properties)
        {
            if (property.IsGettable)
            {
                object? v;
                try
                {
                    v = property.Value;
                }
                catch (GetValueException)
                {
                    v = null; // a getter that throws reads as NULL, as PowerShell shows it
                }

                result.Add(new KeyValuePair<string, object?>(property.Name, Unwrap(v)));
            }
        }

        return result;
    }

    public string? ReadFailure(object value, string name)
    {
        if (Unwrap(value) is IDictionary)
        {
            return null;
        }

        var property = PSObject.AsPSObject(value).Properties[name];
        if (property is null || !property.IsGettable)
        {
            return null;
        }

        try
        {
            _ = property.Value;
            return null;
        }
        catch (GetValueException failure)
        {
            return (failure.InnerException ?? failure).Message;
        }
    }

    /// <summary>
    /// The property names a script block reads from its element: <c>$_.Name</c> and <c>$PSItem.Name</c>
    /// with a constant name. PowerShell reads a property whose getter throws as $null without a
    /// word, so the data cmdlets check these before they run the script.
    /// </summary>
    public static IReadOnlyList<string> PropertiesReadFromItem(ScriptBlock script) =>
        script.Ast.FindAll(a => a is MemberExpressionAst { Expression: VariableExpressionAst variable, Member: StringConstantExpressionAst }
                && (variable.VariablePath.UserPath is "_" or "PSItem"), searchNestedScriptBlocks: false)
            .Cast<MemberExpressionAst>()
            .Select(m => ((StringConstantExpressionAst)m.Member).Value)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>Unwraps a parameter value, and the items of PowerShell's object[] arrays (nested too).</summary>
    public static object? UnwrapDeep(object? value)
    {
        value = Instance.Unwrap(value);
        return value is object[] items ? items.Select(UnwrapDeep).ToArray() : value;
    }

    /// <summary>A script block as a test: PowerShell's truth of what it outputs for <c>$_</c> = the element.</summary>
    public static Func<object?, bool> Predicate(ScriptBlock script) => element => LanguagePrimitives.IsTrue(Invoke(script, element));

    /// <summary>A script block as a value: what it outputs for <c>$_</c> = the element (several outputs become an array).</summary>
    public static Func<object?, object?> Compute(ScriptBlock script) => element => Invoke(script, element);

    /// <summary>
    /// The input object with some properties set to new values, as a copy: custom objects are
    /// copied with PSObject.Copy (type names and other members kept), dictionaries are copied,
    /// other objects become a custom object of their properties (as Select-Object makes).
    /// </summary>
    public static object CopyWith(object input, IReadOnlyList<KeyValuePair<string, object?>> row, IReadOnlyList<KeyValuePair<string, object?>> changes)
    {
        var baseObject = Instance.Unwrap(input);
        if (baseObject is IDictionary dictionary)
        {
            IDictionary copy = dictionary is OrderedDictionary ? new OrderedDictionary() : new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in dictionary)
            {
                copy[e.Key] = e.Value;
            }

            foreach (var change in changes)
            {
                copy[change.Key] = change.Value;
            }

            return copy;
        }

        if (input is PSObject { BaseObject: PSCustomObject } custom)
        {
            var copy = custom.Copy();
            foreach (var change in changes)
            {
                copy.Properties[change.Key].Value = change.Value;
            }

            return copy;
        }

        var result = new PSObject();
        foreach (var property in row)
        {
            int changed = DataObjects.IndexOf(changes, property.Key);
            result.Properties.Add(new PSNoteProperty(property.Key, changed >= 0 ? changes[changed].Value : property.Value));
        }

        return result;
    }

    private static object? Invoke(ScriptBlock script, object? element)
    {
        var output = script.InvokeWithContext(null, new List<PSVariable> { new("_", element) });
        return output.Count switch
        {
            0 => null,
            1 => Instance.Unwrap(output[0]),
            _ => output.Select(o => Instance.Unwrap(o)).ToArray(),
        };
    }
}
