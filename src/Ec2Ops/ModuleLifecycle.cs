using System.Management.Automation;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Commands;

/// <summary>
/// What happens when the module is imported and removed. PowerShell calls these on
/// Import-Module and Remove-Module of the binary module.
/// </summary>
public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport()
    {
    }

    /// <summary>
    /// Remove-Module: an emulator left running would keep its port and leave the session's AWS
    /// variables pointing at a server whose code is gone, so it is stopped and the variables restored.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        EmulatorRegistry.Process.Stop();

        // Invoke-Parallel keeps idle runspaces for the next call; their code is going away.
        RunspaceCache.Clear();
    }
}
