using Ec2Ops.Core.Credits;

namespace Ec2Ops.Tests.Credits;

/// <summary>Balance accounting, percent of maximum, net burn rate and the forecast.</summary>
public class CreditMathTests
{
    [Theory]
    [InlineData(37.5, 144, 26.0)]
    [InlineData(168, 144, 116.7)]
    [InlineData(0, 576, 0)]
    [InlineData(288, 288, 100)]
    [InlineData(0.05, 1000, 0.0)]
    [InlineData(1.25, 1000, 0.1)]
    public void PercentOfMaxHasOneDecimal(double balance, double max, double expected) =>
        Assert.Equal(expected, CreditMath.PercentOfMax(balance, max));

    [Fact]
    public void PercentOfMaxIsEmptyWithoutBothValues()
    {
        Assert.Null(CreditMath.PercentOfMax(null, 144));
        Assert.Null(CreditMath.PercentOfMax(10, null));
        Assert.Null(CreditMath.PercentOfMax(10, 0));
    }

    [Fact]
    public void NetBurnIsTheUsageRateMinusTheEarningRate()
    {
        // 12 five-minute periods using 5 credits each = 60 per hour against 24 earned.
        Assert.Equal(36, CreditMath.NetBurnPerHour(60, 12, 300, 24));

        // Fewer datapoints than an hour: the rate is scaled to an hour.
        Assert.Equal(36, CreditMath.NetBurnPerHour(30, 6, 300, 24));

        // Idle: the balance grows.
        Assert.Equal(-9, CreditMath.NetBurnPerHour(3, 12, 300, 12));
    }

    [Fact]
    public void WithoutAnEarningRateTheFallOfTheBalanceIsTheRate()
    {
        Assert.Equal(12, CreditMath.NetBurnPerHour(5, 12, 300, null, (-11, 55 / 60.0)));
        Assert.Equal(-6, CreditMath.NetBurnPerHour(null, 0, 300, null, (3, 0.5)));
        Assert.Null(CreditMath.NetBurnPerHour(null, 0, 300, 12));
        Assert.Null(CreditMath.NetBurnPerHour(5, 12, 300, null));
    }

    [Fact]
    public void DrainingGivesHoursToEmptyRounded()
    {
        var forecast = CreditMath.Forecast(144, 576, 36);

        Assert.Equal(new CreditForecast(36, 4, null, "empty in 4 h"), forecast);
        Assert.Equal(3.23, CreditMath.Forecast(37.5, 144, 11.6).HoursToEmpty);
        Assert.Equal("empty in 3.23 h", CreditMath.Forecast(37.5, 144, 11.6).Trend);
    }

    [Fact]
    public void FillingGivesHoursToFull()
    {
        Assert.Equal(new CreditForecast(-9, null, 10, "full in 10 h"), CreditMath.Forecast(198, 288, -9));
    }

    [Fact]
    public void AtOrAboveTheMaximumItIsFull()
    {
        // A T2 with launch credits holds more than the maximum: full, not clipped.
        Assert.Equal(new CreditForecast(-5.5, null, 0, "full"), CreditMath.Forecast(168, 144, -5.5));
        Assert.Equal(new CreditForecast(0, null, 0, "full"), CreditMath.Forecast(576, 576, 0));
    }

    [Fact]
    public void AtZeroStandardIsEmptyAndUnlimitedRunsOnSurplus()
    {
        Assert.Equal(new CreditForecast(48, 0, null, "empty"), CreditMath.Forecast(0, 576, 48));
        Assert.Equal(new CreditForecast(48, 0, null, "surplus"), CreditMath.Forecast(0, 576, 48, unlimited: true, surplusBalance: 120));
        Assert.Equal(new CreditForecast(0, null, null, "empty"), CreditMath.Forecast(0, 576, 0));
        Assert.Equal(new CreditForecast(0, null, null, "surplus"), CreditMath.Forecast(0, 576, 0, unlimited: true, surplusBalance: 3));
    }

    [Fact]
    public void OtherCases()
    {
        Assert.Equal(new CreditForecast(0, null, null, "steady"), CreditMath.Forecast(300, 576, 0));
        Assert.Equal(new CreditForecast(-2, null, null, "filling"), CreditMath.Forecast(10, null, -2));
        Assert.Equal(new CreditForecast(null, null, null, "no data"), CreditMath.Forecast(null, 144, 3));
        Assert.Equal(new CreditForecast(null, null, null, "unknown"), CreditMath.Forecast(10, 144, null));
        Assert.Equal(new CreditForecast(null, null, 0, "full"), CreditMath.Forecast(150, 144, null));
    }

    [Fact]
    public void StandardModeEarnsUpToTheMaximum()
    {
        Assert.Equal((144.0, 0.0, 0.0), CreditMath.StandardStep(143.75, 0, 0.5, 0, 144));
        Assert.Equal((100.5, 0.0, 0.0), CreditMath.StandardStep(100, 0, 0.5, 0, 144));
        Assert.Equal((98.0, 0.0, 2.5), CreditMath.StandardStep(100, 0, 0.5, 2.5, 144));
    }

    [Fact]
    public void StandardModeSpendsLaunchCreditsFirstAndThemOutsideTheMaximum()
    {
        // 30 launch credits, earned balance at the cap: usage comes out of the launch credits.
        Assert.Equal((144.0, 29.75, 0.25), CreditMath.StandardStep(144, 30, 0.5, 0.25, 144));
        Assert.Equal((143.5, 0.0, 2.0), CreditMath.StandardStep(144, 1, 0.5, 2.0, 144));
    }

    [Fact]
    public void StandardModeNeverSpendsMoreThanThereIs()
    {
        // Throttled to baseline: the usage is what the balance and this period's earnings allow.
        Assert.Equal((0.0, 0.0, 2.0), CreditMath.StandardStep(1, 0, 1, 5, 288));
    }

    [Fact]
    public void UnlimitedModeRunsIntoSurplusPaysItDownAndChargesBeyondTheMaximum()
    {
        Assert.Equal((0.0, 2.0, 0.0), CreditMath.UnlimitedStep(1, 0, 1, 4, 576));
        Assert.Equal((0.0, 1.0, 0.0), CreditMath.UnlimitedStep(0, 2, 1, 0, 576));
        Assert.Equal((0.5, 0.0, 0.0), CreditMath.UnlimitedStep(0, 0.5, 1, 0, 576));
        Assert.Equal((0.0, 576.0, 3.0), CreditMath.UnlimitedStep(0, 575, 2, 6, 576));
    }
}
