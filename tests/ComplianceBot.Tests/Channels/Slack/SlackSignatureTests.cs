using System.Text;
using ComplianceBot.Channels.Slack;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackSignatureTests
{
    // Slack's documented sample slash-command request (api.slack.com/authentication/verifying-requests-from-slack).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
        "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN" +
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");

    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    private static SignatureCheck Check(string? timestamp, string? signature, byte[] body, DateTimeOffset now) =>
        SlackSignature.Verify(Encoding.UTF8.GetBytes(Secret), timestamp, signature, body, now);

    [Fact]
    public void SlacksDocumentedSampleRequestVerifies()
    {
        Assert.Equal(Expected, SlackSignature.Sign(Secret, Timestamp, Body));
        Assert.Equal(SignatureCheck.Valid, Check(Timestamp, Expected, Body, SentAt.AddSeconds(10)));
    }

    [Fact]
    public void ATamperedBodyIsAMismatch()
    {
        var tampered = (byte[])Body.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(SignatureCheck.Mismatch, Check(Timestamp, Expected, tampered, SentAt));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(600)]
    public void TimestampsMoreThanFiveMinutesAwayEitherWayAreRefused(int offsetSeconds) =>
        Assert.Equal(SignatureCheck.Stale, Check(Timestamp, Expected, Body, SentAt.AddSeconds(-offsetSeconds)));

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void TimestampsExactlyFiveMinutesAwayAreAccepted(int offsetSeconds) =>
        Assert.Equal(SignatureCheck.Valid, Check(Timestamp, Expected, Body, SentAt.AddSeconds(offsetSeconds)));

    [Fact]
    public void AnUnknownVersionIsRefusedEvenWithTheRightDigest() =>
        Assert.Equal(SignatureCheck.UnknownVersion, Check(Timestamp, "v1=" + Expected[3..], Body, SentAt));

    [Theory]
    [InlineData(null, Expected, SignatureCheck.Missing)]
    [InlineData(Timestamp, null, SignatureCheck.Missing)]
    [InlineData("15314206a8", Expected, SignatureCheck.Malformed)]
    [InlineData(Timestamp, "a2114d57b48eac39", SignatureCheck.Malformed)]
    [InlineData(Timestamp, "v0=zz", SignatureCheck.Mismatch)]
    [InlineData(Timestamp, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504", SignatureCheck.Mismatch)]
    public void MissingOrMalformedHeadersAreRefused(string? timestamp, string? signature, SignatureCheck expected) =>
        Assert.Equal(expected, Check(timestamp, signature, Body, SentAt));
}
