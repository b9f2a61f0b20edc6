using ComplianceBot.Tasks;

namespace ComplianceBot.Tests.Tasks;

public sealed class ControlTaskTests
{
    private static readonly DateTimeOffset Now = BotApplication.DefaultNow;
    private static readonly DateOnly Due = new(2027, 1, 15);

    private static ControlTask NewTask() => new()
    {
        ControlId = "AC-01", Period = "2026-Q4", PeriodStart = new DateOnly(2026, 10, 1), PeriodEnd = new DateOnly(2026, 12, 31), DueDate = Due,
    };

    [Theory]
    [InlineData(ControlTaskStatus.Completed)]
    [InlineData(ControlTaskStatus.CompletedWithExceptions)]
    [InlineData(ControlTaskStatus.NotPerformed)]
    public void AnOpenTaskTakesEveryAttestedOutcomeOnTime(ControlTaskStatus outcome)
    {
        var task = NewTask();

        task.RecordOutcome(outcome, Now, Due);

        Assert.Equal(outcome, task.Status);
        Assert.Equal(Now, task.ClosedAt);
        Assert.Null(task.DaysLate);
    }

    [Fact]
    public void AnOutcomeIsNotAStatusLikeMissedOrRetired()
    {
        Assert.Throws<InvalidTaskTransitionException>(() => NewTask().RecordOutcome(ControlTaskStatus.Missed, Now, Due));
        Assert.Throws<InvalidTaskTransitionException>(() => NewTask().RecordOutcome(ControlTaskStatus.Retired, Now, Due));
    }

    [Fact]
    public void AnOccurrenceIsMissedOnlyOnceItsDueDateHasPassed()
    {
        var task = NewTask();

        Assert.False(task.MarkMissed(Now, Due));
        Assert.True(task.MarkMissed(Now, Due.AddDays(1)));
        Assert.Equal(ControlTaskStatus.Missed, task.Status);
        Assert.True(task.IsOpen);
        Assert.Null(task.ClosedAt);
        Assert.False(task.MarkMissed(Now, Due.AddDays(2)));
    }

    [Fact]
    public void ALateAttestationOfAMissedOccurrenceIsKeptWithItsDaysLate()
    {
        var task = NewTask();
        task.MarkMissed(Now, Due.AddDays(1));

        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due.AddDays(4));

        Assert.Equal(ControlTaskStatus.Completed, task.Status);
        Assert.Equal(4, task.DaysLate);
        Assert.Equal("Performed", task.StatusLabel);
    }

    [Fact]
    public void ACorrectionDoesNotChangeHowLateTheFirstAttestationWas()
    {
        var task = NewTask();
        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due);

        task.RecordOutcome(ControlTaskStatus.CompletedWithExceptions, Now, Due.AddDays(30));

        Assert.Null(task.DaysLate);
        Assert.Equal(ControlTaskStatus.CompletedWithExceptions, task.Status);
    }

    [Fact]
    public void ACompletedTaskCannotBeMissedRetiredOrMarkedNotApplicable()
    {
        var task = NewTask();
        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due);

        Assert.False(task.MarkMissed(Now, Due.AddDays(9)));
        Assert.Throws<InvalidTaskTransitionException>(() => task.Retire("control retired", null, Now));
        Assert.Throws<InvalidTaskTransitionException>(() => task.MarkNotApplicable("no changes", Now));
        Assert.Throws<InvalidTaskTransitionException>(() => task.RecordOutcome(ControlTaskStatus.Completed, Now, Due));
    }

    [Fact]
    public void NotApplicableNeedsAReasonAndIsFinal()
    {
        var task = NewTask();
        Assert.Throws<ArgumentException>(() => task.MarkNotApplicable(" ", Now));

        task.MarkNotApplicable("No production changes were made in the quarter", Now);

        Assert.Equal(ControlTaskStatus.NotApplicable, task.Status);
        Assert.Equal("No production changes were made in the quarter", task.Reason);
        Assert.False(task.IsOpen);
        Assert.Throws<InvalidTaskTransitionException>(() => task.RecordOutcome(ControlTaskStatus.Completed, Now, Due));
    }

    [Fact]
    public void AMissedOccurrenceStaysMissedWhenItsControlIsRetired()
    {
        var task = NewTask();
        task.MarkMissed(Now, Due.AddDays(1));

        Assert.Throws<InvalidTaskTransitionException>(() => task.Retire("control retired", null, Now));
    }

    [Fact]
    public void ARetiredOccurrenceIsClosedAndFinal()
    {
        var task = NewTask();

        task.Retire("schedule changed to monthly", null, Now);

        Assert.Equal(ControlTaskStatus.Retired, task.Status);
        Assert.Equal(Now, task.ClosedAt);
        Assert.Throws<InvalidTaskTransitionException>(() => task.RecordOutcome(ControlTaskStatus.Completed, Now, Due));
    }

    [Theory]
    [InlineData(0, "2026-12-31")]
    [InlineData(45, "2026-11-16")]
    [InlineData(200, "2026-10-01")]
    public void TheAttestationWindowOpensBeforeThePeriodEndsButNeverBeforeItStarts(int daysBeforeEnd, string opens)
    {
        Assert.Equal(DateOnly.Parse(opens, System.Globalization.CultureInfo.InvariantCulture), NewTask().AttestableFrom(daysBeforeEnd));
    }

    [Fact]
    public void EveryChangeBumpsTheConcurrencyToken()
    {
        var task = NewTask();
        var before = task.Version;

        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due);

        Assert.NotEqual(before, task.Version);
    }

    [Fact]
    public void OnlyAnOpenOrMissedTaskCanBeReassigned()
    {
        var person = new ComplianceBot.People.Person { Email = "a@b.c", Name = "A" };
        var missed = NewTask();
        missed.MarkMissed(Now, Due.AddDays(1));
        missed.Reassign(person);
        var task = NewTask();
        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due);

        Assert.Throws<InvalidOperationException>(() => task.Reassign(person));
    }

    [Fact]
    public void OverdueMeansWaitingAndPastTheDueDate()
    {
        var task = NewTask();

        Assert.False(task.IsOverdue(new DateOnly(2027, 1, 15)));
        Assert.True(task.IsOverdue(new DateOnly(2027, 1, 16)));
        task.RecordOutcome(ControlTaskStatus.Completed, Now, Due);
        Assert.False(task.IsOverdue(new DateOnly(2027, 1, 16)));
    }
}
