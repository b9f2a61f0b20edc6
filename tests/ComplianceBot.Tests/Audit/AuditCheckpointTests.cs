using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Audit;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Audit;

/// <summary>Truncation and rewrite-and-rehash of the audit trail are caught by the signed checkpoints of its head.</summary>
public sealed class AuditCheckpointTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task DeletingTheNewestEventsFailsVerification()
    {
        var admin = _app.CreateAdminClient();
        var checkpoint = await SignHeadAsync(admin);
        Assert.True((await VerifyAsync(admin)).GetProperty("ok").GetBoolean());

        await ExecuteAsync($"DELETE FROM AuditEvents WHERE Sequence > {checkpoint - 2}");

        var result = await VerifyAsync(admin);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(checkpoint - 1, result.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Contains(Problems(result), p => p.Contains("the newest events were deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeletingTheCheckpointsFromTheDatabaseTooIsCaughtByTheCheckpointFile()
    {
        var admin = _app.CreateAdminClient();
        var checkpoint = await SignHeadAsync(admin);

        await ExecuteAsync($"DELETE FROM AuditEvents WHERE Sequence > {checkpoint - 3}");
        await ExecuteAsync("DELETE FROM AuditCheckpoints");

        var result = await VerifyAsync(admin);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains(Problems(result), p => p.Contains("no longer in the database", StringComparison.Ordinal));
        Assert.Contains(Problems(result), p => p.Contains("the newest events were deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RewritingAnEventAndRehashingEveryLaterOneFailsVerification()
    {
        var admin = _app.CreateAdminClient();
        var checkpoint = await SignHeadAsync(admin);
        var victim = checkpoint - 4;

        // What an attacker with database access would do: change one event, then recompute every later hash and link.
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            var events = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= victim).OrderBy(e => e.Sequence).ToListAsync();
            var previous = events[0].PreviousHash;
            foreach (var e in events)
            {
                var actor = e.Sequence == victim ? "someone-else" : e.Actor;
                var hash = AuditEvent.ComputeHash(e.Sequence, e.Timestamp, actor, e.Action, e.Subject, e.Data, previous);
                await db.Database.ExecuteSqlAsync($"UPDATE AuditEvents SET Actor = {actor}, PreviousHash = {previous}, Hash = {hash} WHERE Sequence = {e.Sequence}");
                previous = hash;
            }
        }

        var result = await VerifyAsync(admin);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains(Problems(result), p => p.Contains("rewritten and re-hashed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACheckpointIsQueuedForTheComplianceChannelAndSignedWithThePublishedKey()
    {
        var admin = _app.CreateAdminClient();
        var sequence = await SignHeadAsync(admin);

        await using var scope = _app.Scope();
        var reminder = await BotApplication.Db(scope).Reminders.SingleAsync(r => r.Subject == $"audit-checkpoint:{sequence}");
        Assert.Equal(ReminderAudience.Channel, reminder.Audience);
        var message = await scope.ServiceProvider.GetServices<IReminderSubject>().Single(s => s.Handles(reminder.Subject)).ComposeAsync(reminder, CancellationToken.None);
        var head = await BotApplication.Db(scope).AuditEvents.OrderByDescending(e => e.Sequence).Select(e => e.Hash).FirstAsync();
        Assert.Contains(head, message!.Reply.Text);
        Assert.NotNull(message.ChannelName);

        var key = await _app.CreateClient().GetFromJsonAsync<JsonElement>("/api/audit/signing-key");
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit/checkpoints");
        Assert.Equal(key.GetProperty("keyId").GetString(), listed[listed.GetArrayLength() - 1].GetProperty("keyId").GetString());
        Assert.Contains("BEGIN PUBLIC KEY", key.GetProperty("publicKeyPem").GetString());
    }

    private static async Task<long> SignHeadAsync(HttpClient admin)
    {
        var response = await admin.PostAsync("/api/admin/audit/checkpoints", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequence").GetInt64();
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient admin) => await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit/verify");

    private static List<string> Problems(JsonElement result) => [.. result.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)];

    private async Task ExecuteAsync(string sql)
    {
        await using var scope = _app.Scope();
        await BotApplication.Db(scope).Database.ExecuteSqlRawAsync(sql);
    }
}
