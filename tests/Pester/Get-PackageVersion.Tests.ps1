#Requires -Version 7.4
# Get-PackageVersion from the user's side: the built module over fixtures made in $TestDrive.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
    $script:command = 'Ec2Ops.Commands.GetPackageVersionCommand'

    function New-DistInfo {
        param([string] $Site, [string] $Name, [string] $Version, [string] $Summary = 'A package')
        $folder = Join-Path $Site "$($Name -replace '-', '_')-$Version.dist-info"
        $null = New-Item -ItemType Directory -Force $folder
        Set-Content -LiteralPath (Join-Path $folder 'METADATA') -Value @(
            'Metadata-Version: 2.1', "Name: $Name", "Version: $Version", "Summary: $Summary",
            'Requires-Dist: urllib3 (<3,>=1.21.1)', '', "# $Name", '', 'Version: 0.0 (the body, never read)')
        Join-Path $folder 'METADATA'
    }

    # A site-packages folder with a package whose import fails, the seed case.
    $script:site = Join-Path $TestDrive 'site-packages'
    $script:broken = New-DistInfo $site 'brokenpkg' '1.4.2' 'Needs a native library that is missing'
    $null = New-Item -ItemType Directory -Force (Join-Path $site 'brokenpkg')
    Set-Content (Join-Path $site 'brokenpkg' '__init__.py') 'raise ImportError("libbroken.so.1: cannot open shared object file")'
    $null = New-DistInfo $site 'scikit-learn' '1.2.1' 'A set of python modules for machine learning'
    $null = New-DistInfo $site 'requests' '2.31.0' 'Python HTTP for Humans.'

    # A second site that comes later on the path: its requests is shadowed.
    $script:later = Join-Path $TestDrive 'later-site'
    $script:shadowed = New-DistInfo $later 'requests' '2.28.1'
}

Describe 'Get-PackageVersion' {
    Context 'Python, the seed case' {
        It 'reads the version of a package whose import fails, without importing it' {
            $package = Get-PackageVersion brokenpkg -Path $site
            $package | Should -BeOfType ([Ec2Ops.Core.Packages.PackageVersion])
            $package.Name | Should -Be 'brokenpkg'
            $package.Version | Should -Be '1.4.2'
            $package.Ecosystem | Should -Be 'Python'
            $package.Location | Should -Be $broken
            $package.Summary | Should -Be 'Needs a native library that is missing'
            $package.ParsedVersion.Scheme | Should -Be 'PEP 440'
        }

        It 'finds a package by any PEP 503 spelling and by wildcard' {
            (Get-PackageVersion Scikit_Learn -Path $site).Name | Should -Be 'scikit-learn'
            (Get-PackageVersion scikit.learn -Path $site).Version | Should -Be '1.2.1'
            (Get-PackageVersion 'scikit*', 'req*' -Path $site).Name | Should -Be @('requests', 'scikit-learn')
        }

        It 'lets the first match in path order win and shows the shadowed ones with -All' {
            (Get-PackageVersion requests -Path $site, $later).Version | Should -Be '2.31.0'
            $all = Get-PackageVersion requests -Path $site, $later -All
            $all.Version | Should -Be @('2.31.0', '2.28.1')
            $all.Shadowed | Should -Be @($false, $true)
            $all[1].Location | Should -Be $shadowed
        }

        It 'lists everything without -Name' {
            (Get-PackageVersion -Path $site).Name | Should -Be @('brokenpkg', 'requests', 'scikit-learn')
        }
    }

    Context 'the pipeline' {
        It 'takes names by value and looks them up in one scan' {
            $found = 'requests', 'brokenpkg' | Get-PackageVersion -Path $site
            $found.Name | Should -Be @('brokenpkg', 'requests')
        }

        It 'takes names by property name' {
            $found = [pscustomobject]@{ Name = 'scikit-learn' } | Get-PackageVersion -Path $site
            $found.Version | Should -Be '1.2.1'
        }
    }

    Context 'errors and warnings' {
        It 'writes a non-terminating ObjectNotFound error per missing name that says where it looked' {
            $found = Get-PackageVersion requests, no-such-package, 'nothing*' -Path $site -ErrorVariable problems -ErrorAction SilentlyContinue
            $found.Name | Should -Be 'requests'
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "PackageNotFound,$command"
            $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $problems[0].TargetObject | Should -Be 'no-such-package'
            $problems[0].Exception.Message | Should -Be "No package named 'no-such-package' was found under -Path: $site."
        }

        It 'writes a PackagePathNotFound error for a missing -Path and reads the others' {
            $missing = Join-Path $TestDrive 'missing'
            $found = Get-PackageVersion requests -Path $missing, $site -ErrorVariable problems -ErrorAction SilentlyContinue
            $found.Version | Should -Be '2.31.0'
            $problems[0].FullyQualifiedErrorId | Should -Be "PackagePathNotFound,$command"
            $problems[0].TargetObject | Should -Be $missing
        }

        It 'warns about broken metadata and goes on' {
            $bad = Join-Path $TestDrive 'bad-site'
            $null = New-DistInfo $bad 'good' '1.0'
            $null = New-Item -ItemType Directory -Force (Join-Path $bad 'truncated-1.0.dist-info')
            Set-Content (Join-Path $bad 'truncated-1.0.dist-info' 'METADATA') "Metadata-Version: 2.1`nName: trunc" -NoNewline
            $found = Get-PackageVersion -Path $bad -WarningVariable warnings -WarningAction SilentlyContinue
            $found.Name | Should -Be 'good'
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike '*truncated-1.0.dist-info*no Version header*'
        }
    }

    Context 'other ecosystems' {
        It 'reads a module manifest as data and never runs the script in it' {
            $modules = Join-Path $TestDrive 'Modules'
            $marker = Join-Path $TestDrive 'ran.txt'
            $folder = New-Item -ItemType Directory -Force (Join-Path $modules 'Sample' '2.1.0')
            Set-Content (Join-Path $folder 'Sample.psd1') @"
@{
    # A manifest with script in it
    ModuleVersion = '2.1.0'
    Description = 'Sample module'
    NestedModules = New-Item -Path '$marker' -ItemType File
    PrivateData = @{ PSData = @{ Prerelease = 'rc1' } }
}
"@
            $module = Get-PackageVersion Sample -Path $modules -Ecosystem PowerShell -WarningVariable warnings -WarningAction SilentlyContinue
            $module.Version | Should -Be '2.1.0-rc1'
            $module.Summary | Should -Be 'Sample module'
            $module.ParsedVersion.IsPrerelease | Should -BeTrue
            Test-Path $marker | Should -BeFalse
            "$warnings" | Should -BeLike '*script where data belongs*New-Item*not run*'
        }

        It 'reads a generated rpmdb.sqlite, loading SQLite from the module folder' {
            $rpm = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'rpm')
            New-TestRpmDatabase -Path (Join-Path $rpm 'rpmdb.sqlite') -Header @(
                (New-TestRpmHeader -Name bash -Version 5.2.15 -Release 1.amzn2023.0.2 -Summary 'The GNU Bourne Again shell'),
                (New-TestRpmHeader -Name openssl-libs -Version 3.0.8 -Release 1.amzn2023.0.12 -Epoch 1),
                (New-TestRpmHeader -Name kernel -Version 6.1.79 -Release 99.164.amzn2023),
                (New-TestRpmHeader -Name kernel -Version 6.1.102 -Release 108.177.amzn2023))
            $packages = Get-PackageVersion -Path $rpm -Ecosystem Rpm
            $packages.Name | Should -Be @('bash', 'kernel', 'kernel', 'openssl-libs')
            $packages[0].Summary | Should -Be 'The GNU Bourne Again shell'
            $packages[0].Architecture | Should -Be 'x86_64'
            (Get-PackageVersion openssl-libs -Path $rpm).Version | Should -Be '1:3.0.8-1.amzn2023.0.12'
            (Get-PackageVersion kernel -Path $rpm | Sort-Object ParsedVersion -Descending)[0].Version | Should -Be '6.1.102-108.177.amzn2023'
            if ($IsLinux) {
                $module = (Get-Module Ec2Ops).ModuleBase
                $native = Get-Content "/proc/$PID/maps" | Where-Object { $_ -like '*e_sqlite3*' } | ForEach-Object { ($_ -split '\s+')[-1] } | Select-Object -First 1
                $native | Should -BeLike "$module*runtimes*native*libe_sqlite3.so"
            }
        }

        It 'reads a dpkg status file, an npm project, a NuGet package folder and assemblies' {
            $dpkg = Join-Path $TestDrive 'status'
            Set-Content $dpkg "Package: bash`nStatus: install ok installed`nArchitecture: amd64`nVersion: 5.2.15-2+b8`nDescription: GNU Bourne Again SHell`n`nPackage: old`nStatus: deinstall ok config-files`nVersion: 1.0`n"
            $bash = Get-PackageVersion -Path $dpkg -Ecosystem Dpkg
            $bash.Name | Should -Be 'bash'
            $bash.Architecture | Should -Be 'amd64'

            $project = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'web' 'node_modules' '@aws-sdk' 'client-s3')
            Set-Content (Join-Path $project 'package.json') '{ "name": "@aws-sdk/client-s3", "version": "3.540.0", "description": "AWS SDK for JavaScript S3 Client" }'
            (Get-PackageVersion '@aws-sdk/*' -Path (Join-Path $TestDrive 'web')).Version | Should -Be '3.540.0'

            $nuget = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'nuget' 'newtonsoft.json' '13.0.3')
            Set-Content (Join-Path $nuget 'newtonsoft.json.nuspec') '<package><metadata><id>Newtonsoft.Json</id><version>13.0.3</version><description>Json.NET</description></metadata></package>'
            (Get-PackageVersion Newtonsoft.Json -Path (Join-Path $TestDrive 'nuget') -Ecosystem NuGet).Summary | Should -Be 'Json.NET'

            $core = Get-PackageVersion Ec2Ops.Core -Path (Get-Module Ec2Ops).ModuleBase -Ecosystem Assembly
            $core | Should -BeOfType ([Ec2Ops.Core.Packages.AssemblyPackageVersion])
            $core.AssemblyVersion | Should -Be ([Reflection.AssemblyName]::GetAssemblyName((Join-Path (Get-Module Ec2Ops).ModuleBase 'dependencies' 'Ec2Ops.Core.dll')).Version.ToString())
        }

        It 'reads assemblies without loading them' {
            $dependencies = Join-Path $PSHOME 'Modules' 'Microsoft.PowerShell.PSResourceGet' 'dependencies'
            $found = Get-PackageVersion -Path $dependencies -Ecosystem Assembly
            $found.Count | Should -BeGreaterThan 3
            $found[0].FileVersion | Should -Not -BeNullOrEmpty
            $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -like "$dependencies*" }
            $loaded | Should -BeNullOrEmpty
        }
    }

    Context 'versions sort and compare as each ecosystem does' {
        It 'sorts PEP 440 versions by ParsedVersion, and compares with a string' {
            $sort = Join-Path $TestDrive 'sort'
            $versions = '1.10', '1.9', '1.0', '1.0rc1', '1.0.post1', '1.0.dev3'
            $i = 0
            $paths = foreach ($version in $versions) {
                $folder = Join-Path $sort "site$i"; $i++
                $null = New-DistInfo $folder 'demo' $version
                $folder
            }
            $all = Get-PackageVersion demo -Path $paths -All
            ($all | Sort-Object ParsedVersion).Version | Should -Be @('1.0.dev3', '1.0rc1', '1.0', '1.0.post1', '1.9', '1.10')
            ($all | Where-Object { $_.ParsedVersion -ge '1.9' }).Version | Should -Be @('1.10', '1.9')
        }

        It 'sorts Debian versions with the tilde before the release' {
            $status = Join-Path $TestDrive 'tilde-status'
            Set-Content $status "Package: a`nStatus: install ok installed`nVersion: 1.0`n`nPackage: a`nStatus: install ok installed`nVersion: 1.0~rc1`n`nPackage: a`nStatus: install ok installed`nVersion: 1.0+b1`n"
            (Get-PackageVersion a -Path $status | Sort-Object ParsedVersion).Version | Should -Be @('1.0~rc1', '1.0', '1.0+b1')
        }
    }

    Context 'output' {
        It 'fits the default table in 80 columns with the key columns' {
            $text = Get-PackageVersion -Path $site, $later -All | Format-Table | Out-String -Width 80
            $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
            $text | Should -Match 'Ecosystem\s+Name\s+Version\s+Location'
            $text | Should -Match 'Python\s+brokenpkg\s+1\.4\.2'
        }

        It 'exports readable values to CSV and JSON' {
            $csv = Join-Path $TestDrive 'packages.csv'
            Get-PackageVersion -Path $site | Export-Csv $csv -NoTypeInformation
            $rows = Import-Csv $csv
            $rows[0].Name | Should -Be 'brokenpkg'
            $rows[0].ParsedVersion | Should -Be '1.4.2'
            $rows[0].Ecosystem | Should -Be 'Python'
            $rows[0].Shadowed | Should -Be 'False'
            (Get-Content $csv -Raw) | Should -Not -Match 'Ec2Ops\.Core|System\.'

            $json = Get-PackageVersion requests -Path $site | ConvertTo-Json -WarningVariable depth -WarningAction SilentlyContinue
            $depth | Should -BeNullOrEmpty
            $json | Should -Not -Match 'Ec2Ops\.Core|System\.'
            $object = $json | ConvertFrom-Json
            $object.Ecosystem | Should -Be 'Python'
            $object.ParsedVersion.Scheme | Should -Be 'PEP 440'
            $object.ParsedVersion.Release | Should -Be '2.31.0'
        }

        It 'shows every property in the list view' {
            $text = Get-PackageVersion requests -Path $site | Format-List | Out-String
            foreach ($name in 'Name', 'Version', 'ParsedVersion', 'Ecosystem', 'Location', 'Summary', 'Environment', 'Shadowed') {
                $text | Should -Match "$name\s+:"
            }
        }
    }

    Context 'tab completion' {
        It 'completes -Ecosystem' {
            $line = 'Get-PackageVersion -Ecosystem P'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object | Should -Be @('PowerShell', 'Python')
        }

        It 'completes -Name from what is installed under -Path, relative to the current location' {
            $line = "Get-PackageVersion -Path '$site' -Ecosystem Python -Name sc"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('scikit-learn')
            Push-Location $TestDrive
            try {
                $line = 'Get-PackageVersion -Path ./site-packages r'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('requests')
            }
            finally {
                Pop-Location
            }
        }

        It 'quotes names that PowerShell would not read as one word' {
            $scoped = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'web' 'node_modules' '@aws-sdk' 'client-s3')
            Set-Content (Join-Path $scoped 'package.json') '{ "name": "@aws-sdk/client-s3", "version": "3.540.0" }'
            $line = "Get-PackageVersion -Path '$(Join-Path $TestDrive 'web')' -Ecosystem Npm '@aws"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @("'@aws-sdk/client-s3'")
        }
    }

    Context 'help' {
        It 'has a synopsis, a description, examples and help for every parameter' {
            $help = Get-Help Get-PackageVersion -Full
            $help.Synopsis | Should -Match 'without importing'
            ($help.Description.Text -join ' ') | Should -Match 'importlib'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 8
            foreach ($name in 'Name', 'Ecosystem', 'Path', 'All') {
                $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $name
                ($parameter.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            }
        }
    }
}
