namespace ComplianceBot.Tests.Soak;

/// <summary>What a soak run sends: Slack and Teams messages from the demo people, tasks to attest, files to upload.</summary>
public sealed record SoakPlan(int People, int SlackEvents, int TeamsMessages, IReadOnlyList<(int TaskId, string Email)> Attest, IReadOnlyList<(int Index, string Email)> Uploads, int Changes);
