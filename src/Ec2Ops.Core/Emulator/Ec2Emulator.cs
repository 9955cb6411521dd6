using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ec2Ops.Core.Emulator;

/// <summary>
/// EC2's Query API (2016-11-15, the "ec2" protocol) as the emulator serves it: DescribeInstances
/// (InstanceId.N, Filter.N.Name / Filter.N.Value.M with * and ? wildcards, MaxResults / NextToken,
/// DryRun) and DescribeInstanceCreditSpecifications (by id, or without ids the unlimited burstable
/// instances, as the real API). Errors in EC2's Response/Errors/Error form.
/// </summary>
internal sealed partial class Ec2Emulator
{
    public const string Version = "2016-11-15";
    public static readonly XNamespace Xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private static readonly HashSet<string> InstanceFilters = new(StringComparer.Ordinal)
    {
        "instance-id", "instance-state-name", "instance-state-code", "instance-type", "availability-zone", "tag-key", "tag-value",
        "private-ip-address", "image-id", "architecture",
    };

    private readonly CreditFleet _fleet;
    private readonly string _accountId;
    private readonly string _region;

    public Ec2Emulator(CreditFleet fleet, string accountId, string region)
    {
        _fleet = fleet;
        _accountId = accountId;
        _region = region;
    }

    public static bool Handles(string? action) => action is "DescribeInstances" or "DescribeInstanceCreditSpecifications";

    /// <summary>The XML answer to one action (without the XML declaration).</summary>
    public string Handle(AwsQueryRequest request) => request.Action switch
    {
        "DescribeInstances" => DescribeInstances(request),
        "DescribeInstanceCreditSpecifications" => CloudWatchEmulator.Text(DescribeCreditSpecifications(request)),
        var other => throw new AwsFault(400, "InvalidAction", $"The action {other} is not valid for this web service."),
    };

    /// <summary>The EC2 error document.</summary>
    public static XElement Error(AwsFault fault, string requestId) =>
        new("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", fault.Code), new XElement("Message", fault.Message))),
            new XElement("RequestID", requestId));

    private string DescribeInstances(AwsQueryRequest request)
    {
        DryRun(request);
        var ids = request.List("InstanceId.");
        var maxResults = MaxResults(request, ids.Count > 0, 5, 1000);
        var selected = ids.Count > 0 ? ById(ids) : _fleet.Instances.ToList();
        selected = ApplyFilters(request, selected, InstanceFilters).ToList();

        // Written as text: a thousand instances are tens of thousands of elements.
        var (page, next) = Page(request, selected, maxResults ?? int.MaxValue, "di");
        var xml = new StringBuilder(2048 + 1500 * page.Count);
        xml.Append("<DescribeInstancesResponse xmlns=\"").Append(Xmlns.NamespaceName).Append("\"><requestId>").Append(Guid.NewGuid()).Append("</requestId><reservationSet>");
        foreach (var instance in page)
        {
            Reservation(xml, instance);
        }

        xml.Append("</reservationSet>");
        if (next is not null)
        {
            xml.Append("<nextToken>").Append(next).Append("</nextToken>");
        }

        return xml.Append("</DescribeInstancesResponse>").ToString();
    }

    private XElement DescribeCreditSpecifications(AwsQueryRequest request)
    {
        DryRun(request);
        var ids = request.List("InstanceId.");
        if (ids.Count > 1000)
        {
            throw AwsFault.Invalid($"The maximum number of instance IDs is 1000; {ids.Count} were given.");
        }

        var maxResults = MaxResults(request, ids.Count > 0, 5, 1000);
        List<EmulatedInstance> selected;
        if (ids.Count > 0)
        {
            selected = ById(ids);
            var notBurstable = selected.FirstOrDefault(i => !i.IsBurstable);
            if (notBurstable is not null)
            {
                throw new AwsFault(400, "UnsupportedOperation", $"The instance '{notBurstable.InstanceId}' is not a burstable performance instance ({notBurstable.InstanceType}): the credit option applies to T2, T3, T3a and T4g instances only.");
            }
        }
        else
        {
            // Without ids the real API lists the instances configured unlimited.
            selected = _fleet.Instances.Where(i => i.IsBurstable && i.CreditSpecification == "unlimited").ToList();
        }

        selected = ApplyFilters(request, selected, new HashSet<string>(StringComparer.Ordinal) { "instance-id" }).ToList();
        var (page, next) = Page(request, selected, maxResults ?? 1000, "cs");
        var response = new XElement(Xmlns + "DescribeInstanceCreditSpecificationsResponse",
            new XElement(Xmlns + "requestId", Guid.NewGuid().ToString()),
            new XElement(Xmlns + "instanceCreditSpecificationSet", page.Select(i => new XElement(Xmlns + "item",
                new XElement(Xmlns + "instanceId", i.InstanceId),
                new XElement(Xmlns + "cpuCredits", i.CreditSpecification)))));
        if (next is not null)
        {
            response.Add(new XElement(Xmlns + "nextToken", next));
        }

        return response;
    }

    private void Reservation(StringBuilder xml, EmulatedInstance instance)
    {
        var ip = instance.PrivateIpAddress;
        var dns = $"ip-{ip.Replace('.', '-')}.{(_region == "us-east-1" ? "ec2.internal" : _region + ".compute.internal")}";
        string E(string text) => CloudWatchEmulator.Escape(text);
        xml.Append("<item><reservationId>r-0").Append(instance.InstanceId[3..]).Append("</reservationId><ownerId>").Append(_accountId)
            .Append("</ownerId><groupSet/><instancesSet><item>")
            .Append("<instanceId>").Append(instance.InstanceId).Append("</instanceId>")
            .Append("<imageId>").Append(E(instance.ImageId)).Append("</imageId>")
            .Append("<instanceState><code>").Append(StateCode(instance.State).ToString(CultureInfo.InvariantCulture)).Append("</code><name>").Append(instance.State).Append("</name></instanceState>")
            .Append("<privateDnsName>").Append(dns).Append("</privateDnsName><dnsName/>")
            .Append("<reason>").Append(instance.State == "stopped" ? "User initiated" : "").Append("</reason>")
            .Append("<amiLaunchIndex>0</amiLaunchIndex><productCodes/>")
            .Append("<instanceType>").Append(E(instance.InstanceType)).Append("</instanceType>")
            .Append("<launchTime>").Append(CloudWatchEmulator.Time(instance.LaunchTime)).Append("</launchTime>")
            .Append("<placement><availabilityZone>").Append(E(instance.AvailabilityZone)).Append("</availabilityZone><groupName/><tenancy>default</tenancy></placement>")
            .Append("<monitoring><state>disabled</state></monitoring>")
            .Append("<privateIpAddress>").Append(ip).Append("</privateIpAddress>")
            .Append("<architecture>").Append(instance.Architecture).Append("</architecture>")
            .Append("<rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName><virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor>")
            .Append("<tagSet><item><key>Name</key><value>").Append(E(instance.Name)).Append("</value></item></tagSet>")
            .Append("<ebsOptimized>false</ebsOptimized><enaSupport>true</enaSupport>")
            .Append("</item></instancesSet></item>");
    }

    private List<EmulatedInstance> ById(IReadOnlyList<string> ids)
    {
        var malformed = ids.FirstOrDefault(id => !InstanceIdPattern().IsMatch(id));
        if (malformed is not null)
        {
            throw new AwsFault(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{malformed}\"");
        }

        var missing = ids.Where(id => _fleet.Find(id) is null).Distinct().ToList();
        if (missing.Count == 1)
        {
            throw new AwsFault(400, "InvalidInstanceID.NotFound", $"The instance ID '{missing[0]}' does not exist");
        }

        if (missing.Count > 1)
        {
            throw new AwsFault(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }

        return ids.Distinct().Select(id => _fleet.Find(id)!).ToList();
    }

    private static IEnumerable<EmulatedInstance> ApplyFilters(AwsQueryRequest request, IEnumerable<EmulatedInstance> instances, HashSet<string> allowed)
    {
        foreach (var f in request.Indexes("Filter."))
        {
            var name = request.Required($"Filter.{f}.Name");
            var values = request.List($"Filter.{f}.Value.");
            if (!allowed.Contains(name) && !name.StartsWith("tag:", StringComparison.Ordinal))
            {
                throw AwsFault.Invalid($"The filter '{name}' is invalid");
            }

            if (values.Count > 200)
            {
                throw AwsFault.Invalid($"The maximum number of filter values specified on a single call is 200 ({name} has {values.Count}).");
            }

            instances = instances.Where(i => values.Any(v => AwsQueryRequest.Matches(v, FilterValue(i, name)) || name == "tag-key" && AwsQueryRequest.Matches(v, "Name"))).ToList();
        }

        return instances;
    }

    private static string? FilterValue(EmulatedInstance instance, string name) => name switch
    {
        "instance-id" => instance.InstanceId,
        "instance-state-name" => instance.State,
        "instance-state-code" => StateCode(instance.State).ToString(CultureInfo.InvariantCulture),
        "instance-type" => instance.InstanceType,
        "availability-zone" => instance.AvailabilityZone,
        "tag-value" or "tag:Name" => instance.Name,
        "private-ip-address" => instance.PrivateIpAddress,
        "image-id" => instance.ImageId,
        "architecture" => instance.Architecture,
        _ => null,
    };

    private static int StateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => 16,
    };

    private static int? MaxResults(AwsQueryRequest request, bool hasIds, int min, int max)
    {
        var value = request.Integer("MaxResults");
        if (value is null)
        {
            return null;
        }

        if (hasIds)
        {
            throw new AwsFault(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        }

        if (value < min || value > max)
        {
            throw AwsFault.Invalid($"Value ( {value} ) for parameter maxResults is invalid. Expecting a value between {min} and {max}.");
        }

        return value;
    }

    private static (List<EmulatedInstance> Page, string? Next) Page(AwsQueryRequest request, List<EmulatedInstance> all, int size, string kind)
    {
        var offset = 0;
        if (request.Get("NextToken") is { Length: > 0 } token)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
                if (parts.Length != 2 || parts[0] != kind || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                {
                    throw new FormatException();
                }
            }
            catch (FormatException)
            {
                throw new AwsFault(400, "InvalidPaginationToken", $"The token '{token}' is invalid.");
            }
        }

        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}:{offset + page.Count}")) : null;
        return (page, next);
    }

    private static void DryRun(AwsQueryRequest request)
    {
        if (request.Boolean("DryRun"))
        {
            throw new AwsFault(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
        }
    }

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdPattern();
}
