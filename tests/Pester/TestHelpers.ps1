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
