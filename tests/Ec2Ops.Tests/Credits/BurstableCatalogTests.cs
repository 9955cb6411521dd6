using Ec2Ops.Core.Credits;

namespace Ec2Ops.Tests.Credits;

/// <summary>The credit table of facts.md, every type and size.</summary>
public class BurstableCatalogTests
{
    public static TheoryData<string, double, double, int, double> Table()
    {
        var data = new TheoryData<string, double, double, int, double>
        {
            { "t2.nano", 3, 72, 1, 5 },
            { "t2.micro", 6, 144, 1, 10 },
            { "t2.small", 12, 288, 1, 20 },
            { "t2.medium", 24, 576, 2, 20 },
            { "t2.large", 36, 864, 2, 30 },
            { "t2.xlarge", 54, 1296, 4, 22.5 },
            { "t2.2xlarge", 81.6, 1958.4, 8, 17 },
        };
        foreach (var family in new[] { "t3", "t3a", "t4g" })
        {
            data.Add($"{family}.nano", 6, 144, 2, 5);
            data.Add($"{family}.micro", 12, 288, 2, 10);
            data.Add($"{family}.small", 24, 576, 2, 20);
            data.Add($"{family}.medium", 24, 576, 2, 20);
            data.Add($"{family}.large", 36, 864, 2, 30);
            data.Add($"{family}.xlarge", 96, 2304, 4, 40);
            data.Add($"{family}.2xlarge", 192, 4608, 8, 40);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void EveryTypeHasTheFiguresOfTheCreditTable(string type, double earned, double max, int vcpus, double baseline)
    {
        var found = BurstableCatalog.Find(type);

        Assert.NotNull(found);
        Assert.Equal((type, earned, max, vcpus, baseline), (found.InstanceType, found.EarnedPerHour, found.MaxBalance, found.VCpus, found.BaselinePercentPerVcpu));
        Assert.Equal(type.Split('.')[0], found.Family);
        Assert.Equal(type.StartsWith("t2.") ? 30 : 0, found.LaunchCreditsPerVcpu);
    }

    [Fact]
    public void TheTableHasTwentyEightTypesAndTheMaximumIsADayOfEarning()
    {
        Assert.Equal(28, BurstableCatalog.All.Count);
        Assert.All(BurstableCatalog.All, t => Assert.Equal(t.EarnedPerHour * 24, t.MaxBalance, 9));
    }

    [Theory]
    [InlineData("T3.Micro", "t3.micro")]
    [InlineData(" t4g.large ", "t4g.large")]
    public void LookupIgnoresCaseAndSpaces(string asked, string expected) => Assert.Equal(expected, BurstableCatalog.Find(asked)?.InstanceType);

    [Theory]
    [InlineData("m5.large", false)]
    [InlineData("t3.huge", true)]
    [InlineData("t2", true)]
    [InlineData("c7g.medium", false)]
    [InlineData(null, false)]
    public void UnknownTypesAreNotInTheTableButBurstableFamiliesAreRecognized(string? type, bool family)
    {
        Assert.Null(BurstableCatalog.Find(type));
        Assert.Equal(family, BurstableCatalog.IsBurstableFamily(type));
    }

    [Fact]
    public void EarnedInAPeriodIsTheHourlyRateScaled()
    {
        Assert.Equal(1.0, BurstableCatalog.Find("t3.micro")!.EarnedIn(300));
        Assert.Equal(6.8, BurstableCatalog.Find("t2.2xlarge")!.EarnedIn(300), 12);
        Assert.Equal(192, BurstableCatalog.Find("t4g.2xlarge")!.EarnedIn(3600));
    }
}
