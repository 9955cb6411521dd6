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
    'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_EC2_METADATA_DISABLED', 'AWS_ENDPOINT_URL_CLOUDWATCH',
    'AWS_ENDPOINT_URL_EC2', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'
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
        Set-EnvironmentValue -Name $name -Value $Saved[$name]
    }
}

# Sets a variable, or removes it for $null. ([Environment]::SetEnvironmentVariable($name, $null) from
# PowerShell passes "" for the $null, which .NET keeps as a variable set to the empty string.)
function Set-EnvironmentValue {
    param([string] $Name, [AllowNull()] [AllowEmptyString()] $Value)
    if ($null -eq $Value) {
        Remove-Item -LiteralPath "Env:$Name" -ErrorAction Ignore
    }
    else {
        [Environment]::SetEnvironmentVariable($Name, [string]$Value)
    }
}

# [Ec2OpsFlakyRecord]: property 'a' reads 1, property 'b' throws "boom". One definition for every file
# that uses it: a type cannot be redefined in a session, so a second, different one would go unseen.
function Add-FlakyRecordType {
    if (-not ('Ec2OpsFlakyRecord' -as [type])) {
        Add-Type -TypeDefinition 'public class Ec2OpsFlakyRecord { public int a => 1; public int b => throw new System.InvalidOperationException("boom"); }'
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

# An rpm header blob as the rpmdb stores it (rpm >= 4.16): index count and data length (big-endian
# int32), 16-byte index entries (tag, type, offset, count) and the data store. Tags: NAME 1000,
# VERSION 1001, RELEASE 1002, EPOCH 1003 (INT32), SUMMARY 1004 (I18NSTRING), ARCH 1022.
function New-TestRpmHeader {
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Version,
        [string] $Release,
        [Nullable[int]] $Epoch,
        [string] $Arch = 'x86_64',
        [string] $Summary
    )

    $entries = [System.Collections.Generic.List[object]]::new()
    $data = [System.IO.MemoryStream]::new()
    $int32 = { param([int] $value) $b = [BitConverter]::GetBytes($value); [Array]::Reverse($b); , $b }
    $addString = {
        param([int] $tag, [int] $type, [string] $value)
        $entries.Add(@($tag, $type, [int]$data.Length, 1))
        $bytes = [Text.Encoding]::UTF8.GetBytes($value + [char]0)
        $data.Write($bytes, 0, $bytes.Length)
    }
    & $addString 1000 6 $Name
    & $addString 1001 6 $Version
    if ($Release) { & $addString 1002 6 $Release }
    if ($null -ne $Epoch) {
        while ($data.Length % 4) { $data.WriteByte(0) }   # INT32 data is 4-byte aligned
        $entries.Add(@(1003, 4, [int]$data.Length, 1))
        $bytes = & $int32 $Epoch
        $data.Write($bytes, 0, 4)
    }
    if ($Summary) { & $addString 1004 9 $Summary }
    & $addString 1022 6 $Arch

    $blob = [System.IO.MemoryStream]::new()
    foreach ($value in $entries.Count, [int]$data.Length) { $blob.Write((& $int32 $value), 0, 4) }
    foreach ($entry in $entries) { foreach ($value in $entry) { $blob.Write((& $int32 $value), 0, 4) } }
    $data.WriteTo($blob)
    , $blob.ToArray()
}

# Writes a minimal SQLite 3 database with rpm's table Packages(hnum INTEGER PRIMARY KEY, blob BLOB)
# by hand (file format: 100-byte header, page 1 = sqlite_master, page 2 = one table leaf page), so a
# test can make an rpmdb.sqlite in any pwsh without loading a SQLite library of its own.
function New-TestRpmDatabase {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [byte[][]] $Header
    )

    $pageSize = 4096
    $varint = {
        param([long] $value)
        if ($value -lt 0x80) { return , [byte[]]@($value) }
        $bytes = [System.Collections.Generic.List[byte]]::new()
        $bytes.Insert(0, [byte]($value -band 0x7F)); $value = $value -shr 7
        while ($value -gt 0) { $bytes.Insert(0, [byte](0x80 -bor ($value -band 0x7F))); $value = $value -shr 7 }
        , $bytes.ToArray()
    }
    # A record: header (its own size, then one serial type per column), then the values.
    $record = {
        param([object[]] $values)
        $types = [System.Collections.Generic.List[byte]]::new()
        $body = [System.Collections.Generic.List[byte]]::new()
        foreach ($value in $values) {
            if ($null -eq $value) { $types.AddRange([byte[]](& $varint 0)) }
            elseif ($value -is [int]) { $types.AddRange([byte[]](& $varint 1)); $body.Add([byte]$value) }
            elseif ($value -is [string]) {
                $bytes = [Text.Encoding]::UTF8.GetBytes($value)
                $types.AddRange([byte[]](& $varint (2 * $bytes.Length + 13))); $body.AddRange($bytes)
            }
            else { $types.AddRange([byte[]](& $varint (2 * $value.Length + 12))); $body.AddRange([byte[]]$value) }
        }
        $headerSize = & $varint ($types.Count + 1)
        , [byte[]]($headerSize + $types.ToArray() + $body.ToArray())
    }
    # A table b-tree leaf page (type 13): cells packed at the end, pointers after the page header.
    $leaf = {
        param([byte[]] $page, [int] $offset, [object[]] $cells)
        $end = $pageSize
        $pointers = @()
        foreach ($cell in $cells) {
            $end -= $cell.Length
            [Array]::Copy($cell, 0, $page, $end, $cell.Length)
            $pointers += $end
        }
        $page[$offset] = 13
        $page[$offset + 3] = [byte]($cells.Count -shr 8); $page[$offset + 4] = [byte]($cells.Count -band 0xFF)
        $page[$offset + 5] = [byte]($end -shr 8); $page[$offset + 6] = [byte]($end -band 0xFF)
        for ($i = 0; $i -lt $pointers.Count; $i++) {
            $page[$offset + 8 + 2 * $i] = [byte]($pointers[$i] -shr 8); $page[$offset + 9 + 2 * $i] = [byte]($pointers[$i] -band 0xFF)
        }
    }
    $cell = { param([long] $rowid, [byte[]] $payload) , [byte[]]((& $varint $payload.Length) + (& $varint $rowid) + $payload) }

    $file = [byte[]]::new(2 * $pageSize)
    $page1 = [byte[]]::new($pageSize)
    $page2 = [byte[]]::new($pageSize)
    $schema = & $record @('table', 'Packages', 'Packages', [int]2, 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
    & $leaf $page1 100 @(, (& $cell 1 $schema))
    $rows = for ($i = 0; $i -lt $Header.Count; $i++) { , (& $cell ($i + 1) (& $record @($null, $Header[$i]))) }
    & $leaf $page2 0 $rows

    $magic = [Text.Encoding]::ASCII.GetBytes("SQLite format 3`0")
    [Array]::Copy($magic, 0, $page1, 0, 16)
    $page1[16] = 0x10; $page1[17] = 0x00          # page size 4096
    $page1[18] = 1; $page1[19] = 1                # legacy journal (not WAL)
    $page1[21] = 64; $page1[22] = 32; $page1[23] = 32
    $page1[27] = 1                                # file change counter
    $page1[31] = 2                                # database size in pages
    $page1[43] = 1                                # schema cookie
    $page1[47] = 4                                # schema format
    $page1[59] = 1                                # UTF-8
    $page1[95] = 1                                # version-valid-for = change counter
    $page1[96] = 0x00; $page1[97] = 0x2E; $page1[98] = 0x5F; $page1[99] = 0x10   # written by 3.039.000
    [Array]::Copy($page1, 0, $file, 0, $pageSize)
    [Array]::Copy($page2, 0, $file, $pageSize, $pageSize)
    [IO.File]::WriteAllBytes($Path, $file)
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
