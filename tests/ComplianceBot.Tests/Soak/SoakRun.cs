using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using ComplianceBot.Audit;
using ComplianceBot.Channels.Slack;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Outbox;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.ChangeApprovals;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Data;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComplianceBot.Tests.Soak;

/// <summary>
/// The kill -9 soak: several hosts as their own processes on one database and one evidence store, with a fake Slack
/// and Bot Connector on 127.0.0.1. Slack DMs, Teams messages, web-chat attestations and evidence uploads go round-robin
/// to the hosts (a request that fails is sent again to the next host, as Slack retries and as a person clicks again)
/// while every host sweeps reminders; hosts are SIGKILLed mid-load and restarted. Then it checks that every
/// acknowledged event was answered once, every attestation and upload recorded once (the file readable with its hash),
/// every keyed message and reminder sent once, and that the audit chain verifies.
/// </summary>
public static class SoakRun
{
    private const string SigningSecret = "soak-signing-secret-5c1d0e7f9a2b";
    private const string AdminKey = "soak-admin-key-0123456789-abcdefghij";
    private const string CallbackSecret = "soak-callback-secret-0123456789abcdef";
    private const int MaxAttempts = 60;

    public static async Task<SoakReport> RunAsync(SoakOptions options, CancellationToken cancellationToken)
    {
        var log = options.Log;
        await using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("soak");
        http.Timeout = TimeSpan.FromSeconds(60);
        using var database = TestDatabase.Create(options.Database);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "compliancebot-soak", Guid.NewGuid().ToString("N"));
        await using var slack = new FakeSlack();
        await using var teams = await SoakTeamsConnector.StartAsync();
        await using var pipeline = await CallbackSink.StartAsync();
        var azurite = options.Azurite ? await Fakes.Azurite.GetAsync() : null;
        var container = "soak" + Guid.NewGuid().ToString("N")[..16];
        var settings = HostSettings(options, database, dataDirectory, slack, teams, azurite, container);
        var hosts = Enumerable.Range(1, options.Hosts).Select(i => new SoakHost($"host{i}", options.HostDll, settings)).ToList();
        try
        {
            var started = Stopwatch.StartNew();
            // The first host migrates and seeds the demo program alone; the others then start side by side.
            await hosts[0].StartAsync(http, cancellationToken);
            await Task.WhenAll(hosts.Skip(1).Select(h => h.StartAsync(http, cancellationToken)));
            log($"{hosts.Count} hosts ready after {started.Elapsed.TotalSeconds:F0} s ({options.Database}, evidence in {(azurite is null ? "files" : "Azurite")})");

            var plan = await PlanAsync(options, database, dataDirectory, slack, teams);
            var load = new Load(plan, hosts, http, teams, pipeline.Url);
            // One kill and restart at a time per host (the chaos and the aimed kill may pick the same one).
            var killing = hosts.ToDictionary(h => h, _ => new SemaphoreSlim(1));
            var aimed = AimAtTeamsSend(options, hosts, http, teams, load, killing, log, cancellationToken);
            var timer = Stopwatch.StartNew();
            var chaos = ChaosAsync(options, hosts, http, load, killing, log, cancellationToken);
            await load.RunAsync(options.Concurrency, cancellationToken);
            var loadTime = timer.Elapsed;
            var kills = await chaos;
            teams.CardPosted = null;
            var aimedKill = await aimed();
            log($"load done in {loadTime.TotalSeconds:F0} s; settling");
            var settled = await SettleAsync(options, database, dataDirectory, cancellationToken);
            var settleTime = timer.Elapsed - loadTime;
            var report = await CheckAsync(options, plan, load, database, dataDirectory, slack, teams, pipeline, azurite, container, hosts, http, cancellationToken);
            var lines = new List<string>
            {
                $"hosts {options.Hosts} ({options.Database}, evidence in {(azurite is null ? "files" : "Azurite blob")}), SIGKILLs {kills + (aimedKill is null ? 0 : 1)} (restarts {hosts.Sum(h => h.Starts) - hosts.Count})",
                $"aimed SIGKILL mid Teams send: {aimedKill ?? (options.KillMidTeamsSend ? "none (no host was posting a change card after half the load)" : "off")}",
                $"load {loadTime.TotalSeconds:F1} s, {load.Steps} requests acknowledged, {load.Steps / loadTime.TotalSeconds:F1}/s, {load.Retries} re-sent after a failed request; settled {(settled ? "" : "NOT ")}in {settleTime.TotalSeconds:F1} s",
            };
            lines.AddRange(report.Lines);
            return report with { Lines = lines, Problems = settled ? report.Problems : [.. report.Problems, "The hosts did not finish sending within the settle timeout."] };
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }

    private static Dictionary<string, string> HostSettings(SoakOptions options, TestDatabase database, string dataDirectory, FakeSlack slack,
        SoakTeamsConnector teams, Fakes.Azurite? azurite, string container)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = dataDirectory,
            ["Admin:ApiKey"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Ask:DenseRetrieval"] = "false", // MiniLM would add seconds of CPU to every (re)start; the soak is not about answers
            ["Ask:WatchKnowledge"] = "false",
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:BotToken"] = FakeSlack.BotToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Slack:AppToken"] = "",
            ["Teams:ServiceUrl"] = teams.ServiceUrl,
            // Short leases and delays: a killed host's claims run out within the run instead of after five minutes.
            ["Slack:InboxLease"] = "00:00:10",
            ["Outbox:Lease"] = "00:00:10",
            ["Outbox:PollInterval"] = "00:00:01",
            ["Outbox:RetryDelay"] = "00:00:02",
            ["Outbox:MaxRetryDelay"] = "00:00:05",
            ["Reminders:SweepInterval"] = "00:00:02",
            ["Changes:Callbacks:Secret"] = CallbackSecret,
            ["Changes:Callbacks:AllowedHosts:0"] = "127.0.0.1", // the fake pipeline; callbacks go to public addresses only otherwise
        };
        database.Apply(settings);
        if (azurite is not null)
        {
            settings["Evidence:Store"] = "AzureBlob";
            settings["Evidence:Blob:ConnectionString"] = azurite.ConnectionString;
            settings["Evidence:Blob:Container"] = container;
        }

        return settings.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!);
    }

    /// <summary>Who sends what: every person is a Slack and a Teams user; tasks open today are attested or get a file.</summary>
    private static async Task<SoakPlan> PlanAsync(SoakOptions options, TestDatabase database, string dataDirectory, FakeSlack slack, SoakTeamsConnector teams)
    {
        await using var db = Context(database, dataDirectory);
        var people = await db.People.AsNoTracking().OrderBy(p => p.Id).Select(p => new { p.Id, p.Email, p.Name }).ToListAsync();
        for (var i = 0; i < people.Count; i++)
        {
            slack.Users[$"USOAK{i:D3}"] = (people[i].Email, people[i].Name);
            teams.Members[$"29:soak-{i}"] = people[i].Email;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // Only occurrences whose attestation window is open today (the hosts run on the default windows) and that no flow evidences.
        var windows = new AttestationWindowOptions();
        var open = (await db.ControlTasks.AsNoTracking().Include(t => t.Control).Include(t => t.Assignee)
            .Where(t => t.Status == ControlTaskStatus.Open && t.PeriodStart <= today && t.Control!.EvidencedBy == null)
            .OrderBy(t => t.Id).ToListAsync())
            .Where(t => windows.OpensOn(t, t.Control!) <= today).Select(t => new { t.Id, t.Assignee!.Email }).ToList();
        var owners = open.Select(t => t.Email).Distinct().ToList();
        // Attesting and uploading people are kept apart: an attestation closes the task an upload might have chosen.
        var attesters = owners.Where((_, i) => i % 2 == 0).ToHashSet();
        var uploaders = owners.Where((_, i) => i % 2 == 1).ToList();
        var attest = open.Where(t => attesters.Contains(t.Email)).Take(options.Attestations).Select(t => (t.Id, t.Email)).ToList();
        var uploads = uploaders.Count == 0 ? [] : Enumerable.Range(0, options.Uploads).Select(i => (Index: i, Email: uploaders[i % uploaders.Count])).ToList();
        var approver = people.FindIndex(p => p.Email == ChangeClient.Daniel);
        return new SoakPlan(people.Count, options.SlackEvents, options.TeamsMessages, attest, uploads, options.Changes, approver);
    }

    /// <summary>Whether Teams renders this reply with no Action.Execute, the only place a card carries its delivery key.</summary>
    internal static bool CarriesNoKey(Reply reply) =>
        reply.Actions.Count == 0 && reply.Refresh is null && reply.Form is null && reply.Items.All(i => i.Actions.Count == 0);

    /// <summary>
    /// Arms the Bot Connector: the first change card posted after half the load kills the host posting it, after the
    /// connector recorded the card and before it answers. Returns a wait for that host's restart and what happened.
    /// </summary>
    private static Func<Task<string?>> AimAtTeamsSend(SoakOptions options, List<SoakHost> hosts, HttpClient http, SoakTeamsConnector teams, Load load,
        Dictionary<SoakHost, SemaphoreSlim> killing, Action<string> log, CancellationToken cancellationToken)
    {
        Task<string?> restart = Task.FromResult<string?>(null);
        var done = 0;
        if (options.KillMidTeamsSend)
        {
            teams.CardPosted = (card, port) =>
            {
                if (!card.DeliveryKey!.StartsWith("change:", StringComparison.Ordinal) || load.Done < load.Total / 2 || Volatile.Read(ref done) == 1
                    || LoopbackSockets.InodeOf(port, teams.Port) is not { } inode || hosts.FirstOrDefault(h => h.IsUp && h.HoldsSocket(inode)) is not { } victim
                    // Never the last host serving: the load would stall until a restart on a loaded machine.
                    || !hosts.Any(h => h != victim && h.IsUp) || !killing[victim].Wait(0))
                {
                    return Task.CompletedTask;
                }

                if (Interlocked.Exchange(ref done, 1) == 1)
                {
                    killing[victim].Release();
                    return Task.CompletedTask;
                }

                var what = $"{victim.Name} while it posted {card.DeliveryKey} (the connector has the card, the host never got the answer) at {load.Done}/{load.Total}";
                log("SIGKILL " + what);
                victim.Kill();
                restart = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        await victim.StartAsync(http, cancellationToken);
                        log($"{victim.Name} restarted and ready at {load.Done}/{load.Total}");
                        return (string?)what;
                    }
                    finally
                    {
                        killing[victim].Release();
                    }
                }, cancellationToken);
                return Task.CompletedTask;
            };
        }

        return () => restart;
    }

    /// <summary>Kills host after host (round-robin) when the load is 1/(k+1), 2/(k+1)… done, and restarts it; the rest keep serving.</summary>
    private static async Task<int> ChaosAsync(SoakOptions options, List<SoakHost> hosts, HttpClient http, Load load, Dictionary<SoakHost, SemaphoreSlim> killing, Action<string> log, CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var k = 0; k < options.Kills; k++)
        {
            var threshold = load.Total * (k + 1) / (options.Kills + 1);
            while (load.Done < threshold && !load.Finished)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }

            var victim = hosts[k % hosts.Count];
            await killing[victim].WaitAsync(cancellationToken);
            try
            {
                log($"SIGKILL {victim.Name} at {load.Done}/{load.Total} requests done{(load.Finished ? " (after the load: mid-delivery)" : "")}");
                victim.Kill();
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                await victim.StartAsync(http, cancellationToken);
                log($"{victim.Name} restarted and ready at {load.Done}/{load.Total}");
            }
            finally
            {
                killing[victim].Release();
            }
        }

        return options.Kills;
    }

    /// <summary>Waits until nothing due is left to send and every stored Slack event is processed.</summary>
    private static async Task<bool> SettleAsync(SoakOptions options, TestDatabase database, string dataDirectory, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var quiet = 0;
        while (deadline.Elapsed < options.SettleTimeout)
        {
            await using var db = Context(database, dataDirectory);
            var now = DateTimeOffset.UtcNow;
            var busy = await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending && m.DueAt <= now, cancellationToken)
                + await db.Set<SlackInboxEvent>().CountAsync(e => e.ProcessedAt == null, cancellationToken)
                + await db.Reminders.CountAsync(r => r.Status == ReminderStatus.Pending && r.DueAt <= now, cancellationToken);
            // Three quiet looks in a row: a sweep may plan the next rung right after the last one was sent.
            quiet = busy == 0 ? quiet + 1 : 0;
            if (quiet == 3)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return false;
    }

    private static async Task<SoakReport> CheckAsync(SoakOptions options, SoakPlan plan, Load load, TestDatabase database, string dataDirectory, FakeSlack slack,
        SoakTeamsConnector teams, CallbackSink pipeline, Fakes.Azurite? azurite, string container, List<SoakHost> hosts, HttpClient http, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var problems = new List<string>();
        await using var db = Context(database, dataDirectory);

        // Every keyed Slack post at most once, whatever sent it (event replies, reminders, notices).
        var posts = slack.CallsTo("chat.postMessage");
        var keyed = posts.Select(p => p.Args["metadata"]?["event_payload"]?["key"]?.GetValue<string>()).OfType<string>()
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        problems.AddRange(keyed.Where(k => k.Value > 1).Select(k => $"Slack message {k.Key} was posted {k.Value} times."));

        // Slack events: acknowledged (after retries) → stored once, processed, answered once.
        var inbox = await db.Set<SlackInboxEvent>().AsNoTracking().Where(e => e.TeamId == FakeSlack.TeamId)
            .Select(e => new { e.EventId, e.ProcessedAt }).ToListAsync(cancellationToken);
        var stored = inbox.GroupBy(e => e.EventId).ToDictionary(g => g.Key, g => g.Count());
        var answeredOnce = 0;
        foreach (var id in load.SlackAcked)
        {
            var answers = keyed.GetValueOrDefault($"slack:{FakeSlack.TeamId}:{id}");
            answeredOnce += answers == 1 ? 1 : 0;
            if (answers == 0)
            {
                problems.Add($"Slack event {id} was acknowledged but never answered.");
            }

            if (stored.GetValueOrDefault(id) != 1)
            {
                problems.Add($"Slack event {id} is stored {stored.GetValueOrDefault(id)} times.");
            }
        }

        problems.AddRange(inbox.Where(e => e.ProcessedAt is null).Select(e => $"Slack event {e.EventId} was never processed."));
        lines.Add($"slack events: sent {plan.SlackEvents}, acknowledged {load.SlackAcked.Count}, answered exactly once {answeredOnce}, " +
            $"lost {load.SlackAcked.Count(id => !keyed.ContainsKey($"slack:{FakeSlack.TeamId}:{id}"))}, duplicated {load.SlackAcked.Count(id => keyed.GetValueOrDefault($"slack:{FakeSlack.TeamId}:{id}") > 1)}, retried deliveries {load.SlackRetries}");

        // Teams: an acknowledged activity has exactly one reply; one whose request failed has at most one.
        var teamsOnce = load.TeamsAcked.Count(id => teams.RepliesTo.GetValueOrDefault(id) == 1);
        foreach (var id in load.TeamsAcked.Where(id => teams.RepliesTo.GetValueOrDefault(id) != 1))
        {
            problems.Add($"Teams activity {id} was acknowledged and got {teams.RepliesTo.GetValueOrDefault(id)} replies.");
        }

        foreach (var id in load.TeamsFailed.Where(id => teams.RepliesTo.GetValueOrDefault(id) > 1))
        {
            problems.Add($"Teams activity {id} (its request failed) got {teams.RepliesTo[id]} replies.");
        }

        lines.Add($"teams activities: acknowledged {load.TeamsAcked.Count}, answered exactly once {teamsOnce}; failed mid-request (sent again as new) {load.TeamsFailed.Count}, " +
            $"of which answered anyway {load.TeamsFailed.Count(id => teams.RepliesTo.ContainsKey(id))}");

        // Attestations: one per task, never two.
        var attestations = await db.Attestations.AsNoTracking().GroupBy(a => a.TaskId).Select(g => new { TaskId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.TaskId, g => g.Count, cancellationToken);
        foreach (var (taskId, _) in plan.Attest.Where(t => attestations.GetValueOrDefault(t.TaskId) != 1))
        {
            problems.Add($"Task {taskId} has {attestations.GetValueOrDefault(taskId)} attestations (expected 1).");
        }

        lines.Add($"web attestations: planned {plan.Attest.Count}, recorded exactly once {plan.Attest.Count(t => attestations.GetValueOrDefault(t.TaskId) == 1)}");

        // Uploads: one evidence row per file, and the stored file reads back with its hash.
        IEvidenceStore store = azurite is null
            ? new FileEvidenceStore(Path.Combine(dataDirectory, "evidence"))
            : new BlobEvidenceStore(new BlobContainerClient(azurite.ConnectionString, container), new BlobEvidenceOptions { Container = container },
                new UploadStaging(Path.Combine(dataDirectory, "staging"), NullLogger<UploadStaging>.Instance), TimeProvider.System, NullLogger<BlobEvidenceStore>.Instance);
        var verified = 0;
        foreach (var (index, sha) in load.Uploaded.OrderBy(u => u.Key))
        {
            var rows = await db.EvidenceItems.CountAsync(e => e.Sha256 == sha, cancellationToken);
            if (rows != 1)
            {
                problems.Add($"Upload {index} ({sha[..12]}) has {rows} evidence rows (expected 1).");
                continue;
            }

            try
            {
                await using var read = await store.OpenReadAsync(sha, cancellationToken);
                var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken));
                verified += actual == sha ? 1 : 0;
                if (actual != sha)
                {
                    problems.Add($"Upload {index} reads back as {actual[..12]}, not {sha[..12]}.");
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or Azure.RequestFailedException or FileNotFoundException)
            {
                problems.Add($"Upload {index} ({sha[..12]}) cannot be read: {ex.Message}");
            }
        }

        problems.AddRange(plan.Uploads.Where(u => !load.Uploaded.ContainsKey(u.Index)).Select(u => $"Upload {u.Index} by {u.Email} never completed."));
        lines.Add($"evidence uploads: planned {plan.Uploads.Count}, stored once and read back with their SHA-256 {verified}");

        // Outbox: every row sent; keyed ones exactly once on Slack or in the web inbox; nothing left parked or in doubt.
        var rows2 = await db.Outbox.AsNoTracking().Select(m => new { m.Id, m.Key, m.Kind, m.Topic, m.Subject, m.Live, m.Status, m.SentChannel, m.AttemptChannel, m.ReplacesId }).ToListAsync(cancellationToken);
        var webKeys = await db.Set<WebMessage>().AsNoTracking().Where(m => m.DeliveryKey != null).GroupBy(m => m.DeliveryKey!).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        foreach (var row in rows2.Where(r => r.Status == OutboxStatus.Sent && r.Kind is OutboxKind.Person or OutboxKind.Conversation))
        {
            var copies = row.SentChannel switch
            {
                ChannelKind.Slack => keyed.GetValueOrDefault(row.Key),
                ChannelKind.Web => webKeys.GetValueOrDefault(row.Key),
                // Teams cards carry their key in their actions' data; a card without actions carries none to count by.
                _ => teams.CopiesOf(row.Key).Count is var seen && (seen > 0 || row.Topic == ChangeApprovalService.CardTopic) ? seen : 1,
            };
            if (copies != 1)
            {
                problems.Add($"Outbox {row.Topic} {row.Key} is Sent on {row.SentChannel} and arrived {copies} times.");
            }
        }

        // Teams in doubt: a host died between the Bot Connector's answer and its save, and the connector cannot be asked.
        // The product must say so (Unconfirmed, alerted) rather than guess; it is lost or doubled only if the connector
        // took no copy or two of it.
        var sentKeys = rows2.Where(r => r.Status == OutboxStatus.Sent).Select(r => r.Key).ToHashSet();
        var inDoubt = rows2.Where(r => r.Status == OutboxStatus.Unconfirmed && r.AttemptChannel == ChannelKind.Teams).ToList();
        var inDoubtArrivedOnce = inDoubt.Where(r => teams.CopiesOf(r.Key).Count == 1 && sentKeys.Contains(r.Key + ":alert")).ToList();
        // A card with no Action.Execute (a notice: no buttons, no refresh) carries no key, so the connector cannot count its
        // copies, as for the Sent rows above. For those the check is what the product can do: Unconfirmed and alerted.
        var inDoubtIds = inDoubt.Select(r => r.Id).ToList();
        var keyless = (await db.Outbox.AsNoTracking().Where(m => inDoubtIds.Contains(m.Id)).ToListAsync(cancellationToken))
            .Where(m => m.Replies.All(CarriesNoKey)).Select(m => m.Id).ToHashSet();
        var inDoubtUncountable = inDoubt.Where(r => keyless.Contains(r.Id) && teams.CopiesOf(r.Key).Count == 0 && sentKeys.Contains(r.Key + ":alert")).ToList();
        problems.AddRange(inDoubt.Except(inDoubtArrivedOnce).Except(inDoubtUncountable).Select(r =>
            $"Outbox {r.Topic} {r.Key} ended Unconfirmed on Teams and the Bot Connector took {teams.CopiesOf(r.Key).Count} copies (alert {(sentKeys.Contains(r.Key + ":alert") ? "sent" : "NOT sent")})."));
        problems.AddRange(rows2.Where(r => r.Status is OutboxStatus.Parked or OutboxStatus.Unconfirmed && !inDoubt.Contains(r)).Select(r => $"Outbox {r.Topic} {r.Key} ended {r.Status}."));
        var settledByClick = await db.AuditEvents.AsNoTracking().CountAsync(e => e.Action.EndsWith(".sent") && e.Data.Contains("recipient acted on it"), cancellationToken);
        var reminders = await db.Reminders.AsNoTracking().Select(r => new { r.Status, r.DeliveryKey }).ToListAsync(cancellationToken);
        var reminderRows = rows2.Where(r => r.Topic == Reminder.OutboxTopic).ToList();
        lines.Add($"reminders: rungs sent {reminders.Count(r => r.Status == ReminderStatus.Sent)}, their messages delivered {reminderRows.Count(r => r.Status == OutboxStatus.Sent)} " +
            $"(slack {reminderRows.Count(r => r.SentChannel == ChannelKind.Slack)}, web {reminderRows.Count(r => r.SentChannel == ChannelKind.Web)}, teams {reminderRows.Count(r => r.SentChannel == ChannelKind.Teams)}), " +
            $"posted twice {reminderRows.Count(r => keyed.GetValueOrDefault(r.Key) > 1)}");
        lines.Add($"outbox: {rows2.Count} rows, sent {rows2.Count(r => r.Status == OutboxStatus.Sent)}, pending {rows2.Count(r => r.Status == OutboxStatus.Pending)}, " +
            $"parked {rows2.Count(r => r.Status == OutboxStatus.Parked)}, unconfirmed {rows2.Count(r => r.Status == OutboxStatus.Unconfirmed)}; Slack posts {posts.Count} ({keyed.Count} distinct keys), " +
            $"keyed posts sent twice {keyed.Count(k => k.Value > 1)}");
        lines.Add($"teams sends in doubt after a kill: {inDoubt.Count + settledByClick} (settled by the recipient's click {settledByClick}; left unconfirmed and alerted {inDoubt.Count}, " +
            $"of which the Bot Connector took exactly one copy {inDoubtArrivedOnce.Count}, notices without a key to count by {inDoubtUncountable.Count}); teams cards posted twice {teams.Posted.Where(p => p.DeliveryKey is not null).GroupBy(p => p.DeliveryKey).Count(g => g.Count() > 1)}");

        // Change callbacks are at-least-once by design (README "The outbox"): a repeat must carry the same delivery id.
        var callbacks = pipeline.Raw.Select(r => (Change: JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetInt32(),
            Status: JsonDocument.Parse(r.Body).RootElement.GetProperty("status").GetString(), Delivery: r.Headers.GetValueOrDefault(ChangeCallbackSender.DeliveryHeader))).ToList();
        var changeIds = load.Changes.Keys.ToList();
        var statuses = await db.ChangeRequests.AsNoTracking().Where(c => changeIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Status, cancellationToken);
        var decisions = await db.Set<ChangeDecision>().AsNoTracking().Where(d => changeIds.Contains(d.ChangeId)).Select(d => new { d.ChangeId, d.Decision, d.Channel })
            .ToListAsync(cancellationToken);
        var deliveredOnce = 0;
        var decidedOnce = 0;
        foreach (var (id, planned) in load.Changes)
        {
            var received = callbacks.Where(c => c.Change == id).ToList();
            var expected = planned == ChangeDecisionKind.Approve ? ChangeStatus.Approved : ChangeStatus.Rejected;
            var recorded = decisions.Where(d => d.ChangeId == id).ToList();
            if (recorded.Count != 1 || recorded[0].Decision != planned)
            {
                problems.Add($"Change {id} was to be {expected} once, but has {recorded.Count} decisions ({string.Join(", ", recorded.Select(d => $"{d.Decision} in {d.Channel}"))}).");
            }
            else
            {
                decidedOnce++;
            }

            if (statuses.GetValueOrDefault(id) != expected)
            {
                problems.Add($"Change {id} was {expected} in the chat but is {statuses.GetValueOrDefault(id)}.");
            }
            else if (received.Count == 0)
            {
                problems.Add($"Change {id} is {expected} but its callback never arrived.");
            }
            else if (received.Select(c => c.Delivery).Distinct().Count() > 1 || received.Any(c => c.Delivery is null || c.Status != ChangeCards.StatusText(expected)))
            {
                problems.Add($"Change {id}'s callback arrived as {received.Select(c => c.Delivery).Distinct().Count()} different deliveries ({string.Join(", ", received.Select(c => c.Status))}).");
            }
            else
            {
                deliveredOnce++;
            }
        }

        // A submission orphaned by a failed request was never decided: a callback for it would be a decision nobody made.
        problems.AddRange(callbacks.Where(c => !changeIds.Contains(c.Change)).Select(c => $"A callback says change {c.Change} is {c.Status}, but nobody decided it."));
        lines.Add($"change approvals: submitted and acknowledged {changeIds.Count} (re-submitted after a failed request {load.ChangeResubmits}), decided once as planned {decidedOnce} " +
            $"(approved {statuses.Count(s => s.Value == ChangeStatus.Approved)}, rejected {statuses.Count(s => s.Value == ChangeStatus.Rejected)}; by a click on the Teams card {load.DecidedInTeams.Count}), " +
            $"callback delivered as one delivery {deliveredOnce}, repeated with the same delivery id {callbacks.Count(c => changeIds.Contains(c.Change)) - callbacks.Where(c => changeIds.Contains(c.Change)).Select(c => c.Change).Distinct().Count()}");

        // Card updates: one PUT per message and decision. A clicked card is replaced by each click's own answer (Reject
        // shows the comment form, then the decision; a click re-sent after a failed request may answer again), never more.
        var cardRows = rows2.Where(r => r.Subject.StartsWith("change:", StringComparison.Ordinal) && r.Kind == OutboxKind.Person).ToDictionary(r => r.Key);
        var changeCards = teams.Posted.Where(p => p.DeliveryKey is { } key && cardRows.ContainsKey(key)).ToList();
        var putsOk = 0;
        foreach (var card in changeCards)
        {
            var row = cardRows[card.DeliveryKey!];
            var puts = teams.Puts.GetValueOrDefault(card.ActivityId);
            var clicks = load.Clicks.GetValueOrDefault(card.ActivityId);
            var decided = int.TryParse(row.Subject["change:".Length..], CultureInfo.InvariantCulture, out var changeId) && statuses.GetValueOrDefault(changeId) is ChangeStatus.Approved or ChangeStatus.Rejected;
            // Not clicked: a live card the host knows it sent gets the decision once; anything else is never updated twice.
            var ok = clicks > 0 ? puts >= 1 && puts <= clicks
                : decided && row.Live && row.Status == OutboxStatus.Sent ? puts == 1
                : puts <= 1;
            putsOk += ok ? 1 : 0;
            if (!ok)
            {
                var updates = rows2.Where(u => u.ReplacesId == row.Id).Select(u => u.Status.ToString()).ToList();
                problems.Add($"Teams card {row.Key} (message {card.ActivityId}, {row.Status}) got {puts} PUTs for {clicks} clicks{(decided ? " after its change was decided" : "")}; " +
                    $"outbox updates of it: {updates.Count} ({string.Join(", ", updates)}).");
            }
        }

        problems.AddRange(load.CardsNotSeen.Select(id => $"Change {id}'s approval card never reached the approver in Teams."));
        lines.Add($"teams card actions: cards of changes posted {changeCards.Count}, clicked {load.Clicks.Count} (invokes {load.Clicks.Values.Sum()}, re-sent after a failed request {load.ClickRetries}), " +
            $"updated with one PUT per message and decision {putsOk}");

        // The audit chain, as an auditor checks it.
        var up = hosts.First(h => h.IsUp);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(up.BaseAddress, "/api/admin/audit/verify"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.SendAsync(request, cancellationToken);
        var verify = await response.Content.ReadFromJsonAsync<AuditVerifyResponse>(cancellationToken);
        lines.Add($"audit chain: {(verify?.Ok == true ? "verifies" : "BROKEN")}, {verify?.Count} events");
        if (verify?.Ok != true)
        {
            problems.Add($"The audit chain does not verify: {string.Join("; ", verify?.Problems ?? ["no answer"])}");
        }

        return new SoakReport(lines, problems, [.. hosts.SelectMany(h => h.Errors)]);
    }

    private static ComplianceDbContext Context(TestDatabase database, string dataDirectory) => database.Provider switch
    {
        DatabaseProvider.Postgres => new PostgresComplianceDbContext(new DbContextOptionsBuilder<PostgresComplianceDbContext>().UseNpgsql(database.ConnectionString).Options),
        _ => new SqliteComplianceDbContext(new DbContextOptionsBuilder<SqliteComplianceDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "compliancebot.db")}").Options),
    };

    /// <summary>The requests of one run and what came of them.</summary>
    private sealed class Load(SoakPlan plan, List<SoakHost> hosts, HttpClient http, SoakTeamsConnector teams, string callbackUrl)
    {
        private int _next;
        private int _done;
        private int _retries;
        private int _slackRetries;
        private int _changeResubmits;

        public int Total { get; } = plan.SlackEvents + plan.TeamsMessages + plan.Attest.Count * 2 + plan.Uploads.Count * 2 + plan.Changes * 2;
        public int Done => Volatile.Read(ref _done);
        public int Steps => Done;
        public int Retries => _retries;
        public int SlackRetries => _slackRetries;
        public int ChangeResubmits => _changeResubmits;
        public bool Finished { get; private set; }
        public ConcurrentBag<string> SlackAcked { get; } = [];
        public ConcurrentBag<string> TeamsAcked { get; } = [];
        public ConcurrentBag<string> TeamsFailed { get; } = [];
        public ConcurrentDictionary<int, string> Uploaded { get; } = new();

        /// <summary>Changes whose submission was acknowledged (201 with the id), and the decision planned for each.</summary>
        public ConcurrentDictionary<int, ChangeDecisionKind> Changes { get; } = new();

        /// <summary>Changes decided by clicking their card in Teams (the rest in the web chat).</summary>
        public ConcurrentDictionary<int, string> DecidedInTeams { get; } = new();

        /// <summary>Card actions (invokes) sent per Teams message, re-sent ones after a failed request included.</summary>
        public ConcurrentDictionary<string, int> Clicks { get; } = new();

        /// <summary>Changes whose card never reached the approver in Teams within the wait (decided in the web chat instead).</summary>
        public ConcurrentBag<int> CardsNotSeen { get; } = [];

        public int ClickRetries => _clickRetries;

        private int _clickRetries;
        private int _changes;

        public async Task RunAsync(int concurrency, CancellationToken cancellationToken)
        {
            // One lane per person for stateful flows (a form answers that person's last question); events each their own.
            var lanes = new List<Func<Task>>();
            lanes.AddRange(Enumerable.Range(0, plan.SlackEvents).Select(i => (Func<Task>)(() => SlackEventAsync(i, cancellationToken))));
            lanes.AddRange(Enumerable.Range(0, plan.TeamsMessages).Select(i => (Func<Task>)(() => TeamsMessageAsync(i, cancellationToken))));
            lanes.AddRange(plan.Attest.GroupBy(t => t.Email).Select(g => (Func<Task>)(async () =>
            {
                foreach (var (taskId, email) in g)
                {
                    await AttestAsync(taskId, email, cancellationToken);
                }
            })));
            lanes.AddRange(plan.Uploads.GroupBy(u => u.Email).Select(g => (Func<Task>)(async () =>
            {
                foreach (var (index, email) in g)
                {
                    await UploadAsync(index, email, cancellationToken);
                }
            })));
            lanes.AddRange(Enumerable.Range(0, plan.Changes).Select(_ => (Func<Task>)(() => ChangeAsync(cancellationToken))));
            // The approver opens the bot in Teams first, so their approval cards go there (their preferred channel).
            await LinkApproverAsync(cancellationToken);
            // Interleaved so that every kind is in flight when a host dies.
            var ordered = lanes.Select((lane, i) => (lane, key: (i * 7919L) % lanes.Count)).OrderBy(l => l.key).Select(l => l.lane).ToList();
            try
            {
                await Parallel.ForEachAsync(ordered, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (lane, _) => await lane());
            }
            finally
            {
                Finished = true;
            }
        }

        private async Task SlackEventAsync(int i, CancellationToken cancellationToken)
        {
            var user = $"USOAK{i % plan.People:D3}";
            var id = $"EvSoak{i:D6}";
            var ts = $"1796392800.{i:D6}";
            var body = SlackBot.EventCallback(id, SlackBot.DirectMessage(user, "D" + user, i % 2 == 0 ? "help" : "my tasks", ts));
            var attempt = 0;
            var response = await SendAsync(host =>
            {
                var request = Signed(new Uri(host.BaseAddress, "/slack/events"), body);
                if (attempt++ > 0)
                {
                    // Slack's own redelivery of an event it saw no 200 for.
                    request.Headers.Add("X-Slack-Retry-Num", attempt.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add("X-Slack-Retry-Reason", "http_error");
                    Interlocked.Increment(ref _slackRetries);
                }

                return request;
            }, cancellationToken);
            if (response is { StatusCode: HttpStatusCode.OK })
            {
                SlackAcked.Add(id);
            }
        }

        private async Task TeamsMessageAsync(int i, CancellationToken cancellationToken)
        {
            var member = i % plan.People;
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                // A Teams message whose POST failed is not redelivered with the same id: the person sends it again.
                var activity = TeamsActivities.Message(teams.ServiceUrl, i % 2 == 0 ? "help" : "my tasks", $"29:soak-{member}", $"aad-soak-{member}");
                var id = activity["id"]!.GetValue<string>();
                var host = PickHost();
                try
                {
                    using var response = await http.PostAsync(new Uri(host.BaseAddress, "/api/messages"), new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        TeamsAcked.Add(id);
                        Interlocked.Increment(ref _done);
                        return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // The host died under the request.
                }

                TeamsFailed.Add(id);
                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }

        private async Task AttestAsync(int taskId, string email, CancellationToken cancellationToken)
        {
            var start = await ChatAsync(new { user = email, action = new { id = "attest.start", data = new Dictionary<string, string> { ["task"] = taskId.ToString(CultureInfo.InvariantCulture) } } }, cancellationToken);
            if (FormOf(start) is not { } form)
            {
                return; // CheckAsync reports the missing attestation
            }

            await SubmitAsync(email, form, new Dictionary<string, string> { ["outcome"] = "Performed", ["notes"] = "soak" }, cancellationToken);
        }

        private async Task UploadAsync(int index, string email, CancellationToken cancellationToken)
        {
            var content = Encoding.ASCII.GetBytes($"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% soak upload {index} {Guid.NewGuid():N}\ntrailer << /Root 1 0 R >>\n%%EOF\n");
            var response = await SendAsync(host =>
            {
                var form = new MultipartFormDataContent { { new StringContent(email), "user" }, { new ByteArrayContent(content), "file", $"soak-{index}.pdf" } };
                return new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseAddress, "/api/chat/files")) { Content = form };
            }, cancellationToken);
            if (response is null || FormOf(await Replies(response, cancellationToken)) is not { } question)
            {
                return;
            }

            var choice = new Dictionary<string, string>();
            if (question.GetProperty("inputs").EnumerateArray().FirstOrDefault(i => i.GetProperty("id").GetString() == "task") is { ValueKind: JsonValueKind.Object } task
                && task.GetProperty("options").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } option)
            {
                choice["task"] = option.GetProperty("value").GetString()!;
            }

            if (await SubmitAsync(email, question, choice, cancellationToken))
            {
                Uploaded[index] = Convert.ToHexStringLower(SHA256.HashData(content));
            }
        }

        /// <summary>
        /// A pipeline submits a medium-risk change; the requester's manager decides it: round-robin, approved in the web
        /// chat, approved by clicking Approve on the card in Teams, or rejected there (Reject, then the comment form).
        /// </summary>
        private async Task ChangeAsync(CancellationToken cancellationToken)
        {
            var mode = Interlocked.Increment(ref _changes) % 3;
            // A submission whose request failed may have been stored: the pipeline submits again, and that orphan stays pending.
            var json = JsonSerializer.Serialize(ChangeClient.Change(ChangeClient.Grace, callbackUrl: callbackUrl));
            var attempts = 0;
            var submitted = await SendAsync(host =>
            {
                if (attempts++ > 0)
                {
                    Interlocked.Increment(ref _changeResubmits);
                }

                var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseAddress, "/api/changes")) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
                return request;
            }, cancellationToken);
            if (submitted is null)
            {
                return;
            }

            int id;
            using (submitted)
            {
                if (submitted.StatusCode != HttpStatusCode.Created)
                {
                    return;
                }

                id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt32();
            }

            var reject = mode == 2;
            Changes[id] = reject ? ChangeDecisionKind.Reject : ChangeDecisionKind.Approve;
            if (mode != 0)
            {
                if (await CardAsync(id, cancellationToken) is { } card)
                {
                    await DecideInTeamsAsync(id, card, reject, cancellationToken);
                    return;
                }

                CardsNotSeen.Add(id);
            }

            var data = new Dictionary<string, string> { ["change"] = id.ToString(CultureInfo.InvariantCulture) };
            if (reject)
            {
                data["comment"] = "soak: rejected in the web chat";
            }

            await ChatAsync(new { user = ChangeClient.Daniel, action = new { id = reject ? "changes.reject" : "changes.approve", data } }, cancellationToken);
        }

        /// <summary>The approval card as it reached the approver's Teams chat (a host may die before or while sending it).</summary>
        private async Task<PostedCard?> CardAsync(int id, CancellationToken cancellationToken)
        {
            var prefix = $"change:{id.ToString(CultureInfo.InvariantCulture)}:card:";
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(90))
            {
                if (teams.Posted.FirstOrDefault(p => p.DeliveryKey?.StartsWith(prefix, StringComparison.Ordinal) == true) is { } card)
                {
                    return card;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }

            return null;
        }

        /// <summary>Approve, or Reject and then the comment form that replaces the card: invokes as Teams sends them.</summary>
        private async Task DecideInTeamsAsync(int id, PostedCard card, bool reject, CancellationToken cancellationToken)
        {
            DecidedInTeams[id] = card.ActivityId;
            try
            {
                await ClickThroughAsync(id, card, reject, cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref _done); // the decision is this lane's second step, however many clicks it took
            }
        }

        private async Task ClickThroughAsync(int id, PostedCard card, bool reject, CancellationToken cancellationToken)
        {
            // Teams echoes the action's data as the card holds it, delivery key included.
            var data = new JsonObject { ["change"] = id.ToString(CultureInfo.InvariantCulture), [ComplianceBot.Channels.Teams.TeamsDeliveryKeys.DataKey] = card.DeliveryKey };
            if (!reject)
            {
                await ClickAsync(card, "changes.approve", data, cancellationToken);
                return;
            }

            var form = await ClickAsync(card, "changes.reject", data, cancellationToken);
            var submit = form?["value"]?.ToJsonString().Contains("Why are you rejecting it?", StringComparison.Ordinal) == true
                ? new JsonObject { ["change"] = id.ToString(CultureInfo.InvariantCulture), ["comment"] = "soak: rejected in Teams" }
                : null;
            if (submit is not null)
            {
                await ClickAsync(card, "changes.reject", submit, cancellationToken);
            }
        }

        /// <summary>One card action on the next host; a request that fails is clicked again (a new invoke) on the next one.</summary>
        private async Task<JsonNode?> ClickAsync(PostedCard card, string verb, JsonObject data, CancellationToken cancellationToken)
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var invoke = TeamsActivities.CardAction(teams.ServiceUrl, verb, data.DeepClone().AsObject(), ApproverMri, ApproverAad, card.ActivityId, conversationId: card.ConversationId);
                Clicks.AddOrUpdate(card.ActivityId, 1, (_, n) => n + 1);
                try
                {
                    using var response = await http.PostAsync(new Uri(PickHost().BaseAddress, "/api/messages"), new StringContent(invoke.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // The host died under the click.
                }

                Interlocked.Increment(ref _clickRetries);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            return null;
        }

        private string ApproverMri => $"29:soak-{plan.Approver}";

        private string ApproverAad => $"aad-soak-{plan.Approver}";

        private async Task LinkApproverAsync(CancellationToken cancellationToken)
        {
            var hello = TeamsActivities.Message(teams.ServiceUrl, "hi", ApproverMri, ApproverAad);
            using var response = await http.PostAsync(new Uri(PickHost().BaseAddress, "/api/messages"), new StringContent(hello.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        private async Task<bool> SubmitAsync(string email, JsonElement form, Dictionary<string, string> inputs, CancellationToken cancellationToken)
        {
            var submit = form.GetProperty("submit");
            var data = submit.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            foreach (var input in form.GetProperty("inputs").EnumerateArray())
            {
                if (input.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    data[input.GetProperty("id").GetString()!] = value.GetString()!;
                }
            }

            foreach (var (key, value) in inputs)
            {
                data[key] = value;
            }

            return await ChatAsync(new { user = email, action = new { id = submit.GetProperty("id").GetString(), data } }, cancellationToken) is not null;
        }

        private async Task<JsonElement?> ChatAsync(object body, CancellationToken cancellationToken)
        {
            var json = JsonSerializer.Serialize(body);
            var response = await SendAsync(host => new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseAddress, "/api/chat")) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, cancellationToken);
            return response is null ? null : await Replies(response, cancellationToken);
        }

        private static async Task<JsonElement> Replies(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            using (response)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("replies").Clone();
            }
        }

        private static JsonElement? FormOf(JsonElement? replies) =>
            replies?.EnumerateArray().Select(r => r.TryGetProperty("form", out var f) && f.ValueKind == JsonValueKind.Object ? f : (JsonElement?)null).FirstOrDefault(f => f is not null);

        /// <summary>Sends to the next host round-robin; a failed request (host died, 5xx) goes again to the next one.</summary>
        private async Task<HttpResponseMessage?> SendAsync(Func<SoakHost, HttpRequestMessage> build, CancellationToken cancellationToken)
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var host = PickHost();
                using var request = build(host);
                try
                {
                    var response = await http.SendAsync(request, cancellationToken);
                    if ((int)response.StatusCode < 500)
                    {
                        Interlocked.Increment(ref _done);
                        return response;
                    }

                    response.Dispose();
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // The host died under the request.
                }

                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            return null;
        }

        private SoakHost PickHost()
        {
            for (var i = 0; i < hosts.Count; i++)
            {
                var host = hosts[(int)((uint)Interlocked.Increment(ref _next) % hosts.Count)];
                if (host.IsUp)
                {
                    return host;
                }
            }

            return hosts[0];
        }

        private static HttpRequestMessage Signed(Uri endpoint, string body)
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
            var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
            request.Headers.Add("X-Slack-Signature", signature);
            return request;
        }
    }
}
