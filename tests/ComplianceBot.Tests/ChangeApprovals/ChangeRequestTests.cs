using ComplianceBot.ChangeApprovals;

namespace ComplianceBot.Tests.ChangeApprovals;

public sealed class ChangeRequestTests
{
    private const int Requester = 1, Manager = 2, Advisor = 3, Author = 4, ManagerAndAdvisor = 5;
    private static readonly DateTimeOffset Now = BotApplication.DefaultNow;

    private static ChangeRequest Change(bool advisory, params (int Person, ApproverRoles Roles)[] approvers) => new()
    {
        Title = "t",
        Description = "d",
        System = "GitHub",
        Risk = advisory ? ChangeRisk.High : ChangeRisk.Medium,
        RequesterId = Requester,
        AuthorId = Author,
        SubmittedBy = "test",
        RequiresManager = true,
        RequiresChangeAdvisory = advisory,
        CallbackUrl = "http://127.0.0.1/hook",
        Approvers = [.. approvers.Select(a => new ChangeApprover { PersonId = a.Person, Roles = a.Roles })],
    };

    private static ChangeDecision Approve(int person) => new() { ApproverId = person, Decision = ChangeDecisionKind.Approve, DecidedAt = Now };

    [Fact]
    public void TheManagersApprovalDecidesALowOrMediumRiskChange()
    {
        var change = Change(false, (Manager, ApproverRoles.Manager));

        change.Record(Approve(Manager), Now);

        Assert.Equal(ChangeStatus.Approved, change.Status);
    }

    [Fact]
    public void AManagerWhoIsAlsoAnAdvisorCannotFillBothSlotsOfAHighRiskChange()
    {
        var change = Change(true, (ManagerAndAdvisor, ApproverRoles.Manager | ApproverRoles.ChangeAdvisory), (Advisor, ApproverRoles.ChangeAdvisory));

        change.Record(Approve(ManagerAndAdvisor), Now);
        Assert.Equal(ChangeStatus.Pending, change.Status);

        change.Record(Approve(Advisor), Now);
        Assert.Equal(ChangeStatus.Approved, change.Status);
    }

    [Fact]
    public void AnAdvisorsApprovalAloneDoesNotApproveAHighRiskChange()
    {
        var change = Change(true, (Manager, ApproverRoles.Manager), (Advisor, ApproverRoles.ChangeAdvisory));

        change.Record(Approve(Advisor), Now);

        Assert.Equal(ChangeStatus.Pending, change.Status);
    }

    [Fact]
    public void OneRejectionRejects()
    {
        var change = Change(true, (Manager, ApproverRoles.Manager), (Advisor, ApproverRoles.ChangeAdvisory));

        change.Record(Approve(Manager), Now);
        change.Record(new ChangeDecision { ApproverId = Advisor, Decision = ChangeDecisionKind.Reject, Comment = "no", DecidedAt = Now }, Now);

        Assert.Equal(ChangeStatus.Rejected, change.Status);
    }

    [Fact]
    public void TheRequesterOrAuthorCannotDecideEvenWhenListedAsApprover()
    {
        var change = Change(false, (Manager, ApproverRoles.Manager), (Author, ApproverRoles.ChangeAdvisory), (Requester, ApproverRoles.ChangeAdvisory));

        Assert.Throws<InvalidOperationException>(() => change.Record(Approve(Author), Now));
        Assert.Throws<InvalidOperationException>(() => change.Record(Approve(Requester), Now));
        Assert.Empty(change.Decisions);
    }

    [Fact]
    public void ADecidedChangeStaysDecided()
    {
        var change = Change(false, (Manager, ApproverRoles.Manager));
        change.Record(Approve(Manager), Now);

        Assert.Throws<ChangeAlreadyDecidedException>(() => change.Expire(Now));
        Assert.Throws<ChangeAlreadyDecidedException>(() => change.Cancel(Now));
    }

    [Fact]
    public void TheRefreshListsOnlyApproversStillDeciding()
    {
        var change = Change(true, (Manager, ApproverRoles.Manager), (Advisor, ApproverRoles.ChangeAdvisory));
        change.Record(Approve(Manager), Now);

        var refresh = ChangeCards.For(change, null).Refresh;

        Assert.NotNull(refresh);
        Assert.Equal(ChangeApprovalFlow.ViewAction, refresh.ActionId);
        Assert.Equal([Advisor], refresh.PersonIds);
    }
}
