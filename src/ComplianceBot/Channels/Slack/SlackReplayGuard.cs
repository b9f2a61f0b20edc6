using System.Security.Cryptography;
using System.Text;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Refuses what was already seen: an identical signed request within Slack's 5-minute window (digest of signature and
/// timestamp), and a view submission or button trigger already acted on. The unique key in the database decides, so
/// the answer is the same on every host. Its own scope, so a refused insert never lingers in a request's DbContext.
/// </summary>
public sealed class SlackReplayGuard(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Seen rows are kept a little longer than the signature tolerance, after which Slack's check refuses the request anyway.</summary>
    public static readonly TimeSpan Retention = SlackSignature.Tolerance * 2;

    public static string SignatureKey(string signature, string timestamp) => Digest($"signature:{timestamp}:{signature}");

    public static string ViewKey(string viewId, string? viewHash) => Digest($"view:{viewId}:{viewHash}");

    public static string TriggerKey(string triggerId) => Digest($"trigger:{triggerId}");

    /// <summary>True the first time <paramref name="key"/> is offered (on any host); false for a replay.</summary>
    public async Task<bool> FirstSeenAsync(string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        // Looked up first so an ordinary replay is not an insert failure (which EF logs as an error); the unique key
        // still decides when two copies race.
        if (await db.Set<SlackSeenRequest>().AnyAsync(r => r.Key == key, cancellationToken))
        {
            return false;
        }

        db.Add(new SlackSeenRequest { Key = key, SeenAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return false;
        }
    }

    /// <summary>Lets <paramref name="key"/> through once more (a submission that was refused with validation errors).</summary>
    public async Task ForgetAsync(string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Set<SlackSeenRequest>().Where(r => r.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> ForgetOldAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - Retention;
        return await db.Set<SlackSeenRequest>().Where(r => r.SeenAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
