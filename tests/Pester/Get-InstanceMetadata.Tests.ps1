#Requires -Version 7.4
# Get-InstanceMetadata from the user's side: the built module against the local emulator.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
    $script:emulator = Start-Ec2OpsEmulator -Force
    $script:command = 'Ec2Ops.Commands.GetInstanceMetadataCommand'
}

AfterAll {
    $script:emulator | Stop-Ec2OpsEmulator
}

Describe 'Get-InstanceMetadata' {
    BeforeEach {
        $script:emulator.Imds.Reset()
    }

    Context 'the instance at a glance' {
        It 'returns one typed InstanceMetadata object describing the emulated t3.micro' {
            $summary = Get-InstanceMetadata
            @($summary).Count | Should -Be 1
            $summary | Should -BeOfType ([Ec2Ops.Core.Metadata.InstanceMetadata])
            $summary.InstanceId | Should -Be $script:emulator.InstanceId
            $summary.InstanceType | Should -Be 't3.micro'
            $summary.Region | Should -Be 'us-east-1'
            $summary.AvailabilityZone | Should -Be 'us-east-1a'
            $summary.IamRoleName | Should -Be 'ec2ops-demo-role'
            $summary.ImdsVersion | Should -Be 2
            @($summary.SecurityGroups) | Should -Be @('launch-wizard-1', 'default')
        }

        It 'exports to CSV with list values as readable text' {
            $csv = Join-Path $TestDrive 'instance.csv'
            Get-InstanceMetadata | Export-Csv -Path $csv -NoTypeInformation
            $row = Import-Csv -Path $csv
            $row.InstanceId | Should -Be $script:emulator.InstanceId
            $row.SecurityGroups | Should -Be 'launch-wizard-1, default'
        }

        It 'shows a table with the columns an admin wants' {
            $text = Get-InstanceMetadata | Format-Table | Out-String -Width 80
            $text | Should -Match 'InstanceId\s+Type\s+Zone\s+PrivateIp\s+PublicIp'
            $text | Should -Match '192\.0\.2\.54'
            $text | Should -Match ([regex]::Escape($script:emulator.InstanceId))
        }
    }

    Context '-Path' {
        It 'returns one entry per value path' {
            $entries = Get-InstanceMetadata -Path instance-id, placement/region
            $entries.Count | Should -Be 2
            $entries[0].Path | Should -Be '/latest/meta-data/instance-id'
            $entries[0].Value | Should -Be $script:emulator.InstanceId
            $entries[1].Value | Should -Be 'us-east-1'
        }

        It 'takes the path positionally and absolute forms' {
            $document = (Get-InstanceMetadata /latest/dynamic/instance-identity/document).Value | ConvertFrom-Json
            $document.instanceId | Should -Be $script:emulator.InstanceId
            $document.availabilityZone | Should -Be 'us-east-1a'
        }

        It 'lists a folder as entries, folders marked' {
            $macs = Get-InstanceMetadata -Path network/interfaces/macs/
            @($macs).Count | Should -Be 1
            $macs.IsFolder | Should -BeTrue
            $macs.Path | Should -Match '^/latest/meta-data/network/interfaces/macs/([0-9a-f]{2}:){5}[0-9a-f]{2}/$'
        }

        It 'takes entries from the pipeline by their Path property' {
            $interface = Get-InstanceMetadata network/interfaces/macs/ | Get-InstanceMetadata -Recurse
            $interface.'local-ipv4s' | Should -Be '172.16.34.43'
        }

        It 'returns the exact text with -Raw' {
            Get-InstanceMetadata -Path security-groups -Raw | Should -BeExactly "launch-wizard-1`ndefault"
        }

        It 'writes a non-terminating error that names a missing path and keeps the good ones' {
            $found = Get-InstanceMetadata -Path instance-id, no/such/path, placement/region -ErrorVariable problems -ErrorAction SilentlyContinue
            $found.Count | Should -Be 2
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "ImdsPathNotFound,$script:command"
            $problems[0].TargetObject | Should -Be 'no/such/path'
            $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $problems[0].Exception.Message | Should -Match 'no/such/path'
        }

        It 'rejects a path that cannot exist' {
            Get-InstanceMetadata -Path '../etc/passwd' -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "ImdsInvalidPath,$script:command"
        }

        It 'refuses the token endpoint as a path, saying what it is' {
            $script:emulator.ClearRequests()
            Get-InstanceMetadata -Path latest/api/token -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $problems[0].FullyQualifiedErrorId | Should -Be "ImdsInvalidPath,$script:command"
            $problems[0].Exception.Message | Should -Match 'session-token endpoint'
            $script:emulator.Requests | Where-Object Method -EQ 'GET' | Should -BeNullOrEmpty -Because 'nothing is read for it'
        }

        It 'completes well-known paths' {
            $line = 'Get-InstanceMetadata -Path placement/r'
            $completions = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completions.CompletionMatches.CompletionText | Should -Contain 'placement/region'
        }
    }

    Context '-Recurse' {
        It 'returns a subtree as one nested object' {
            $placement = Get-InstanceMetadata -Path placement/ -Recurse
            $placement.region | Should -Be 'us-east-1'
            $placement.'availability-zone' | Should -Be 'us-east-1a'
            ($placement | ConvertTo-Json | ConvertFrom-Json).region | Should -Be 'us-east-1'
        }

        It 'walks the whole tree with several requests in flight and leaves credentials out' {
            # Each reply waits 50 ms, so the walk's parallel requests overlap in the emulator and show
            # in its high-water mark even on a loaded machine (without it the handlers are too quick).
            $script:emulator.Imds.ResponseDelay = [TimeSpan]::FromMilliseconds(50)
            $tree = Get-InstanceMetadata -Path / -Recurse
            $tree.'instance-id' | Should -Be $script:emulator.InstanceId
            $tree.iam.'security-credentials'.'ec2ops-demo-role' | Should -BeNullOrEmpty
            $tree.network.interfaces.macs.PSObject.Properties.Count | Should -Be 1
            $script:emulator.MaxConcurrentRequests | Should -BeGreaterThan 1
        }

        It 'returns credentials when their path is asked for explicitly' {
            $credentials = (Get-InstanceMetadata -Path iam/security-credentials/ec2ops-demo-role).Value | ConvertFrom-Json
            $credentials.AccessKeyId | Should -Not -BeNullOrEmpty
        }
    }

    Context '-Category' {
        It 'answers the AWS Tools categories by name, several at once' {
            Get-InstanceMetadata -Category InstanceId, Region, InstanceType |
                Should -Be @($script:emulator.InstanceId, 'us-east-1', 't3.micro')
            Get-InstanceMetadata -Category SecurityGroup | Should -Be @('launch-wizard-1', 'default')
            Get-InstanceMetadata -Category AvailabilityZone | Should -Be 'us-east-1a'
            (Get-InstanceMetadata -Category BlockDeviceMapping).root | Should -Be '/dev/xvda'
        }

        It 'gives nothing and a verbose line for a category the instance does not have' {
            $out = Get-InstanceMetadata -Category KernelId -Verbose 4>&1
            @($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'KernelId: this instance has none (/latest/meta-data/kernel-id does not exist).'
        }

        It 'lists the category names with -ListCategory' {
            $names = Get-InstanceMetadata -ListCategory
            $names | Should -Contain 'InstanceId'
            $names | Should -Contain 'Region'
            $names | Should -Contain 'IdentityDocument'
            $names[0] | Should -Be 'AmiId'
        }

        It 'takes -EndpointUrl, as AWS Tools users type it, and completes -Endpoint' {
            Get-InstanceMetadata -EndpointUrl $script:emulator.ImdsEndpoint -Category InstanceId | Should -Be $script:emulator.InstanceId
            $line = 'Get-InstanceMetadata -Endpoint '
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $completions | Should -Contain $script:emulator.ImdsEndpoint.ToString()
            $completions | Should -Contain 'http://169.254.169.254/'
            $completions | Where-Object { $_ -match '\.(ps1|md|cs)$' } | Should -BeNullOrEmpty
        }

        It 'returns the identity document typed' {
            $document = Get-InstanceMetadata -Category IdentityDocument
            $document | Should -BeOfType ([Ec2Ops.Core.Metadata.InstanceIdentityDocument])
            $document.InstanceType | Should -Be 't3.micro'
            $document.PendingTime | Should -BeOfType ([DateTimeOffset])
        }

        It 'returns tags as Key/Value objects' {
            $tags = Get-InstanceMetadata -Category Tags
            ($tags | Where-Object Key -EQ 'Name').Value | Should -Be 'ec2ops-demo'
        }

        It 'returns user data as a string' {
            Get-InstanceMetadata -Category UserData | Should -Match '^#!/bin/bash'
        }

        It 'returns nothing for the spot notice until one is scheduled, then the notice' {
            Get-InstanceMetadata -Category SpotInstanceAction | Should -BeNullOrEmpty
            $script:emulator.Imds.SpotInstanceAction = '{"action":"terminate","time":"2026-11-21T08:22:00Z"}'
            $notice = Get-InstanceMetadata -Category SpotInstanceAction
            $notice.Action | Should -Be 'terminate'
            $notice.Time | Should -Be ([DateTimeOffset]'2026-11-21T08:22:00Z')
        }

        It 'returns no scheduled events as nothing' {
            Get-InstanceMetadata -Category ScheduledEvents | Should -BeNullOrEmpty
        }

        It 'returns the IAM profile and role' {
            $info = Get-InstanceMetadata -Category IamInfo
            $info.RoleName | Should -Be 'ec2ops-demo-role'
            $info.InstanceProfileArn | Should -Match ':instance-profile/ec2ops-demo-role$'
        }

        It 'returns the raw document with -Raw' {
            (Get-InstanceMetadata -Category IdentityDocument -Raw | ConvertFrom-Json).region | Should -Be 'us-east-1'
        }
    }

    Context 'protocol and failures' {
        It 'renews an expired token without the user noticing' {
            Get-InstanceMetadata -Path instance-id | Out-Null
            $script:emulator.Imds.ExpireAllTokens()
            (Get-InstanceMetadata -Path instance-type).Value | Should -Be 't3.micro'
        }

        It 'falls back to IMDSv1 when the token request is refused' {
            $script:emulator.Imds.RequireToken = $false
            $script:emulator.Imds.TokenStatusCode = 405
            $script:emulator.Imds.ExpireAllTokens()   # the session's cached token is refused, so a new one is asked for
            $v1 = Get-InstanceMetadata -Endpoint $script:emulator.ImdsEndpoint
            $v1.ImdsVersion | Should -Be 1
        }

        It 'refuses IMDSv1 with -DisableImdsV1' {
            $script:emulator.Imds.RequireToken = $false
            $script:emulator.Imds.TokenStatusCode = 405
            $script:emulator.Imds.ExpireAllTokens()
            { Get-InstanceMetadata -Endpoint $script:emulator.ImdsEndpoint -DisableImdsV1 } |
                Should -Throw -ErrorId "ImdsTokenRefused,$script:command"
        }

        It 'fails at once when AWS_EC2_METADATA_DISABLED is true' {
            $env:AWS_EC2_METADATA_DISABLED = 'true'
            try {
                { Get-InstanceMetadata } | Should -Throw -ErrorId "ImdsDisabled,$script:command"
            }
            finally {
                Remove-Item Env:AWS_EC2_METADATA_DISABLED
            }
        }

        It 'says IMDS is turned off when it answers 403' {
            $script:emulator.Imds.Disabled = $true
            { Get-InstanceMetadata } | Should -Throw -ErrorId "ImdsForbidden,$script:command"
        }

        It 'explains an unreachable endpoint, naming it, within seconds' {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            $port = $listener.LocalEndpoint.Port
            $listener.Stop()
            $failure = { Get-InstanceMetadata -Endpoint "http://127.0.0.1:$port" } | Should -Throw -ErrorId "ImdsUnreachable,$script:command" -PassThru
            $failure.Exception.Message | Should -Match "127\.0\.0\.1:$port"
            $failure.Exception.Message | Should -Match 'not an EC2 instance'
        }

        It 'times out a hanging IMDS with the timeout it used' {
            $script:emulator.Imds.ResponseDelay = [TimeSpan]::FromSeconds(3)
            $failure = { Get-InstanceMetadata -TimeoutSec 0.2 -MaxAttempts 1 } | Should -Throw -ErrorId "ImdsUnreachable,$script:command" -PassThru
            $failure.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $failure.Exception.Message | Should -Match '0\.2 s'
        }

        It 'validates -EndpointMode' {
            { Get-InstanceMetadata -EndpointMode IPv5 } | Should -Throw -ErrorId "ParameterArgumentValidationError,$script:command"
        }
    }

    Context 'help' {
        It 'has a synopsis, examples and a description for every parameter' {
            $help = Get-Help Get-InstanceMetadata -Full
            $help.Synopsis | Should -Match 'IMDSv2'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 5
            foreach ($name in 'Path', 'Recurse', 'Category', 'Raw', 'Endpoint', 'EndpointMode', 'TimeoutSec', 'MaxAttempts', 'DisableImdsV1') {
                $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $name
                ($parameter.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            }
        }
    }
}
