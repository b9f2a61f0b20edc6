using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Knowledge;

public sealed class KnowledgeImportTests : IDisposable
{
    private readonly KnowledgeCopy _knowledge = new();
    private readonly BotApplication _app;

    public KnowledgeImportTests()
    {
        _app = new BotApplication();
        _app.Settings["Knowledge:Path"] = _knowledge.Root;
    }

    public void Dispose()
    {
        _app.Dispose();
        _knowledge.Dispose();
    }

    [Fact]
    public async Task StartupImportsTheProgramAndCreatesTheOccurrencesThatHaveBegun()
    {
        _ = _app.CreateClient();
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);

        var periods = await db.ControlTasks.Where(t => t.ControlId == "AC-01").Select(t => t.Period).OrderBy(p => p).ToListAsync();

        Assert.Equal(["2026-Q4"], periods);
        Assert.Equal(61, await db.Criteria.CountAsync());
        Assert.Contains(await db.AuditEvents.Select(e => e.Action).ToListAsync(), a => a == "knowledge.imported");
    }

    [Fact]
    public async Task ReimportingUpdatesControlsAndPeopleWithoutDuplicatingTasksOrRewritingHistory()
    {
        var admin = _app.CreateAdminClient();
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var tasksBefore = await db.ControlTasks.CountAsync();
        var auditBefore = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).ToListAsync();
        var gov01Task = await db.ControlTasks.AsNoTracking().FirstAsync(t => t.ControlId == "GOV-01");

        _knowledge.Replace("program/controls.yaml", "title: Code of conduct acknowledgement", "title: Code of conduct acknowledgement (annual)");
        _knowledge.Replace("program/controls.yaml", "owner: omar.haddad@acme.example\n    frequency: annual\n    criteria: [CC1.1]", "owner: dana.reyes@acme.example\n    frequency: annual\n    criteria: [CC1.1]");
        var response = await admin.PostAsync("/api/admin/import", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        db.ChangeTracker.Clear();
        Assert.Equal(tasksBefore, await db.ControlTasks.CountAsync());
        var control = await db.Controls.Include(c => c.Owner).SingleAsync(c => c.Id == "GOV-01");
        Assert.Equal("Code of conduct acknowledgement (annual)", control.Title);
        Assert.Equal("dana.reyes@acme.example", control.Owner!.Email);
        var task = await db.ControlTasks.Include(t => t.Assignee).SingleAsync(t => t.Id == gov01Task.Id);
        Assert.Equal("dana.reyes@acme.example", task.Assignee!.Email);

        var auditAfter = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).ToListAsync();
        Assert.Equal(auditBefore, auditAfter.Take(auditBefore.Count));
        Assert.True(auditAfter.Count > auditBefore.Count);
    }

    [Fact]
    public async Task AControlRemovedFromTheFilesIsRetiredAndKeepsItsTasks()
    {
        var admin = _app.CreateAdminClient();
        var text = File.ReadAllText(_knowledge.PathOf("program/controls.yaml"));
        var start = text.IndexOf("  - id: GOV-02", StringComparison.Ordinal);
        var end = text.IndexOf("  - id: GOV-03", StringComparison.Ordinal);
        File.WriteAllText(_knowledge.PathOf("program/controls.yaml"), text.Remove(start, end - start));

        var summary = await (await admin.PostAsync("/api/admin/import", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, summary.GetProperty("summary").GetProperty("retiredControls").GetInt32());
        Assert.Equal(["GOV-02"], summary.GetProperty("controlsRetired").EnumerateArray().Select(c => c.GetString()));
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        Assert.True((await db.Controls.SingleAsync(c => c.Id == "GOV-02")).Retired);
        Assert.True(await db.ControlTasks.AnyAsync(t => t.ControlId == "GOV-02"));
    }

    [Fact]
    public async Task ABadFileThroughTheAdminApiIsA400WithTheSameMessageAndChangesNothing()
    {
        var admin = _app.CreateAdminClient();
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var auditBefore = await db.AuditEvents.CountAsync();
        _knowledge.Replace("program/controls.yaml", "title: Code of conduct acknowledgement", "title: Renamed but broken");
        _knowledge.Replace("program/controls.yaml", "criteria: [CC1.1]", "criteria: [CC1.9]");

        var response = await admin.PostAsync("/api/admin/import", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("knowledge/program/controls.yaml:", problem.GetProperty("problems")[0].GetString());
        Assert.Contains("unknown criterion 'CC1.9'", problem.GetProperty("detail").GetString());
        Assert.Equal("Code of conduct acknowledgement", (await db.Controls.AsNoTracking().SingleAsync(c => c.Id == "GOV-01")).Title);
        Assert.Equal(auditBefore, await db.AuditEvents.CountAsync());
    }

    [Fact]
    public void ABadFileAtStartupStopsTheHostWhenThereIsNoPreviousGoodImport()
    {
        _knowledge.Replace("program/people.yaml", "time_zone: America/New_York", "time_zone: Mars/Olympus");

        Assert.ThrowsAny<Exception>(() => _app.CreateClient());
    }

    [Fact]
    public async Task TasksAreGeneratedOncePerControlAndPeriodEvenWhenImportedTwice()
    {
        var admin = _app.CreateAdminClient();
        await admin.PostAsync("/api/admin/import", null);
        await admin.PostAsync("/api/admin/import", null);

        await using var scope = _app.Scope();
        var duplicates = await BotApplication.Db(scope).ControlTasks
            .GroupBy(t => new { t.ControlId, t.Period }).Where(g => g.Count() > 1).CountAsync();
        Assert.Equal(0, duplicates);
        Assert.All(await BotApplication.Db(scope).ControlTasks.ToListAsync(), t => Assert.Equal(ControlTaskStatus.Open, t.Status));
    }
}
