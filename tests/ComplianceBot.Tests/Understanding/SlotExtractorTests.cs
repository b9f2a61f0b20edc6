using ComplianceBot.Understanding;

namespace ComplianceBot.Tests.Understanding;

public sealed class SlotExtractorTests
{
    private static IntentSlots Slots(string text, string? sender = null) =>
        SlotExtractor.Extract(text, IntentTestKit.Lexical.Model.Lexicon, IntentTestKit.Today, sender);

    [Theory]
    [InlineData("attest ac-02 pls", "AC-02")]
    [InlineData("is OPS 5 due?", "OPS-05")]
    [InlineData("snooze gov01", "GOV-01")]
    [InlineData("what about the chg-03 review", "CHG-03")]
    public void ControlIdsAreFoundInAnyCommonSpelling(string text, string control) => Assert.Equal(control, Slots(text).Control);

    [Theory]
    [InlineData("status of CR 42?", "42")]
    [InlineData("is CR-057 approved", "57")]
    [InlineData("who still has to approve change 77", "77")]
    [InlineData("any news on #19", "19")]
    public void ChangeNumbersAreDigitsOnly(string text, string change) => Assert.Equal(change, Slots(text).Change);

    [Fact]
    public void AControlIdIsNotTakenForAChangeNumber() => Assert.Null(Slots("attest CHG-01").Change);

    [Theory]
    [InlineData("is the prod db backed up", "Postgres cluster")]
    [InlineData("who owns GH", "GitHub")]
    [InlineData("is the webflow site in scope", "Marketing website")]
    [InlineData("okta sso access review", "Okta")]
    public void SystemAliasesMapToTheCanonicalName(string text, string system) => Assert.Equal(system, Slots(text).System);

    [Theory]
    [InlineData("remind me tomorrow", "1d")]
    [InlineData("snooze for 24h", "1d")]
    [InlineData("hold off till monday", "monday")]
    [InlineData("next week please", "monday")]
    [InlineData("snooze till 4 Jan", "2027-01-04")]
    [InlineData("remind me on 2 December", "2026-12-02")]
    [InlineData("back on 2026-12-14", "2026-12-14")]
    [InlineData("until dec 9th", "2026-12-09")]
    [InlineData("snooze till thursday", "2026-12-03")]
    public void SnoozeTimesFollowTheConventions(string text, string until) => Assert.Equal(until, Slots(text).Until);

    [Fact]
    public void AHolidayWithoutADateAsksWhen()
    {
        var slots = Slots("can this wait till after my holiday?");

        Assert.Null(slots.Until);
        Assert.True(slots.AsksWhen);
    }

    [Fact]
    public void AColleagueIsFoundByNameButNeverTheSender()
    {
        Assert.Equal("hannah.schmidt@acme.example", Slots("has hannah done her attestation?").PersonEmail);
        Assert.Null(Slots("it's arjun here, what's due?", "arjun.mehta@acme.example").PersonEmail);
    }
}
