namespace ComplianceBot.Tests.Soak;

/// <summary>
/// What a soak run sends: Slack and Teams messages from the demo people, tasks to attest, files to upload, changes to
/// decide. <paramref name="Approver"/> is the index of the changes' approver among the people (their Teams member id).
/// </summary>
public sealed record SoakPlan(int People, int SlackEvents, int TeamsMessages, IReadOnlyList<(int TaskId, string Email)> Attest, IReadOnlyList<(int Index, string Email)> Uploads, int Changes, int Approver);
