using System.Text.Json;
using ComplianceBot.Admin;
using ComplianceBot.ChangeApprovals.Callbacks;
using ComplianceBot.Conversations;
using ComplianceBot.Help;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComplianceBot.ChangeApprovals;

public sealed record ChangeCreated(int Id, string Status, bool MayProceed, IReadOnlyList<string> Approvers);

public sealed record ChangeDecisionView(string Who, string Name, string Decision, string? Comment, DateTimeOffset When);

/// <summary>What a CI/CD pipeline polls (GET /api/changes/{id}) or receives at its callback URL.</summary>
public sealed record ChangeStatusView(
    int Id,
    string Title,
    string System,
    string Risk,
    string Status,
    bool MayProceed,
    string Requester,
    string? Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Approvers,
    IReadOnlyList<ChangeDecisionView> Decisions);

public static class ChangesApi
{
    public static ChangeStatusView AsStatus(this ChangeRequest change) => new(
        change.Id,
        change.Title,
        change.System,
        change.Risk.ToString().ToLowerInvariant(),
        ChangeCards.StatusText(change.Status),
        change.MayProceed,
        change.Requester!.Email,
        change.Author?.Email,
        change.CreatedAt,
        change.DecidedAt,
        change.ExpiresAt,
        [.. change.Approvers.Select(a => a.Person!.Email)],
        [.. change.Decisions.OrderBy(d => d.DecidedAt).Select(d => new ChangeDecisionView(
            d.Approver!.Email, d.Approver.Name, d.Decision == ChangeDecisionKind.Approve ? "approved" : "rejected", d.Comment, d.DecidedAt))]);

    public static IServiceCollection AddChangeApprovals(this IServiceCollection services)
    {
        services.AddOptions<ChangeApprovalsOptions>().BindConfiguration("Changes");
        services.AddScoped<ChangeApprovalService>();
        services.AddScoped<ChangeApprovalsSweeper>();
        services.AddHostedService<ChangeApprovalsWorker>();
        services.AddChangeCallbacks();
        services.AddScoped<Outbox.IWebhookSender, ChangeCallbackSender>();
        services.AddScoped<IFlow, ChangeApprovalFlow>();
        services.AddScoped<Reminders.IReminderSubject, ChangeReminderSubject>();
        services.AddScoped<Export.IExportContributor, ChangeExportContributor>();
        services.AddSingleton(new HelpTopic(50, "new change", "ask for approval of a change to a production system (your manager approves; high risk also needs change advisory)", ChangeApprovalFlow.NewButton));
        services.AddSingleton(new HelpTopic(51, "approvals", "changes waiting for your approval, with Approve / Reject buttons", ChangeApprovalFlow.ListButton));
        return services;
    }

    /// <summary>
    /// POST /api/changes (submit), GET /api/changes/{id} (status for CI gating), POST /api/changes/{id}/cancel.
    /// Bearer key with the integration or admin role (a per-person key, or the configured Changes:ApiKey).
    /// </summary>
    public static RouteGroupBuilder MapChanges(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/changes").WithTags("Change approvals")
            .RequireAuthorization(ApiPolicies.Integration);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id:int}", GetAsync);
        group.MapPost("/{id:int}/cancel", CancelAsync);
        return group;
    }

    private static async Task<Results<Created<ChangeCreated>, ValidationProblem>> CreateAsync(HttpContext http, ChangeApprovalService service, CallbackUrlPolicy callbacks, CancellationToken cancellationToken)
    {
        NewChange? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<NewChange>(http.Request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            // Name the field the parser stopped at ("$.links" → links), so the caller knows what to fix.
            var field = ex.Path is { Length: > 2 } path ? path[2..].Split('[', '.')[0] : "body";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{field} has the wrong type or the body is not valid JSON ({ex.Message})"] }, title: $"The request body is not valid: {field}.");
        }

        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send a JSON object with title, description, system, risk and requesterEmail."] });
        }

        if (!string.IsNullOrWhiteSpace(body.CallbackUrl) && callbacks.Problem(body.CallbackUrl) is { } callbackProblem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [NewChange.Fields.CallbackUrl] = [callbackProblem] }, title: "The change request is not valid: " + callbackProblem);
        }

        var result = await service.CreateAsync(body, http.AdminActor(), cancellationToken);
        if (result.Change is not { } change)
        {
            return TypedResults.ValidationProblem(result.Errors.ToDictionary(e => e.Key, e => new[] { e.Value }), title: "The change request is not valid: " + string.Join(" ", result.Errors.Values));
        }

        return TypedResults.Created($"/api/changes/{change.Id}", new ChangeCreated(change.Id, ChangeCards.StatusText(change.Status), change.MayProceed, [.. change.Approvers.Select(a => a.Person!.Email)]));
    }

    private static async Task<Results<Ok<ChangeStatusView>, NotFound>> GetAsync(int id, ChangeApprovalService service, CancellationToken cancellationToken) =>
        await service.LoadAsync(id, cancellationToken) is { } change ? TypedResults.Ok(change.AsStatus()) : TypedResults.NotFound();

    private static async Task<Results<Ok<ChangeStatusView>, NotFound, Conflict<ChangeStatusView>>> CancelAsync(int id, HttpContext http, ChangeApprovalService service, CancellationToken cancellationToken)
    {
        var result = await service.CancelAsync(id, http.AdminActor(), cancellationToken);
        return result switch
        {
            { Outcome: DecisionOutcome.NotFound } => TypedResults.NotFound(),
            { Outcome: DecisionOutcome.Recorded, Change: { } change } => TypedResults.Ok(change.AsStatus()),
            { Change: { } closed } => TypedResults.Conflict(closed.AsStatus()),
            _ => TypedResults.NotFound(),
        };
    }
}
