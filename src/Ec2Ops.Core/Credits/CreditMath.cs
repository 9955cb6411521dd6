using System.Globalization;

namespace Ec2Ops.Core.Credits;

/// <summary>The forecast of one instance's balance at its recent net burn rate.</summary>
public sealed record CreditForecast(double? NetBurnPerHour, double? HoursToEmpty, double? HoursToFull, string Trend);

/// <summary>
/// The arithmetic of CPU credits: standard and unlimited mode accounting (as the emulator simulates
/// it), percent of maximum, and the forecast. Pure functions of their inputs.
/// </summary>
public static class CreditMath
{
    /// <summary>One hour in seconds.</summary>
    private const double Hour = 3600.0;

    /// <summary>100 x balance / max to one decimal, or null when either is unknown.</summary>
    public static double? PercentOfMax(double? balance, double? maxBalance) =>
        balance is { } b && maxBalance is { } m && m > 0 ? Math.Round(100.0 * b / m, 1, MidpointRounding.AwayFromZero) : null;

    /// <summary>
    /// Credits per hour the balance loses at the recent rate. With the type's earning rate known it
    /// is the usage rate over the recent datapoints minus what the type earns (positive = draining);
    /// without it, the fall of the balance itself over the same window. Null when neither can be told.
    /// </summary>
    /// <param name="usageSum">CPUCreditUsage summed over <paramref name="usagePeriods"/> periods.</param>
    /// <param name="usagePeriods">How many datapoints the sum covers.</param>
    /// <param name="periodSeconds">Length of one datapoint's period.</param>
    /// <param name="earnedPerHour">The type's earning rate, or null when the type is not in the table.</param>
    /// <param name="balanceChange">Newest minus oldest balance over the window, and the window's length in hours.</param>
    public static double? NetBurnPerHour(double? usageSum, int usagePeriods, int periodSeconds, double? earnedPerHour, (double Change, double Hours)? balanceChange = null)
    {
        if (earnedPerHour is { } earned && usageSum is { } sum && usagePeriods > 0)
        {
            var usagePerHour = sum / (usagePeriods * periodSeconds / Hour);
            return Math.Round(usagePerHour - earned, 3, MidpointRounding.AwayFromZero);
        }

        if (balanceChange is { Hours: > 0 } observed)
        {
            return Math.Round(-observed.Change / observed.Hours, 3, MidpointRounding.AwayFromZero);
        }

        return null;
    }

    /// <summary>
    /// When the balance will be empty or full at <paramref name="netBurnPerHour"/>, and the trend in
    /// words. A balance at or above the maximum (T2 launch credits) is full; an unlimited instance at
    /// zero that keeps burning runs on surplus credits.
    /// </summary>
    public static CreditForecast Forecast(double? balance, double? maxBalance, double? netBurnPerHour, bool unlimited = false, double? surplusBalance = null)
    {
        if (balance is not { } b)
        {
            return new CreditForecast(null, null, null, "no data");
        }

        var full = maxBalance is { } max && b >= max;
        switch (netBurnPerHour)
        {
            case > 0 when b <= 0:
                return new CreditForecast(netBurnPerHour, 0, null, unlimited ? "surplus" : "empty");
            case > 0 and var burn:
                var hoursToEmpty = Hours(b / burn);
                return new CreditForecast(netBurnPerHour, hoursToEmpty, null, $"empty in {Text(hoursToEmpty)} h");
            case < 0 when full:
                return new CreditForecast(netBurnPerHour, null, 0, "full");
            case < 0 and var gain when maxBalance is { } max2:
                var hoursToFull = Hours((max2 - b) / -gain);
                return new CreditForecast(netBurnPerHour, null, hoursToFull, $"full in {Text(hoursToFull)} h");
            case < 0:
                return new CreditForecast(netBurnPerHour, null, null, "filling");
            case 0 when full:
                return new CreditForecast(netBurnPerHour, null, 0, "full");
            case 0 when b <= 0:
                return new CreditForecast(netBurnPerHour, null, null, unlimited && surplusBalance is > 0 ? "surplus" : "empty");
            case 0:
                return new CreditForecast(netBurnPerHour, null, null, "steady");
            default:
                // No rate known: say what the balance is, if anything.
                return new CreditForecast(null, null, full ? 0 : null, full ? "full" : b <= 0 ? "empty" : "unknown");
        }
    }

    /// <summary>
    /// Standard mode over one period: earnings first (up to the maximum), launch credits spent before
    /// earned ones, usage never beyond what is there (the CPU is held at its baseline instead).
    /// Returns the new earned balance, launch credits left, and the usage actually possible.
    /// </summary>
    public static (double Earned, double Launch, double Usage) StandardStep(double earnedBalance, double launchCredits, double earnedPerPeriod, double wantedUsage, double maxBalance)
    {
        var available = earnedBalance + launchCredits + earnedPerPeriod;
        var usage = Math.Min(wantedUsage, available);
        var fromLaunch = Math.Min(launchCredits, usage);
        var launch = launchCredits - fromLaunch;
        var earned = Math.Min(maxBalance, earnedBalance + earnedPerPeriod - (usage - fromLaunch));
        return (Math.Max(0, earned), launch, usage);
    }

    /// <summary>
    /// Unlimited mode over one period: earnings pay down surplus first, usage beyond the balance
    /// becomes surplus, and surplus beyond the maximum is charged. Returns the new balance, surplus
    /// balance and the surplus charged in this period.
    /// </summary>
    public static (double Balance, double Surplus, double Charged) UnlimitedStep(double balance, double surplus, double earnedPerPeriod, double usage, double maxBalance)
    {
        var income = earnedPerPeriod;
        var paidDown = Math.Min(surplus, income);
        surplus -= paidDown;
        income -= paidDown;

        var next = balance + income - usage;
        if (next < 0)
        {
            surplus += -next;
            next = 0;
        }

        next = Math.Min(next, maxBalance);
        var charged = Math.Max(0, surplus - maxBalance);
        return (next, surplus - charged, charged);
    }

    private static double Hours(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static string Text(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
