using System.Text.Json;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Outbox;
using ComplianceBot.Reminders;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>
/// Reminders (owner-loop ladder), expiry, escalation and callback retries, driven by the fake clock and explicit sweeps
/// (the background services are removed). Submitted Fri 27 Nov 14:00 UTC; Daniel (Jerusalem) works Sun–Thu 09:00–18:00.
/// </summary>
public sealed class ChangeDeadlineTests : IDisposable
{
    private readonly BotApplication _app = new();

    public ChangeDeadlineTests()
    {
        _app.Settings["Outbox:MaxAttempts"] = "2";
        ChangesApplication.AllowLocalCallbacks(_app);
        _app.ConfigureTestServices = services => services.RemoveAll<IHostedService>();
    }

    public void Dispose() => _app.Dispose();

    private async Task SweepAfterAsync(TimeSpan elapsed)
    {
        _app.Clock.Advance(elapsed);
        await using var scope = _app.Scope();
        await scope.ServiceProvider.GetRequiredService<ChangeApprovalsSweeper>().SweepAsync(CancellationToken.None);
        await _app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(CancellationToken.None);
    }

    [Fact]
    public async Task UndecidedApproversAreRemindedInTheirWorkingHoursAndThenTheChangeExpires()
    {
        var admin = _app.CreateAdminClient();
        var chat = _app.CreateClient();
        var id = await SubmitAsync(admin, Change(Grace));

        await SweepAfterAsync(TimeSpan.FromHours(23));
        await SweepAfterAsync(TimeSpan.FromHours(2)); // Saturday: due, but Daniel is off until Sunday morning
        Assert.Single(await InboxAsync(chat, Daniel));

        await SweepAfterAsync(TimeSpan.FromHours(17)); // Sun 29 Nov 08:00 UTC = 10:00 in Jerusalem
        await SweepAfterAsync(TimeSpan.FromHours(1));
        var messages = await InboxAsync(chat, Daniel);
        Assert.Equal(2, messages.Count);
        Assert.Contains("Reminder", messages[1].GetProperty("text").GetString());
        Assert.Equal(["changes.approve", "changes.reject"], ActionIds(messages[1]));

        await SweepAfterAsync(TimeSpan.FromHours(48));

        var status = await StatusAsync(admin, id);
        Assert.Equal("expired", status.GetProperty("status").GetString());
        Assert.All(await InboxAsync(chat, Daniel), card => Assert.Empty(ActionIds(card)));
        Assert.Contains("expired", (await CardAsync(chat, Grace, id)).GetProperty("text").GetString());
        var late = await ActAsync(chat, Daniel, "changes.approve", About(id));
        Assert.Contains("already expired", late[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task AReminderForAnAlreadyApprovedChangeIsDropped()
    {
        var admin = _app.CreateAdminClient();
        var chat = _app.CreateClient();
        var id = await SubmitAsync(admin, Change(Grace));
        await ActAsync(chat, Daniel, "changes.approve", About(id));

        await SweepAfterAsync(TimeSpan.FromHours(42));

        Assert.Single(await InboxAsync(chat, Daniel));
        await using var scope = _app.Scope();
        var reminder = await BotApplication.Db(scope).Reminders.SingleAsync(r => r.Subject == $"change:{id}");
        Assert.Equal(ReminderStatus.Cancelled, reminder.Status);
    }

    [Fact]
    public async Task AnEmergencyChangeMayProceedAndIsEscalatedWhenNotApprovedWithin24Hours()
    {
        var admin = _app.CreateAdminClient();
        var chat = _app.CreateClient();
        var id = await SubmitAsync(admin, Change(Grace, "emergency"));
        var status = await StatusAsync(admin, id);
        Assert.Equal("pending", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("mayProceed").GetBoolean());

        await SweepAfterAsync(TimeSpan.FromHours(12));
        Assert.Equal("pending", (await StatusAsync(admin, id)).GetProperty("status").GetString());

        await SweepAfterAsync(TimeSpan.FromHours(12));

        Assert.Equal("expired", (await StatusAsync(admin, id)).GetProperty("status").GetString());
        var compliance = await InboxAsync(chat, Dana);
        Assert.Contains(compliance, m => m.GetProperty("text").GetString()!.Contains($"Emergency change #{id} to GitHub went ahead", StringComparison.Ordinal));
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Subject == $"change:{id}" && e.Action == "reminder.sent" && e.Data.Contains(ChangeReminderSubject.ChannelStep)));
        Assert.True(await db.Reminders.AnyAsync(r => r.Subject == $"change:{id}" && r.Step == ChangeReminderSubject.EscalationStep));
    }

    [Fact]
    public async Task AnApprovedEmergencyChangeIsNotEscalated()
    {
        var admin = _app.CreateAdminClient();
        var id = await SubmitAsync(admin, Change(Grace, "emergency"));

        await ActAsync(_app.CreateClient(), Daniel, "changes.approve", About(id));
        await SweepAfterAsync(TimeSpan.FromHours(30));

        Assert.Equal("approved", (await StatusAsync(admin, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AFailingCallbackIsRetriedAndThenGivenUpAfterTheConfiguredAttempts()
    {
        await using var sink = await CallbackSink.StartAsync(failFirst: 100);
        var admin = _app.CreateAdminClient();
        var id = await SubmitAsync(admin, Change(Grace, callbackUrl: sink.Url));
        await ActAsync(_app.CreateClient(), Daniel, "changes.approve", About(id));

        await SweepAfterAsync(TimeSpan.Zero);
        await SweepAfterAsync(TimeSpan.Zero);
        Assert.Equal(1, sink.Calls);
        await SweepAfterAsync(TimeSpan.FromMinutes(2));
        await SweepAfterAsync(TimeSpan.FromHours(1));

        Assert.Equal(2, sink.Calls);
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(OutboxStatus.Parked, (await db.Outbox.SingleAsync(m => m.Key == $"change:{id}:callback")).Status);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Subject == $"change:{id}" && e.Action == "change.callback.failed"));
    }

    [Fact]
    public async Task ACallbackThatFailsOnceIsDeliveredOnTheRetry()
    {
        await using var sink = await CallbackSink.StartAsync(failFirst: 1);
        var admin = _app.CreateAdminClient();
        var id = await SubmitAsync(admin, Change(Grace, callbackUrl: sink.Url));
        await ActAsync(_app.CreateClient(), Daniel, "changes.approve", About(id));

        await SweepAfterAsync(TimeSpan.Zero);
        await SweepAfterAsync(TimeSpan.FromMinutes(2));
        await SweepAfterAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(2, sink.Calls);
        var body = Assert.Single(sink.Received);
        Assert.Equal("approved", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("decisions").ValueKind);
    }
}
