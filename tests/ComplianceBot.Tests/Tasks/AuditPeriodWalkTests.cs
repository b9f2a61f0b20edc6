using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Attestations;
using ComplianceBot.Conversations;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using ComplianceBot.Tests.Knowledge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ComplianceBot.Tests.Tasks;

/// <summary>
/// A whole audit period (calendar 2026, tracking from Monday 16 Feb) walked week by week on a fake clock: every
/// occurrence appears as its period begins, unattested ones become Missed, a late attestation is kept as late, a
/// weekly control turns monthly, a control is renumbered and another retired, and the export's population says so.
/// </summary>
public sealed class AuditPeriodWalkTests : IDisposable
{
    private const string Rachel = "rachel.kim@acme.example";
    private const string Aisha = "aisha.khan@acme.example";
    private const string Dana = "dana.reyes@acme.example";
    private static readonly DateTimeOffset TrackingStart = new(2026, 2, 16, 14, 0, 0, TimeSpan.Zero);

    private readonly KnowledgeCopy _knowledge = new();
    private readonly FakeTimeProvider _clock = new(TrackingStart);
    private readonly BotApplication _app = new();

    public AuditPeriodWalkTests()
    {
        _knowledge.Replace("program/program.yaml", "tracking_start: 2026-11-27", "tracking_start: 2026-02-16");
        WriteControls(vulnerabilityFrequency: "weekly", renamed: false, oldControl: true);
        _app.Settings["Knowledge:Path"] = _knowledge.Root;
        _app.ConfigureTestServices = services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(_clock);
        };
    }

    public void Dispose()
    {
        _app.Dispose();
        _knowledge.Dispose();
    }

    [Fact]
    public async Task AWholeAuditPeriodYieldsEveryOccurrenceWithItsStatusAndTheExportListsThePopulation()
    {
        var admin = _app.CreateAdminClient();
        var sweep = _app.Services.GetRequiredService<ReminderSweep>();
        Assert.Empty(await OccurrencesAsync(o => o.PeriodEnd < new DateOnly(2026, 2, 16)));

        var skipped = new[] { new DateOnly(2026, 3, 16), new DateOnly(2026, 5, 4) };
        DateTimeOffset retiredAt = default;
        ControlTask? lateWeek = null;
        var weeksSeen = 0;
        for (var monday = TrackingStart; monday <= new DateTimeOffset(2027, 1, 25, 14, 0, 0, TimeSpan.Zero); monday = monday.AddDays(7))
        {
            _clock.SetUtcNow(monday);
            await sweep.RunOnceAsync(default);
            var today = DateOnly.FromDateTime(monday.UtcDateTime);

            // Week by week: until it turns monthly, the weekly control gains exactly this week's occurrence.
            var weekly = (await OccurrencesAsync(o => o.ControlId == "VUL-01")).Where(o => o.Period.Contains("-W", StringComparison.Ordinal)).ToList();
            if (today < new DateOnly(2026, 9, 2))
            {
                weeksSeen++;
                Assert.Equal(weeksSeen, weekly.Count);
                Assert.Equal(ReportingPeriod.Containing(Controls.ControlFrequency.Weekly, today).Label, weekly[^1].Period);
            }
            else
            {
                Assert.Equal(weeksSeen, weekly.Count);
            }

            // Rachel attests last week's scan on Monday (due Wednesday), except in two weeks; the first of those she attests a week late.
            var lastWeek = weekly.SingleOrDefault(o => o.PeriodEnd == today.AddDays(-1));
            if (lastWeek is { IsOpen: true } && !skipped.Contains(today))
            {
                Assert.IsType<AttestationResult.Recorded>(await AttestAsync(Rachel, lastWeek.Id));
            }

            if (today == skipped[0].AddDays(7))
            {
                lateWeek = weekly.Single(o => o.PeriodEnd == skipped[0].AddDays(-1));
                Assert.Equal(ControlTaskStatus.Missed, lateWeek.Status);
                Assert.IsType<AttestationResult.Recorded>(await AttestAsync(Rachel, lateWeek.Id));
            }

            // Aisha attests last month's change review in the first week of the month; June she forgets, August does not apply.
            if (today.Day <= 7 && today.Month != 7
                && (await OccurrencesAsync(o => o.ControlId == "CHG-01" && o.PeriodEnd == today.AddDays(-today.Day))).SingleOrDefault() is { IsOpen: true } lastMonth)
            {
                Assert.IsType<AttestationResult.Recorded>(await AttestAsync(Aisha, lastMonth.Id));
            }

            if (today == new DateOnly(2026, 6, 15))
            {
                await AnEarlyAttestationIsRefusedAndNothingIsRecordedAsync(today);
                await TheReviewControlIsRefusedOnThePlainFormAsync();
            }

            if (today == new DateOnly(2026, 8, 31))
            {
                await NotApplicableNeedsAComplianceAdminAsync(admin);
                await ChangeVulnerabilityScanningToMonthlyAsync(admin);
            }

            if (today == new DateOnly(2026, 10, 5))
            {
                await RenumberTheControlAsync(admin);
            }

            if (today == new DateOnly(2026, 11, 2))
            {
                retiredAt = await RetireTheControlAsync(admin);
            }
        }

        var june = (await OccurrencesAsync(o => o.ControlId == "CHG-01" && o.Period == "2026-06")).Single();
        Assert.Equal(ControlTaskStatus.Missed, june.Status);
        Assert.Equal(ControlTaskStatus.Missed, (await OccurrencesAsync(o => o.ControlId == "VUL-01" && o.PeriodEnd == skipped[1].AddDays(-1))).Single().Status);
        var late = (await OccurrencesAsync(o => o.Id == lateWeek!.Id)).Single();
        Assert.Equal(ControlTaskStatus.Completed, late.Status);
        Assert.Equal(skipped[0].AddDays(7).DayNumber - late.DueDate.DayNumber, late.DaysLate);
        Assert.All(await OccurrencesAsync(o => o.ControlId == "AC-01" && o.PeriodEnd.Year == 2026), o => Assert.Equal(ControlTaskStatus.Missed, o.Status));

        await using (var scope = _app.Scope())
        {
            // Reminders stop once an occurrence is retired: nothing about OLD-01 went out after its retirement.
            var db = BotApplication.Db(scope);
            var oldIds = await db.ControlTasks.Where(t => t.ControlId == "OLD-01").Select(t => t.Id).ToListAsync();
            var reminders = await db.Reminders.AsNoTracking().Where(r => r.TaskId != null && oldIds.Contains(r.TaskId.Value)).ToListAsync();
            Assert.Contains(reminders, r => r.Status == ReminderStatus.Cancelled);
            Assert.DoesNotContain(reminders, r => r.SentAt > retiredAt);
        }

        await TheExportHoldsThePopulationHistoryAndExceptionsAsync(admin);
    }

    private async Task AnEarlyAttestationIsRefusedAndNothingIsRecordedAsync(DateOnly today)
    {
        var current = (await OccurrencesAsync(o => o.ControlId == "CHG-01" && o.PeriodStart <= today && o.PeriodEnd >= today)).Single();
        var chat = new WebChatDriver(_app.CreateClient(), Aisha);

        var reply = (await chat.ClickAsync(AttestationFlow.StartAction, new Dictionary<string, string> { ["task"] = Id(current) }))[0];
        var submitted = (await chat.ClickAsync(AttestationFlow.SubmitAction, new Dictionary<string, string>
        {
            ["task"] = Id(current), ["outcome"] = "Performed", ["statement"] = "Done early", ["supersedes"] = "none",
        }))[0];

        Assert.Contains("opens for attestation on Tue 23 Jun 2026", reply.GetProperty("text").GetString());
        Assert.False(reply.TryGetProperty("form", out var form) && form.ValueKind == JsonValueKind.Object);
        Assert.Contains("opens for attestation", submitted.GetProperty("text").GetString());
        Assert.IsType<AttestationResult.Refused>(await AttestAsync(Aisha, current.Id));
        Assert.Equal(ControlTaskStatus.Open, (await OccurrencesAsync(o => o.Id == current.Id)).Single().Status);
        await using var scope = _app.Scope();
        Assert.False(await BotApplication.Db(scope).Attestations.AnyAsync(a => a.TaskId == current.Id));

        // The "attest" list offers only what is open now, and says when the next one opens.
        var list = (await chat.SayAsync("attest"))[0].GetProperty("text").GetString();
        Assert.Contains("opens for attestation on 23 Jun 2026", list);
    }

    private async Task TheReviewControlIsRefusedOnThePlainFormAsync()
    {
        var quarter = (await OccurrencesAsync(o => o.ControlId == "AC-01" && o.Period == "2026-Q2")).Single();
        var chat = new WebChatDriver(_app.CreateClient(), Aisha);

        var reply = (await chat.ClickAsync(AttestationFlow.StartAction, new Dictionary<string, string> { ["task"] = Id(quarter) }))[0];

        Assert.Equal("Attested through the access review", reply.GetProperty("title").GetString());
        Assert.Contains("signing off the GitHub access review", reply.GetProperty("text").GetString());
        Assert.IsType<AttestationResult.Refused>(await AttestAsync(Aisha, quarter.Id));
        await using var scope = _app.Scope();
        Assert.False(await BotApplication.Db(scope).Attestations.AnyAsync(a => a.TaskId == quarter.Id));
    }

    private async Task NotApplicableNeedsAComplianceAdminAsync(HttpClient admin)
    {
        var august = (await OccurrencesAsync(o => o.ControlId == "CHG-01" && o.Period == "2026-08")).Single();
        var body = new { reason = "No production changes were merged in August (code freeze)", by = Aisha };

        var refused = await admin.PostAsJsonAsync($"/api/admin/tasks/{august.Id}/not-applicable", body);
        var accepted = await admin.PostAsJsonAsync($"/api/admin/tasks/{august.Id}/not-applicable", body with { by = Dana });
        var again = await admin.PostAsJsonAsync($"/api/admin/tasks/{august.Id}/not-applicable", body with { by = Dana });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("compliance admin", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var marked = await db.ControlTasks.SingleAsync(t => t.Id == august.Id);
        Assert.Equal(ControlTaskStatus.NotApplicable, marked.Status);
        Assert.Equal(body.reason, marked.Reason);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "occurrence.not_applicable" && e.Actor == Dana && e.Subject == $"task:{august.Id}"));
    }

    private async Task ChangeVulnerabilityScanningToMonthlyAsync(HttpClient admin)
    {
        _clock.SetUtcNow(new DateTimeOffset(2026, 9, 2, 14, 0, 0, TimeSpan.Zero));
        WriteControls(vulnerabilityFrequency: "monthly", renamed: false, oldControl: true);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/admin/import", null)).StatusCode);

        var all = await OccurrencesAsync(o => o.ControlId == "VUL-01");
        var week = all.Single(o => o.Period == "2026-W36");
        var september = all.Single(o => o.Period == "2026-09");
        Assert.Equal(ControlTaskStatus.Retired, week.Status);
        Assert.Equal(september.Id, week.SuccessorId);
        Assert.Equal("schedule changed to monthly", week.Reason);
        Assert.Equal(ControlTaskStatus.Open, september.Status);
        Assert.DoesNotContain(all, o => o.Period is "2026-08" or "2026-07");
        Assert.Equal(ControlTaskStatus.Completed, all.Single(o => o.Period == "2026-W35").Status);
    }

    private async Task RenumberTheControlAsync(HttpClient admin)
    {
        _clock.SetUtcNow(new DateTimeOffset(2026, 10, 7, 14, 0, 0, TimeSpan.Zero));
        WriteControls(vulnerabilityFrequency: "monthly", renamed: true, oldControl: true);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/admin/import", null)).StatusCode);

        var before = await OccurrencesAsync(o => o.ControlId == "REN-01");
        var after = await OccurrencesAsync(o => o.ControlId == "REN-02");
        Assert.Equal(ControlTaskStatus.Retired, before.Single(o => o.Period == "2026-10").Status);
        Assert.Equal(after.Single(o => o.Period == "2026-10").Id, before.Single(o => o.Period == "2026-10").SuccessorId);
        Assert.Equal(ControlTaskStatus.Missed, before.Single(o => o.Period == "2026-09").Status);
        Assert.Equal(["2026-10"], after.Select(o => o.Period));
        await using var scope = _app.Scope();
        var old = await BotApplication.Db(scope).Controls.SingleAsync(c => c.Id == "REN-01");
        Assert.True(old.Retired);
        Assert.Equal("REN-02", old.RenamedTo);
    }

    private async Task<DateTimeOffset> RetireTheControlAsync(HttpClient admin)
    {
        var at = new DateTimeOffset(2026, 11, 4, 14, 0, 0, TimeSpan.Zero);
        _clock.SetUtcNow(at);
        WriteControls(vulnerabilityFrequency: "monthly", renamed: true, oldControl: false);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/admin/import", null)).StatusCode);

        var old = await OccurrencesAsync(o => o.ControlId == "OLD-01");
        Assert.All(old.Where(o => o.PeriodStart >= new DateOnly(2026, 10, 1)), o => Assert.Equal(ControlTaskStatus.Retired, o.Status));
        Assert.All(old, o => Assert.NotEqual(ControlTaskStatus.Open, o.Status));
        Assert.All(old.Where(o => o.Status == ControlTaskStatus.Retired), o => Assert.Null(o.SuccessorId));
        return at;
    }

    private static async Task TheExportHoldsThePopulationHistoryAndExceptionsAsync(HttpClient admin)
    {
        var response = await admin.GetAsync("/api/admin/export?period=2026");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));

        var vul = Csv(zip, "controls/VUL-01/population.csv");
        Assert.Equal(7, vul.Count(r => r["status"] == "Before tracking"));
        Assert.Equal("2026-W01", vul[0]["period"]);
        Assert.Contains(vul, r => r["period"] == "2026-W36" && r["status"] == "Retired" && r["successor"] == "VUL-01/2026-09");
        Assert.Contains(vul, r => r["status"] == "Performed" && r["days_late"] == "5" && r["attested_by"] == Rachel && r["attested_as"] == "assignee");
        Assert.Equal(["2026-W18", "2026-09", "2026-10", "2026-11", "2026-12"], vul.Where(r => r["status"] == "Missed").Select(r => r["period"]));
        var performed = vul.First(r => r["status"] == "Performed");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", performed["attested_at_utc"]);
        Assert.Equal(64, performed["content_hash"]!.Length);
        Assert.Equal(["2026-09", "2026-10", "2026-11", "2026-12"], vul.Where(r => !r["period"]!.Contains('W', StringComparison.Ordinal)).Select(r => r["period"]));

        var renamed = Csv(zip, "controls/REN-02/population.csv");
        Assert.Contains(renamed, r => r["control_id"] == "REN-01" && r["period"] == "2026-03");
        Assert.Contains(renamed, r => r["control_id"] == "REN-02" && r["period"] == "2026-12");
        Assert.Equal(renamed.Count, renamed.Select(r => r["period"]).Distinct().Count() + 1); // 2026-10 twice: REN-01 retired, REN-02 its successor
        var history = Csv(zip, "controls/REN-02/history.csv");
        Assert.Equal(["added", "renamed", "renamed"], history.Select(h => h["change"]));
        Assert.All(history, h => Assert.Equal(64, h["import_hash"]!.Length));

        var vulHistory = Csv(zip, "controls/VUL-01/history.csv");
        Assert.Equal(["added", "changed"], vulHistory.Select(h => h["change"]));
        Assert.Equal("break-glass:Admin:ApiKey", vulHistory[1]["actor"]);
        Assert.Contains("\"frequency\":\"monthly\"", vulHistory[1]["definition"]);

        using (var reader = new StreamReader(zip.GetEntry("controls/OLD-01/control.json")!.Open()))
        {
            var control = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
            Assert.True(control.GetProperty("retired").GetBoolean());
            Assert.StartsWith("2026-11-04T14:00:00", control.GetProperty("retiredAt").GetString());
        }

        var exceptions = Csv(zip, "exceptions.csv");
        Assert.Contains(exceptions, e => e["kind"] == "missed" && e["control_id"] == "CHG-01" && e["period"] == "2026-06");
        Assert.Contains(exceptions, e => e["kind"] == "late" && e["control_id"] == "VUL-01" && e["days_late"] == "5");
        Assert.Contains(exceptions, e => e["kind"] == "not_applicable" && e["period"] == "2026-08" && e["detail"]!.Contains("code freeze", StringComparison.Ordinal));
        Assert.Contains(exceptions, e => e["kind"] == "missed" && e["control_id"] == "AC-01" && e["period"] == "2026-Q2");
        Assert.DoesNotContain(exceptions, e => e["kind"] == "missed" && e["control_id"] == "VUL-01" && e["period"]!.Contains("-W", StringComparison.Ordinal) && string.CompareOrdinal(e["period"], "2026-W08") < 0);
    }

    private async Task<AttestationResult> AttestAsync(string email, int taskId)
    {
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var person = await db.People.SingleAsync(p => p.Email == email);
        var task = await db.ControlTasks.Include(t => t.Control).SingleAsync(t => t.Id == taskId);
        return await scope.ServiceProvider.GetRequiredService<Attestor>().AttestAsync(person,
            new AttestationRequest(taskId, AttestationOutcome.Performed, task.Control!.StatementFor(task.Period), null, null, ChannelKind.Web, null), default);
    }

    private async Task<List<ControlTask>> OccurrencesAsync(System.Linq.Expressions.Expression<Func<ControlTask, bool>> where)
    {
        await using var scope = _app.Scope();
        return await BotApplication.Db(scope).ControlTasks.AsNoTracking().Where(where).OrderBy(t => t.PeriodStart).ThenBy(t => t.Id).ToListAsync();
    }

    private static string Id(ControlTask task) => task.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A CSV of the export as rows keyed by header (the files are simple: no field here holds a comma or quote).</summary>
    private static List<Dictionary<string, string?>> Csv(ZipArchive zip, string path)
    {
        using var reader = new StreamReader(zip.GetEntry(path)!.Open());
        var lines = reader.ReadToEnd().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(SplitCsv).Select(fields => header.Select((h, i) => (h, v: i < fields.Count ? fields[i] : null))
            .ToDictionary(p => p.h, p => string.IsNullOrEmpty(p.v) ? null : p.v))];
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }

    private void WriteControls(string vulnerabilityFrequency, bool renamed, bool oldControl)
    {
        static string Control(string id, string owner, string frequency, int dueDays, string extra = "") => $"""
              - id: {id}
                title: {id} control
                description: The {id} control of the walk.
                owner: {owner}
                frequency: {frequency}
                criteria: [CC6.1]
                attestation: "I confirm that {id} was performed for {"{period}"}."
                due_days: {dueDays}
            {extra}
            """;

        var text = "controls:\n"
            + Control("VUL-01", Rachel, vulnerabilityFrequency, 3)
            + Control("CHG-01", Aisha, "monthly", 10)
            + Control("AC-01", Aisha, "quarterly", 15, "    system: GitHub\n    evidenced_by: access_review\n")
            + (renamed ? Control("REN-02", "tom.becker@acme.example", "monthly", 5, "    renamed_from: REN-01\n") : Control("REN-01", "tom.becker@acme.example", "monthly", 5))
            + (oldControl ? Control("OLD-01", "tom.becker@acme.example", "monthly", 5) : "");
        File.WriteAllText(_knowledge.PathOf("program/controls.yaml"), text);
    }
}
