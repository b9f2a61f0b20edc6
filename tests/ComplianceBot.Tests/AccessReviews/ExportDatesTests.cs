using ComplianceBot.AccessReviews.Imports;

namespace ComplianceBot.Tests.AccessReviews;

public sealed class ExportDatesTests
{
    [Theory]
    [InlineData("2026-11-25T09:12:33Z", DateOrder.Unstated, "2026-11-25T09:12:33+00:00")]
    [InlineData("2026-11-26T17:40:02+00:00", DateOrder.Unstated, "2026-11-26T17:40:02+00:00")]
    [InlineData("2026-11-26T08:02:13.000Z", DateOrder.Unstated, "2026-11-26T08:02:13+00:00")]
    [InlineData("2026/11/25 09:12:33 UTC", DateOrder.Unstated, "2026-11-25T09:12:33+00:00")]
    [InlineData("1795000000", DateOrder.Unstated, "2026-11-18T11:06:40+00:00")]
    [InlineData("1795000000000", DateOrder.Unstated, "2026-11-18T11:06:40+00:00")]
    [InlineData("Nov 30, 2026 10:02:11 AM", DateOrder.Unstated, "2026-11-30T10:02:11+00:00")]
    [InlineData("01.12.2026", DateOrder.DayFirst, "2026-12-01T00:00:00+00:00")]
    [InlineData("01.12.2026", DateOrder.MonthFirst, "2026-01-12T00:00:00+00:00")]
    [InlineData("03/04/2026 14:05", DateOrder.MonthFirst, "2026-03-04T14:05:00+00:00")]
    public void VendorDatesAreRead(string text, DateOrder order, string expected)
    {
        Assert.True(ExportDates.TryRead(text, order, out var value, out var problem), problem);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("N/A")]
    [InlineData("no_information")]
    [InlineData("not_supported")]
    [InlineData("Never logged in")]
    [InlineData("")]
    public void NoActivityWordsAreNoDate(string text)
    {
        Assert.True(ExportDates.TryRead(text, DateOrder.Unstated, out var value, out _));
        Assert.Null(value);
    }

    [Theory]
    [InlineData("01.12.2026", DateOrder.Unstated, "'01.12.2026' does not say whether the day or the month comes first (1 December or 12 January)")]
    [InlineData("03/04/2026", DateOrder.Unstated, "(3 April or 4 March); state it with ?dateFormat=dmy")]
    [InlineData("31.02.2026", DateOrder.DayFirst, "'31.02.2026' is not a valid date when read day first")]
    [InlineData("12345", DateOrder.Unstated, "epoch time needs 10 digits for seconds or 13 for milliseconds")]
    [InlineData("last tuesday", DateOrder.Unstated, "'last tuesday' is not a date")]
    public void AmbiguousOrBrokenDatesAreRefusedWithAReason(string text, DateOrder order, string expected)
    {
        Assert.False(ExportDates.TryRead(text, order, out _, out var problem));
        Assert.Contains(expected, problem);
    }
}
