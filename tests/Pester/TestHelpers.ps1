# Shared by every *.Tests.ps1: finds and imports the built module once per file.
# Order: $env:EC2OPS_MODULE_PATH, an Ec2Ops module already imported by the caller, then the
# build output ./out/Ec2Ops (pwsh ./build.ps1 -Task Build).

function Import-Ec2OpsTestModule {
    [CmdletBinding()]
    param()

    $path = $env:EC2OPS_MODULE_PATH
    if (-not $path) {
        $loaded = Get-Module -Name Ec2Ops | Select-Object -First 1
        if ($loaded) {
            return $loaded
        }

        $path = Join-Path $PSScriptRoot '..' '..' 'out' 'Ec2Ops' 'Ec2Ops.psd1'
    }

    if (-not (Test-Path -LiteralPath $path)) {
        throw "The Ec2Ops module was not found at '$path'. Build it first: pwsh ./build.ps1 -Task Build (or set EC2OPS_MODULE_PATH)."
    }

    Import-Module -Name $path -Force -PassThru -ErrorAction Stop
}

# The variables Start-Ec2OpsEmulator may set and Stop-Ec2OpsEmulator restores.
function Get-AwsVariableName {
    'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_EC2_METADATA_DISABLED', 'AWS_REGION',
    'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'
}

# The caller's values of those variables (null = not set), to put back after a test file.
function Save-AwsEnvironment {
    $saved = @{}
    foreach ($name in Get-AwsVariableName) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $saved
}

function Restore-AwsEnvironment {
    param([hashtable] $Saved)
    foreach ($name in $Saved.Keys) {
        [Environment]::SetEnvironmentVariable($name, $Saved[$name])
    }
}

# Runs a script block in a fresh 'pwsh -NoProfile -NonInteractive' (the same pwsh as this one), so
# state that cannot be undone in-process (loaded assemblies, prompts) is tested in isolation.
# Returns the exit code and every line the child wrote to its output, error and other streams.
function Invoke-ChildPwsh {
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [int] $TimeoutSeconds = 120
    )

    $file = Join-Path ([IO.Path]::GetTempPath()) "ec2ops-child-$([guid]::NewGuid().ToString('n')).ps1"
    $arguments = ($ArgumentList | ForEach-Object { "'" + ("$_" -replace "'", "''") + "'" }) -join ' '
    Set-Content -LiteralPath $file -Value "& { $ScriptBlock } $arguments"
    try {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-File', $file) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['NO_COLOR'] = '1'
        $process = [System.Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The child pwsh did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = @(($stdout.Result + $stderr.Result) -split "`r?`n" | Where-Object { $_ -ne '' })
        }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction Ignore
    }
}

# The folder of a package that build/TestTools downloads from NuGet (Pester, other AWSSDK.Core
# versions), in the NuGet global packages folder; restores build/TestTools first when it is missing.
function Get-TestPackagePath {
    param(
        [Parameter(Mandatory)] [string] $Id,
        [Parameter(Mandatory)] [string] $Version
    )

    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $path = Join-Path $packages $Id.ToLowerInvariant() $Version
    if (-not (Test-Path -LiteralPath $path)) {
        $project = Join-Path $PSScriptRoot '..' '..' 'build' 'TestTools' 'TestTools.csproj'
        & dotnet restore $project --nologo --verbosity quiet | Out-Null
    }
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The NuGet package $Id $Version is not in '$packages' even after restoring build/TestTools."
    }
    $path
}
