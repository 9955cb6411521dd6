using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Loader;

namespace Ec2Ops.Commands;

/// <summary>
/// What happens when the module is imported and removed. PowerShell calls these on
/// Import-Module and Remove-Module of the binary module.
/// </summary>
public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // Imports alive in the process's user runspaces (not counting Invoke-Parallel's workers).
    private static int s_imports;

    /// <summary>
    /// Import-Module: Ec2Ops.Core and every dependency resolve into the module's own load context
    /// (dependencies/). The nested loader module has attached already, before PowerShell looked at
    /// the cmdlet types; attaching again is harmless and covers a re-import after Remove-Module.
    /// Then Core's public types get their names as type accelerators (see <see cref="CoreTypeNames"/>).
    /// </summary>
    public void OnImport()
    {
        if (!RunspaceCache.IsWorker(Runspace.DefaultRunspace))
        {
            Interlocked.Increment(ref s_imports);
        }

        DependencyLoadContext.Attach();
        CoreTypeNames.Register();
    }

    /// <summary>
    /// Remove-Module: an emulator left running would keep its port and leave the session's AWS
    /// variables pointing at a server whose code is gone, so it is stopped and the variables
    /// restored; then the type names are withdrawn and the default context stops resolving into
    /// the module's load context.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The load context, the type names and the emulator are process-wide, while Import-Module and
        // Remove-Module happen per runspace: a removal in Invoke-Parallel's worker runspaces (their
        // reset) or in one of several user runspaces must not take them away from the others.
        if (RunspaceCache.IsWorker(Runspace.DefaultRunspace) || Interlocked.Decrement(ref s_imports) > 0)
        {
            return;
        }

        StopEmulator();

        // Invoke-Parallel keeps idle runspaces for the next call; their code is going away.
        RunspaceCache.Clear();
        CoreTypeNames.Unregister();
        DependencyLoadContext.Detach();
    }

    // Its own method: Ec2Ops.Core is resolved when this is compiled, while the context is attached.
    private static void StopEmulator() => EmulatorRegistry.Process.Stop();
}

/// <summary>
/// PowerShell resolves a type literal such as <c>[Ec2Ops.Core.Credits.CpuCreditBalance]</c> only
/// among the assemblies of the default load context, and Ec2Ops.Core lives in the module's own. So
/// that users (and tests) can still write Core's type names (<c>-is</c>, <c>-BeOfType</c>, static
/// members such as <c>[Ec2Ops.Core.Emulator.Ec2OpsEmulator]::Start()</c>), each public top-level
/// Core type is registered under its full name as a PowerShell type accelerator on import and
/// removed on Remove-Module. The accelerator table is not public API; if a future PowerShell
/// changes it, the module still works and only the type literals stop resolving.
/// </summary>
internal static class CoreTypeNames
{
    private static readonly object Gate = new();
    private static readonly List<string> Registered = new();

    public static void Register()
    {
        lock (Gate)
        {
            if (Registered.Count > 0 || Accelerators() is not { } accelerators)
            {
                return;
            }

            var add = accelerators.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string), typeof(Type) });
            if (add is null)
            {
                return;
            }

            foreach (var type in typeof(Ec2OpsException).Assembly.GetExportedTypes())
            {
                if (type is { IsNested: false, IsGenericTypeDefinition: false, FullName: { } name })
                {
                    add.Invoke(null, new object[] { name, type });
                    Registered.Add(name);
                }
            }
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            var remove = Accelerators()?.GetMethod("Remove", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string) });
            foreach (var name in Registered)
            {
                remove?.Invoke(null, new object[] { name });
            }

            Registered.Clear();
        }
    }

    private static Type? Accelerators() => typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
}
