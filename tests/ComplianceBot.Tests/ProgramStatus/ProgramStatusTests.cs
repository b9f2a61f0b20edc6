using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.ProgramStatus;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.ProgramStatus;

/// <summary>The status layer through the real host: the admin task listing, GET /api/admin/status and "status" in chat by role.</summary>
public sealed class ProgramStatusTests : IAsyncLifetime, IDisposable
{
    private readonly BotApplication app = new();

    public async Task InitializeAsync()
    {
        _ = app.Services;
        await StatusData.SeedOctoberAsync(app);
        // 10 Dec: November's monthly and week 48's weekly occurrences are past due, Q4's quarterly ones are not.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 14, 0, 0, TimeSpan.Zero));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task TasksOfAQuarterIncludeTheMonthsAndWeeksInsideIt()
    {
        var client = app.CreateAdminClient();
        var quarter = (await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?period=2026-Q4"))!;
        var relative = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?period=Q4");

        var expected = await AllTasksAsync(t => t.PeriodEnd >= new DateOnly(2026, 10, 1) && t.PeriodEnd <= new DateOnly(2026, 12, 31));
        Assert.Equal(expected.Select(t => t.Id).Order(), quarter.Select(t => t.Id).Order());
        Assert.Equal(quarter.Select(t => t.Id), relative!.Select(t => t.Id));
        Assert.Contains(quarter, t => t.Period == "2026-10");
        Assert.Contains(quarter, t => t.Period == "2026-W41");
        Assert.Contains(quarter, t => t.Period == "2026-Q4");
        Assert.DoesNotContain(quarter, t => t.Period == "2026-09");

        var month = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?period=2026-10");
        Assert.All(month!, t => Assert.InRange(t.PeriodEnd, new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)));
        var week = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?period=2026-W41");
        Assert.Equal(["OPS-04"], week!.Select(t => t.ControlId));
    }

    [Fact]
    public async Task OverdueDueBeforeOwnerAndManagerFilterTheListing()
    {
        var client = app.CreateAdminClient();
        var today = new DateOnly(2026, 12, 10);
        var overdue = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?status=overdue");
        var expected = await AllTasksAsync(t => (t.Status == ControlTaskStatus.Open || t.Status == ControlTaskStatus.Missed) && t.DueDate < today);
        Assert.Equal(expected.Select(t => t.Id).Order(), overdue!.Select(t => t.Id).Order());
        Assert.All(overdue!, t => Assert.Equal(today.DayNumber - t.DueDate.DayNumber, t.DaysOverdue));
        Assert.Contains(overdue!, t => t.ControlId == "HR-03" && t.Period == "2026-10");

        var kevins = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?status=overdue&owner=Kevin.Osei@acme.example");
        Assert.NotEmpty(kevins!);
        Assert.All(kevins!, t => Assert.Equal(("kevin.osei@acme.example", "james.okafor@acme.example"), (t.AssigneeEmail, t.ManagerEmail)));

        var team = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?manager=james.okafor@acme.example&period=2026-Q4");
        Assert.Equal((await AllTasksAsync(t => t.Assignee!.Manager!.Email == "james.okafor@acme.example" && t.PeriodEnd >= new DateOnly(2026, 10, 1) && t.PeriodEnd <= new DateOnly(2026, 12, 31))).Count, team!.Count);

        var before = await client.GetFromJsonAsync<List<TaskRow>>("/api/admin/tasks?dueBefore=2026-11-06");
        Assert.All(before!, t => Assert.True(t.DueDate < new DateOnly(2026, 11, 6)));
        Assert.Contains(before!, t => t.ControlId == "HR-04" && t.Period == "2026-10");
    }

    [Theory]
    [InlineData("/api/admin/tasks?period=2026-Q5")]
    [InlineData("/api/admin/tasks?period=last%20quarter")]
    [InlineData("/api/admin/tasks?status=late-ish")]
    [InlineData("/api/admin/tasks?status=7")]
    [InlineData("/api/admin/tasks?dueBefore=12/31/2026")]
    [InlineData("/api/admin/tasks?take=0")]
    [InlineData("/api/admin/status?period=2026-W60")]
    [InlineData("/api/admin/status/changes?period=Q9")]
    public async Task BadQueryValuesAreProblemDetails400(string url)
    {
        var response = await app.CreateAdminClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task StatusNeedsAKey()
    {
        var response = await app.CreateClient().GetAsync("/api/admin/status");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task StatusCountsMatchTheOccurrencesOfThePeriod()
    {
        var report = await app.CreateAdminClient().GetFromJsonAsync<ProgramStatusReport>("/api/admin/status?period=2026-Q4", JsonSerializerOptions.Web);
        var today = new DateOnly(2026, 12, 10);
        var tasks = await AllTasksAsync(t => t.PeriodEnd >= new DateOnly(2026, 10, 1) && t.PeriodEnd <= new DateOnly(2026, 12, 31) && t.Status != ControlTaskStatus.Retired);

        // An independent count with the documented rule: expected leaves out not applicable; missed includes open past due.
        Assert.Equal("2026-Q4", report!.Period);
        Assert.Equal(tasks.Count(t => t.Status != ControlTaskStatus.NotApplicable), report.Totals.Expected);
        Assert.Equal(tasks.Count(t => t.Status == ControlTaskStatus.Completed), report.Totals.Performed);
        Assert.Equal(tasks.Count(t => t.Status == ControlTaskStatus.CompletedWithExceptions), report.Totals.PerformedWithExceptions);
        Assert.Equal(tasks.Count(t => t.Status == ControlTaskStatus.Missed || (t.Status == ControlTaskStatus.Open && t.DueDate < today)), report.Totals.Missed);
        Assert.Equal(tasks.Count(t => t.Status == ControlTaskStatus.Open && t.DueDate >= today), report.Totals.Open);
        Assert.Equal(tasks.Count(t => t.DaysLate > 0), report.Totals.Late);
        Assert.Equal(tasks.Count(t => t.Status == ControlTaskStatus.NotApplicable), report.Totals.NotApplicable);

        var hr04 = report.Controls.Single(c => c.ControlId == "HR-04");
        Assert.Equal(["Security"], hr04.Categories);
        Assert.Equal(1, hr04.Counts.Performed);
        Assert.Equal(1, report.Controls.Single(c => c.ControlId == "HR-01").Counts.Late);
        Assert.Equal(1, report.Controls.Single(c => c.ControlId == "OPS-04").Counts.NotApplicable);
        Assert.Equal(report.Controls.Sum(c => c.Counts.Expected), report.Totals.Expected);
        var security = report.Categories.Single(c => c.Category == "Security");
        Assert.Equal(report.Controls.Where(c => c.Categories.Contains("Security")).Sum(c => c.Counts.Missed), security.Counts.Missed);

        var kevin = report.OverdueByOwner.Single(o => o.Email == "kevin.osei@acme.example");
        Assert.Equal("james.okafor@acme.example", kevin.ManagerEmail);
        Assert.Contains("HR-03", kevin.Controls);
        // Overdue is as of today over any period: September's HR-03 (due 5 Oct, outside Q4) is the oldest.
        Assert.Equal(2, kevin.Overdue);
        Assert.Equal(today.DayNumber - new DateOnly(2026, 10, 5).DayNumber, kevin.MostDaysOverdue);
    }

    [Fact]
    public async Task ComplianceAdminsGetTheProgramWithDrillDownButtons()
    {
        var dana = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        var status = (await dana.SayAsync("status"))[0];
        Assert.StartsWith("Program status — 2026-Q4", status.GetProperty("title").GetString());
        var overdueButton = WebChatDriver.Action(status, StatusFlow.OverdueAction);

        var drill = (await dana.ClickAsync(StatusFlow.OverdueAction, WebChatDriver.Data(overdueButton)))[0];
        Assert.Equal("Overdue by owner", drill.GetProperty("title").GetString());
        Assert.Contains(drill.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.Contains("kevin.osei@acme.example", StringComparison.Ordinal));

        var controls = (await dana.ClickAsync(StatusFlow.ControlsAction, WebChatDriver.Data(WebChatDriver.Action(status, StatusFlow.ControlsAction))))[0];
        Assert.Contains(controls.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.StartsWith("HR-03", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("how's the program doing this quarter?")]
    [InlineData("who is overdue across the programme")]
    [InlineData("which acess reviews are stuck")]
    public async Task StatusQuestionsInNaturalWordsReachTheStatusFlow(string text)
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("status.program", body.GetProperty("intent").GetString());
        Assert.StartsWith("Program status", body.GetProperty("replies")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task ManagersGetTheirTeamAndEveryoneElseTheirOwn()
    {
        var james = new WebChatDriver(app.CreateClient(), "james.okafor@acme.example");
        var team = (await james.SayAsync("my team"))[0];
        Assert.Equal("My team", team.GetProperty("title").GetString());
        Assert.Contains(team.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.Contains("HR-03", StringComparison.Ordinal));
        Assert.Equal("My team", (await james.SayAsync("how is my team doing on compliance?"))[0].GetProperty("title").GetString());

        var arjun = new WebChatDriver(app.CreateClient(), "arjun.mehta@acme.example");
        var mine = (await arjun.SayAsync("status"))[0];
        Assert.Equal("My status", mine.GetProperty("title").GetString());
        var refused = (await arjun.ClickAsync(StatusFlow.OverdueAction, new Dictionary<string, string>()))[0];
        Assert.Contains("compliance admins and auditors", refused.GetProperty("text").GetString());
        Assert.DoesNotContain("kevin", refused.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<List<ControlTask>> AllTasksAsync(System.Linq.Expressions.Expression<Func<ControlTask, bool>> predicate)
    {
        await using var scope = app.Scope();
        return await BotApplication.Db(scope).ControlTasks.AsNoTracking().Where(predicate).ToListAsync();
    }
}
