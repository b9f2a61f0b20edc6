using System.Text;
using System.Text.Json;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.AccessReviews;

public sealed record CreatedReview(int Id, int Accounts, int New, int Flagged, int Removed, string Reviewer, DateOnly DueDate);

/// <summary>A review in the admin listing, with its progress: decided (keep/revoke) and undecided accounts, open revocations, days to due (negative: overdue).</summary>
public sealed record ReviewSummary(
    int Id, string System, string Period, string? ControlId, string Reviewer, DateOnly DueDate, string Status, int Accounts, int Removed,
    int Decided, int Undecided, int OpenRevocations, int DaysToDue);

public sealed record ReviewItemDto(
    string AccountId, string DisplayName, string Email, string Role, DateTimeOffset? LastLogin, JsonElement Entitlements, string Change,
    IReadOnlyList<string> Flags, string Decision, string? Reason, string? DecidedBy, DateTimeOffset? DecidedAt, string AssignedTo,
    IReadOnlyList<string> Groups, IReadOnlyList<string> AdminRoles, bool? Mfa, string? KeyStatus, string? AccountStatus, bool AccountEnabled,
    string? LastActivitySource, string? ChangeSummary, string? Person, string? MatchedBy, string? Mark, string? Owner);

/// <summary>An import profile and the columns that recognise it (each with the names it accepts).</summary>
public sealed record ImportProfileDto(string Name, string Title, IReadOnlyList<IReadOnlyList<string>> Columns, IReadOnlyList<string> ActivityColumns);

public sealed record RevocationDto(string AccountId, string Assignee, DateOnly DueDate, bool Done, string? ConfirmedBy, DateTimeOffset? ConfirmedAt, string? Note);

public sealed record ReviewDetail(
    int Id, string System, string Period, string? ControlId, int? TaskId, string Reviewer, DateOnly DueDate, string Status, int Accounts, int Decided,
    int Removed, IReadOnlyList<string> RemovedAccounts, string SourceSha256, DateTimeOffset? SignedOffAt, string? SignOffStatement,
    DateTimeOffset? CompletedAt, string? ReportSha256, IReadOnlyList<RevocationDto> Revocations, IReadOnlyList<ReviewItemDto> Items,
    string ImportProfile, string? ImportSettings, int RevokedGone, int RevokedStillPresent);

public static class AccessReviewsApi
{
    public static IServiceCollection AddAccessReviews(this IServiceCollection services)
    {
        services.AddOptions<AccessReviewOptions>().BindConfiguration("AccessReviews");
        services.AddScoped<AccessReviewImporter>();
        services.AddScoped<AccountMarks>();
        services.AddScoped<AccessReviewService>();
        services.AddScoped<AccessReviewReport>();
        services.AddScoped<IFlow, AccessReviewFlow>();
        services.AddScoped<Export.IExportContributor, AccessReviewExportContributor>();
        services.AddScoped<AccessReviewReminders>();
        services.AddScoped<Attestations.ITaskAttestationPolicy, AccessReviewAttestationPolicy>();
        services.AddScoped<Reminders.IReminderSubject>(sp => sp.GetRequiredService<AccessReviewReminders>());
        services.AddSingleton(new HelpTopic(30, "access reviews", "quarterly user-access reviews waiting for you: keep or revoke each account, then sign off",
            new ReplyAction(AccessReviewFlow.ListAction, "Access reviews")));
        return services;
    }

    public static RouteGroupBuilder MapAccessReviewsAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/access-reviews").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:int}", GetAsync);
        group.MapGet("/{id:int}/report", ReportAsync);
        group.MapGet("/profiles", Profiles);
        group.MapAccountMarks();
        return group;
    }

    /// <summary>
    /// Imports a system's account export (text/csv) as a new review and tells the reviewer. The profile is recognised from
    /// the header unless ?profile= names it; ?dateFormat=dmy|mdy states the date order; ?map= maps another export's columns.
    /// </summary>
    private static async Task<Results<Created<CreatedReview>, ProblemHttpResult>> CreateAsync(
        string? system, string? period, string? reviewer, string? control, string? profile, string? dateFormat, string? map,
        HttpRequest request, AccessReviewImporter importer, ComplianceDbContext db, Evidence.IEvidenceStore store, IOptions<AccessReviewOptions> options,
        CancellationToken cancellationToken)
    {
        ExportSettings settings;
        try
        {
            settings = ExportSettings.From(profile, dateFormat, map);
        }
        catch (FormatException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        var maxBytes = options.Value.MaxImportBytes;
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/csv" or "text/plain"))
        {
            return TypedResults.Problem($"Send the accounts as text/csv (got {mediaType ?? "no content type"}).", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > maxBytes)
        {
            return TypedResults.Problem(TooLarge(maxBytes), statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        // Content-Length is only a claim (a chunked body has none): the cap is enforced on the bytes as they are read.
        using var bytes = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (bytes.Length + read > maxBytes)
            {
                return TypedResults.Problem(TooLarge(maxBytes), statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            bytes.Write(chunk, 0, read);
        }

        string csv;
        try
        {
            csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            csv = csv.Length > 0 && csv[0] == '\uFEFF' ? csv[1..] : csv;
        }
        catch (DecoderFallbackException)
        {
            return TypedResults.Problem("The CSV is not valid UTF-8; export it as UTF-8.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var review = await importer.ImportAsync(system ?? "", period ?? "", reviewer, csv, request.HttpContext.AdminActor(), cancellationToken, control, settings);
            // The account export itself is evidence: kept write-once under its SHA-256 (the review's SourceSha256) for the auditor export.
            await store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv), writable: false), cancellationToken);
            var counts = await db.Set<AccessReviewItem>().Where(i => i.ReviewId == review.Id)
                .GroupBy(i => 1)
                .Select(g => new { New = g.Count(i => i.Change == AccountChange.New), Flagged = g.Count(i => i.Flags != AccountFlags.None) })
                .SingleAsync(cancellationToken);
            var reviewerEmail = await db.People.Where(p => p.Id == review.ReviewerId).Select(p => p.Email).SingleAsync(cancellationToken);
            return TypedResults.Created($"/api/admin/access-reviews/{review.Id}",
                new CreatedReview(review.Id, review.AccountCount, counts.New, counts.Flagged, review.RemovedCount, reviewerEmail, review.DueDate));
        }
        catch (AccessReviewImportException ex) when (ex.Conflict)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (AccessReviewImportException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["problems"] = ex.Problems });
        }
    }

    /// <summary>Reviews, newest period first, each with its progress from the status layer (decided/undecided, open revocations, days to due).</summary>
    private static async Task<Ok<List<ReviewSummary>>> ListAsync(ComplianceDbContext db, ProgramStatus.ProgramStatusQuery status, string? system, string? period, CancellationToken cancellationToken)
    {
        var query = db.Set<AccessReview>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(system))
        {
            query = query.Where(r => r.SystemName == system);
        }

        if (!string.IsNullOrWhiteSpace(period))
        {
            query = query.Where(r => r.Period == period);
        }

        var rows = await query.OrderByDescending(r => r.Period).ThenBy(r => r.SystemName)
            .Select(r => new { r.Id, r.SystemName, r.Period, r.ControlId, r.Reviewer!.Email, r.DueDate, Status = r.Status.ToString(), r.AccountCount, r.RemovedCount })
            .Take(500).ToListAsync(cancellationToken);
        var progress = (await status.ProgressAsync([.. rows.Select(r => r.Id)], cancellationToken)).ToDictionary(p => p.Id);
        return TypedResults.Ok(rows.Select(r => (r, p: progress[r.Id])).Select(x => new ReviewSummary(
            x.r.Id, x.r.SystemName, x.r.Period, x.r.ControlId, x.r.Email, x.r.DueDate, x.r.Status, x.r.AccountCount, x.r.RemovedCount,
            x.p.Decided, x.p.Undecided, x.p.OpenRevocations, x.p.DaysToDue)).ToList());
    }

    /// <summary>The review with its items (accountId, decision, flags…); <paramref name="skip"/>/<paramref name="take"/> page large reviews.</summary>
    private static async Task<Results<Ok<ReviewDetail>, ProblemHttpResult>> GetAsync(int id, int? skip, int? take, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().AsNoTracking().Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null)
        {
            return TypedResults.Problem($"No access review {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        var items = db.Set<AccessReviewItem>().AsNoTracking().Where(i => i.ReviewId == id);
        var rows = await items.OrderBy(i => i.SortGroup).ThenBy(i => i.AccountId).Skip(Math.Max(0, skip ?? 0)).Take(Math.Clamp(take ?? 10_000, 1, 10_000))
            .Select(i => new
            {
                i.AccountId, i.DisplayName, i.Email, i.Role, i.LastLogin, i.Entitlements, i.Change, i.Flags, i.Decision, i.Reason,
                DecidedBy = i.DecidedBy == null ? null : i.DecidedBy.Email, i.DecidedAt, AssignedTo = i.Assignee!.Email,
                i.Groups, i.AdminRoles, i.Mfa, i.KeyStatus, i.AccountStatus, i.AccountEnabled, i.LastActivitySource, i.ChangeSummary, i.MatchedBy, i.Mark,
                Person = db.People.Where(p => p.Id == i.PersonId).Select(p => p.Email).FirstOrDefault(),
                Owner = db.People.Where(p => p.Id == i.OwnerId).Select(p => p.Email).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var decided = await items.CountAsync(i => i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke, cancellationToken);
        var removed = review.PreviousReviewId is not { } previousId ? [] : await db.Set<AccessReviewItem>().AsNoTracking()
            .Where(p => p.ReviewId == previousId && !db.Set<AccessReviewItem>().Any(c => c.ReviewId == id && c.AccountId == p.AccountId))
            .OrderBy(p => p.AccountId).Select(p => p.AccountId).ToListAsync(cancellationToken);
        var revocations = await db.Set<AccessRevocation>().AsNoTracking().Where(r => r.ReviewId == id).OrderBy(r => r.Item!.AccountId)
            .Select(r => new RevocationDto(r.Item!.AccountId, r.Assignee!.Email, r.DueDate, r.ConfirmedAt != null, r.ConfirmedBy == null ? null : r.ConfirmedBy.Email, r.ConfirmedAt, r.Note))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new ReviewDetail(
            review.Id, review.SystemName, review.Period, review.ControlId, review.TaskId, review.Reviewer!.Email, review.DueDate, review.Status.ToString(),
            review.AccountCount, decided, review.RemovedCount, removed, review.SourceSha256, review.SignedOffAt, review.SignOffStatement, review.CompletedAt,
            review.ReportSha256, revocations,
            [.. rows.Select(i => new ReviewItemDto(i.AccountId, i.DisplayName, i.Email, i.Role, i.LastLogin, JsonDocument.Parse(i.Entitlements).RootElement.Clone(),
                i.Change.ToString().ToLowerInvariant(), FlagList(i.Flags), i.Decision.ToString().ToLowerInvariant(), i.Reason, i.DecidedBy, i.DecidedAt, i.AssignedTo,
                JsonSerializer.Deserialize<List<string>>(i.Groups) ?? [], JsonSerializer.Deserialize<List<string>>(i.AdminRoles) ?? [], i.Mfa, i.KeyStatus, i.AccountStatus,
                i.AccountEnabled, i.LastActivitySource, i.ChangeSummary, i.Person, i.MatchedBy, AccountMarks.Describe(i.Mark), i.Owner))],
            review.ImportProfile, review.ImportSettings, review.RevokedGoneCount, review.RevokedStillPresentCount));
    }

    /// <summary>The review report as CSV: the stored evidence once complete, else a preview of the current state.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ReportAsync(int id, ComplianceDbContext db, AccessReviewReport report, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null)
        {
            return TypedResults.Problem($"No access review {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        var bytes = await report.ReadStoredAsync(review, cancellationToken) ?? await report.BuildAsync(review, cancellationToken);
        return TypedResults.File(bytes, "text/csv; charset=utf-8", AccessReviewReport.FileName(review));
    }

    /// <summary>The import profiles, so an admin can see which columns each recognises before exporting.</summary>
    private static Ok<List<ImportProfileDto>> Profiles() =>
        TypedResults.Ok(AccountExport.Profiles.Select(p => new ImportProfileDto(p.Name, p.Title, [.. p.Signature.Select(s => (IReadOnlyList<string>)s)], p.ActivityColumns)).ToList());

    private static string TooLarge(long maxBytes) =>
        $"The CSV is larger than {(maxBytes >= 1024 * 1024 ? $"{maxBytes / 1024 / 1024} MB" : $"{maxBytes / 1024} KB")}; nothing was imported. Split the export or raise AccessReviews:MaxImportBytes.";

    private static List<string> FlagList(AccountFlags flags) =>
        [.. Enum.GetValues<AccountFlags>().Where(f => f != AccountFlags.None && flags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant())];
}
