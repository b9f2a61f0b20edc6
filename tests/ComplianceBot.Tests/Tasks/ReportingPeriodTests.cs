using ComplianceBot.Controls;
using ComplianceBot.Tasks;

namespace ComplianceBot.Tests.Tasks;

public sealed class ReportingPeriodTests
{
    [Theory]
    [InlineData(ControlFrequency.Daily, "2026-11-27", "2026-11-27", "2026-11-27")]
    [InlineData(ControlFrequency.Weekly, "2026-W48", "2026-11-23", "2026-11-29")]
    [InlineData(ControlFrequency.Monthly, "2026-11", "2026-11-01", "2026-11-30")]
    [InlineData(ControlFrequency.Quarterly, "2026-Q4", "2026-10-01", "2026-12-31")]
    [InlineData(ControlFrequency.Semiannual, "2026-H2", "2026-07-01", "2026-12-31")]
    [InlineData(ControlFrequency.Annual, "2026", "2026-01-01", "2026-12-31")]
    public void APeriodIsLabelledAndBoundedByTheFrequency(ControlFrequency frequency, string label, string start, string end)
    {
        var period = ReportingPeriod.Containing(frequency, new DateOnly(2026, 11, 27));

        Assert.Equal(label, period.Label);
        Assert.Equal(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), period.Start);
        Assert.Equal(DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), period.End);
    }

    [Fact]
    public void IsoWeeksCrossTheYearBoundaryCorrectly()
    {
        // 31 Dec 2026 is a Thursday, so it belongs to ISO week 53 of 2026; 1 Jan 2027 (Friday) too.
        Assert.Equal("2026-W53", ReportingPeriod.Containing(ControlFrequency.Weekly, new DateOnly(2027, 1, 1)).Label);
        Assert.Equal("2027-W01", ReportingPeriod.Containing(ControlFrequency.Weekly, new DateOnly(2027, 1, 4)).Label);
    }

    [Fact]
    public void TheNextQuarterAfterQ4IsQ1OfTheNextYear()
    {
        var q4 = ReportingPeriod.Containing(ControlFrequency.Quarterly, new DateOnly(2026, 11, 27));

        Assert.Equal("2027-Q1", q4.Next(ControlFrequency.Quarterly).Label);
    }

    [Fact]
    public void TheDueDateIsTheControlsDueDaysAfterThePeriodEnds()
    {
        var control = new Control { Id = "AC-01", Title = "t", Description = "d", AttestationTemplate = "a", Frequency = ControlFrequency.Quarterly, DueDays = 15 };
        var q4 = ReportingPeriod.Containing(ControlFrequency.Quarterly, new DateOnly(2026, 11, 27));

        Assert.Equal(new DateOnly(2027, 1, 15), q4.DueDate(control));
        control.DueDays = null;
        Assert.Equal(new DateOnly(2027, 1, 15), q4.DueDate(control));
    }
}
