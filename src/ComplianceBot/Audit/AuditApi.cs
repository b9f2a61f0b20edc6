using ComplianceBot.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComplianceBot.Audit;

/// <summary>GET /api/admin/audit/verify: ok, how many events and checkpoints were checked, and every problem in words.</summary>
public sealed record AuditVerifyResponse(bool Ok, long Count, long? FirstBrokenSequence, int Checkpoints, long? LatestCheckpoint, IReadOnlyList<string> Problems);

/// <summary>GET /api/audit/signing-key: the public key exports and checkpoints are signed with (VERIFY.md, section 2).</summary>
public sealed record SigningKeyResponse(string Algorithm, string KeyId, string PublicKeyPem);

public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration("Audit");
        services.AddSingleton<AuditSigner>();
        services.AddSingleton<CheckpointFile>();
        services.AddScoped<AuditCheckpoints>();
        services.AddScoped<AuditVerifier>();
        services.AddScoped<Reminders.IReminderSubject, AuditCheckpointMessage>();
        services.AddHostedService<AuditCheckpointScheduler>();
        return services;
    }

    public static RouteGroupBuilder MapAuditAdmin(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/audit/signing-key", (AuditSigner signer) =>
            TypedResults.Ok(new SigningKeyResponse("ECDSA P-256 SHA-256 (IEEE P1363 r||s, hex)", signer.KeyId, signer.PublicKeyPem))).WithTags("Audit");

        var group = routes.MapGroup("/api/admin/audit").RequireAuthorization(ApiPolicies.Auditor).WithTags("Admin");
        group.MapGet("/verify", VerifyAsync);
        group.MapGet("/checkpoints", ListCheckpointsAsync);
        group.MapPost("/checkpoints", CreateCheckpointAsync).RequireAuthorization(ApiPolicies.Admin);
        return group;
    }

    private static async Task<Ok<AuditVerifyResponse>> VerifyAsync(AuditVerifier verifier, CancellationToken cancellationToken)
    {
        var result = await verifier.VerifyAsync(cancellationToken);
        return TypedResults.Ok(new AuditVerifyResponse(result.Ok, result.Count, result.FirstBrokenSequence, result.Checkpoints, result.LatestCheckpoint, result.Problems));
    }

    private static async Task<Ok<List<CheckpointLine>>> ListCheckpointsAsync(AuditCheckpoints checkpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok((await checkpoints.AllAsync(cancellationToken)).Checkpoints);

    /// <summary>Signs the current head now (the host also does so every Audit:CheckpointInterval and at every export).</summary>
    private static async Task<Results<Ok<CheckpointLine>, ProblemHttpResult>> CreateCheckpointAsync(AuditCheckpoints checkpoints, CancellationToken cancellationToken) =>
        await checkpoints.CreateAsync(cancellationToken) is { } checkpoint
            ? TypedResults.Ok(CheckpointLine.From(checkpoint))
            : TypedResults.Problem("The audit trail is empty; there is no head to sign.", statusCode: StatusCodes.Status409Conflict);
}
