using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.ProgramStatus;

/// <summary>October occurrences (before tracking began, so the generator never makes them) with known outcomes.</summary>
public static class StatusData
{
    public static async Task SeedOctoberAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var people = await db.People.ToDictionaryAsync(p => p.Email);
        var at = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

        ControlTask Month(string control, string owner, int month) => new()
        {
            ControlId = control, Period = $"2026-{month:00}", PeriodStart = new DateOnly(2026, month, 1),
            PeriodEnd = new DateOnly(2026, month, 1).AddMonths(1).AddDays(-1), DueDate = new DateOnly(2026, month, 1).AddMonths(1).AddDays(4),
            AssigneeId = people[owner].Id, CreatedAt = at,
        };

        var missed = Month("HR-03", "kevin.osei@acme.example", 10);
        var september = Month("HR-03", "kevin.osei@acme.example", 9);
        var onTime = Month("HR-04", "kevin.osei@acme.example", 10);
        onTime.RecordOutcome(ControlTaskStatus.Completed, new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.Zero), new DateOnly(2026, 11, 3));
        var late = Month("HR-01", "omar.haddad@acme.example", 10);
        late.RecordOutcome(ControlTaskStatus.CompletedWithExceptions, new DateTimeOffset(2026, 11, 10, 10, 0, 0, TimeSpan.Zero), new DateOnly(2026, 11, 10));
        var week = new ControlTask
        {
            ControlId = "OPS-04", Period = "2026-W41", PeriodStart = new DateOnly(2026, 10, 5), PeriodEnd = new DateOnly(2026, 10, 11),
            DueDate = new DateOnly(2026, 10, 13), AssigneeId = people["rachel.kim@acme.example"].Id, CreatedAt = at,
        };
        week.MarkNotApplicable("No production deploys that week (change freeze).", at);
        db.ControlTasks.AddRange(missed, september, onTime, late, week);
        await db.SaveChangesAsync();
    }
}
