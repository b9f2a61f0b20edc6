using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.ChangeApprovals.Callbacks;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>A pipeline's callback must not become a way into our network, must be verifiable, and must not leak its token.</summary>
public sealed class ChangeCallbackSecurityTests : IDisposable
{
    private readonly BotApplication _app = new();
    private readonly LogCapture _logs = new();

    public ChangeCallbackSecurityTests()
    {
        _app.Settings["Outbox:MaxAttempts"] = "1";
        _app.Settings["Changes:Callbacks:Secret"] = ChangesApplication.CallbackSecret;
        _app.ConfigureTestServices = services =>
        {
            services.RemoveAll<IHostedService>();
            services.AddSingleton<ILoggerProvider>(_logs);
        };
    }

    public void Dispose() => _app.Dispose();

    private async Task DecideAndSweepAsync(int id)
    {
        await ActAsync(_app.CreateClient(), Daniel, "changes.approve", About(id));
        await using var scope = _app.Scope();
        await scope.ServiceProvider.GetRequiredService<ChangeApprovalsSweeper>().SweepAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.5/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://0x7f000001/hook")]
    [InlineData("http://2130706433/hook")]
    [InlineData("http://127.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("https://ci.acme.example@169.254.169.254/hook")]
    [InlineData("https://user:secret@ci.acme.example/hook")]
    public async Task PrivateLoopbackLinkLocalAndObfuscatedCallbackUrlsAreRefusedAtSubmission(string url)
    {
        var response = await _app.CreateAdminClient().PostAsJsonAsync("/api/changes", Change(Grace, callbackUrl: url));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("callbackUrl", out _));
    }

    [Fact]
    public async Task AHostNameThatResolvesToLoopbackIsNeverConnectedTo()
    {
        await using var sink = await CallbackSink.StartAsync();
        var id = await SubmitAsync(_app.CreateAdminClient(), Change(Grace, callbackUrl: $"http://localhost:{sink.Port}/hook"));

        await DecideAndSweepAsync(id);

        Assert.Equal(0, sink.Calls);
        await using var scope = _app.Scope();
        var failed = await BotApplication.Db(scope).AuditEvents.SingleAsync(e => e.Subject == $"change:{id}" && e.Action == "change.callback.failed");
        Assert.Contains("private", failed.Data, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ARedirectIsNotFollowed()
    {
        _app.Settings["Changes:Callbacks:AllowedHosts:0"] = "127.0.0.1";
        await using var sink = await CallbackSink.StartAsync();
        var id = await SubmitAsync(_app.CreateAdminClient(), Change(Grace, callbackUrl: sink.RedirectUrl));

        await DecideAndSweepAsync(id);

        Assert.Equal(1, sink.Calls);
        Assert.Empty(sink.Received);
    }

    [Fact]
    public async Task TheCallbackIsSignedSoThePipelineCanTellItFromAForgery()
    {
        _app.Settings["Changes:Callbacks:AllowedHosts:0"] = "127.0.0.1";
        await using var sink = await CallbackSink.StartAsync();
        var id = await SubmitAsync(_app.CreateAdminClient(), Change(Grace, callbackUrl: sink.Url));

        await DecideAndSweepAsync(id);

        var (headers, body) = Assert.Single(sink.Raw);
        var timestamp = headers[CallbackSigner.TimestampHeader];
        Assert.Equal(_app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        // What a pipeline does (documented in the README): HMAC-SHA256 of "{timestamp}.{raw body}" with the shared secret.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ChangesApplication.CallbackSecret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));
        Assert.Equal(expected, headers[CallbackSigner.SignatureHeader]);
        Assert.Equal("approved", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithoutASigningSecretACallbackUrlIsRefused()
    {
        _app.Settings["Changes:Callbacks:Secret"] = "";

        var response = await _app.CreateAdminClient().PostAsJsonAsync("/api/changes", Change(Grace, callbackUrl: "https://ci.acme.example/hook"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Changes:Callbacks:Secret", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheCallbackUrlsTokenIsKeptOutOfTheAuditTrailAndTheLog()
    {
        _app.Settings["Changes:Callbacks:AllowedHosts:0"] = "127.0.0.1";
        await using var sink = await CallbackSink.StartAsync(failFirst: 1);
        var id = await SubmitAsync(_app.CreateAdminClient(), Change(Grace, callbackUrl: sink.Url + "?token=s3cr3t-ci-token#frag"));

        await DecideAndSweepAsync(id);

        await using var scope = _app.Scope();
        var events = await BotApplication.Db(scope).AuditEvents.Where(e => e.Subject == $"change:{id}").ToListAsync();
        Assert.Contains(events, e => e.Action == "change.callback.failed" && e.Data.Contains($"127.0.0.1:{sink.Port}/hook", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Data.Contains("s3cr3t", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://user:pw@ci.acme.example:8443/hooks/build?token=abc#x", "https://ci.acme.example:8443/hooks/build")]
    [InlineData("http://ci.acme.example/hook", "http://ci.acme.example/hook")]
    [InlineData("not a url", "(invalid URL)")]
    public void RedactionKeepsSchemeHostPortAndPathOnly(string url, string expected)
    {
        Assert.Equal(expected, CallbackUrlPolicy.Redact(url));
    }
}
