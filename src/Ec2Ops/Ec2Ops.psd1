@{
    RootModule           = 'Ec2Ops.dll'
    # Imported before the root module: sets up the module's own load context for dependencies/.
    NestedModules        = @('Ec2Ops.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d7c1e-3b7a-4d1e-9a55-2f7c9b1e0c41'
    Author               = 'Ec2Ops contributors'
    CompanyName          = 'Ec2Ops contributors'
    Copyright            = '(c) Ec2Ops contributors. MIT License.'
    Description          = 'EC2 instance administration from pwsh, one command per question: CPU credits of burstable instances, this one or the whole fleet, with a forecast (Get-CpuCreditBalance), instance metadata (IMDSv2, Get-InstanceMetadata), installed package versions of every ecosystem read from metadata without loading anything (Get-PackageVersion: Python, PowerShell, NuGet, assemblies, npm, dpkg, rpm), plus NMF (Invoke-Nmf), pandas-style where/mask (Invoke-Where, Invoke-Mask), NaN-aware statistics (Measure-Statistic) and NULL-safe comparison (Test-NotDistinct), a parallel runner on threads or pwsh processes (Invoke-Parallel), with a local emulator of IMDS, CloudWatch and EC2 (Start-Ec2OpsEmulator, Stop-Ec2OpsEmulator) to try it all without an AWS account.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('Ec2Ops.Format.ps1xml')
    TypesToProcess       = @()
    CmdletsToExport      = @(
        'Get-CpuCreditBalance'
        'Get-InstanceMetadata'
        'Invoke-Where'
        'Invoke-Mask'
        'Measure-Statistic'
        'Test-NotDistinct'
        'Start-Ec2OpsEmulator'
        'Stop-Ec2OpsEmulator'
        'Invoke-Nmf'
        'Get-PackageVersion'
        'Invoke-Parallel'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'EC2', 'IMDS', 'CloudWatch', 'CPUCredits', 'Burstable', 'T3', 'InstanceMetadata', 'NMF', 'Statistics', 'DataTools', 'Emulator', 'Packages', 'PackageVersion', 'Python', 'pip', 'dpkg', 'rpm', 'npm', 'NuGet', 'Inventory', 'Parallel', 'ForEach-Object', 'Runspace', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/ec2ops/Ec2Ops'
            LicenseUri   = 'https://github.com/ec2ops/Ec2Ops/blob/main/LICENSE'
            ReleaseNotes = 'First release: Get-InstanceMetadata (IMDSv2 with session token caching, strict v1 fallback, bounded-concurrency recursion, typed documents); Start-/Stop-Ec2OpsEmulator (local IMDSv2 emulator); Invoke-Nmf (scikit-learn NMF, faster); Invoke-Where, Invoke-Mask, Measure-Statistic, Test-NotDistinct; Get-CpuCreditBalance (burstable CPU credits from CloudWatch and EC2, one instance or the fleet, with a forecast); Get-PackageVersion (installed versions of Python, PowerShell, NuGet, assembly, npm, dpkg and rpm packages from their metadata); Invoke-Parallel (threads or processes, ordered or as completed, per-item timeouts, jobs).'
        }
    }
}
