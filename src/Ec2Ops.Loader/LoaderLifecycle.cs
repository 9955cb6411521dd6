using System.Management.Automation;

namespace Ec2Ops.Loader;

/// <summary>
/// Runs when PowerShell imports the module's nested loader module, which the manifest lists so that
/// it is imported before Ec2Ops.dll: from here on the default context resolves Ec2Ops.Core (and
/// through it every dependency) into <see cref="DependencyLoadContext"/>. Ec2Ops.dll's own
/// initializer attaches again (harmless) and detaches on Remove-Module.
/// </summary>
public sealed class LoaderLifecycle : IModuleAssemblyInitializer
{
    public void OnImport() => DependencyLoadContext.Attach();
}
