using ComplianceBot.Tasks;

namespace ComplianceBot.Tests.Tasks;

public sealed class ControlTaskTests
{
    private static readonly DateTimeOffset Now = BotApplication.DefaultNow;

    private static ControlTask NewTask() => new() { ControlId = "AC-01", Period = "2026-Q4", DueDate = new DateOnly(2027, 1, 15) };

    [Theory]
    [InlineData(ControlTaskStatus.Completed)]
    [InlineData(ControlTaskStatus.CompletedWithExceptions)]
    [InlineData(ControlTaskStatus.NotPerformed)]
    [InlineData(ControlTaskStatus.Cancelled)]
    public void AnOpenTaskCanBeClosedEveryWay(ControlTaskStatus outcome)
    {
        var task = NewTask();

        task.MoveTo(outcome, Now);

        Assert.Equal(outcome, task.Status);
        Assert.Equal(Now, task.ClosedAt);
    }

    [Fact]
    public void ACompletedTaskCannotReopenOrBeCancelled()
    {
        var task = NewTask();
        task.MoveTo(ControlTaskStatus.Completed, Now);

        Assert.Throws<InvalidTaskTransitionException>(() => task.MoveTo(ControlTaskStatus.Open, Now));
        Assert.Throws<InvalidTaskTransitionException>(() => task.MoveTo(ControlTaskStatus.Cancelled, Now));
        Assert.Throws<InvalidTaskTransitionException>(() => task.MoveTo(ControlTaskStatus.Completed, Now));
    }

    [Fact]
    public void ARecordedOutcomeChangesOnlyToAnotherOutcome()
    {
        var task = NewTask();
        task.MoveTo(ControlTaskStatus.NotPerformed, Now);

        task.MoveTo(ControlTaskStatus.Completed, Now.AddDays(1));

        Assert.Equal(ControlTaskStatus.Completed, task.Status);
    }

    [Fact]
    public void ACancelledTaskCanOnlyReopen()
    {
        var task = NewTask();
        task.MoveTo(ControlTaskStatus.Cancelled, Now);

        Assert.Throws<InvalidTaskTransitionException>(() => task.MoveTo(ControlTaskStatus.Completed, Now));
        task.MoveTo(ControlTaskStatus.Open, Now);
        Assert.Null(task.ClosedAt);
    }

    [Fact]
    public void EveryChangeBumpsTheConcurrencyToken()
    {
        var task = NewTask();
        var before = task.Version;

        task.MoveTo(ControlTaskStatus.Completed, Now);

        Assert.NotEqual(before, task.Version);
    }

    [Fact]
    public void OnlyAnOpenTaskCanBeReassigned()
    {
        var task = NewTask();
        task.MoveTo(ControlTaskStatus.Completed, Now);

        Assert.Throws<InvalidOperationException>(() => task.Reassign(new ComplianceBot.People.Person { Email = "a@b.c", Name = "A" }));
    }

    [Fact]
    public void OverdueMeansOpenAndPastTheDueDate()
    {
        var task = NewTask();

        Assert.False(task.IsOverdue(new DateOnly(2027, 1, 15)));
        Assert.True(task.IsOverdue(new DateOnly(2027, 1, 16)));
        task.MoveTo(ControlTaskStatus.Completed, Now);
        Assert.False(task.IsOverdue(new DateOnly(2027, 1, 16)));
    }
}
