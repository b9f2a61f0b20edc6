using System.Text;
using System.Text.Json;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.AccessReviews;

public sealed record CancelReview(string? Reason);

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
    string ImportProfile, string? ImportSettings, int RevokedGone, int RevokedStillPresent)
{
    /// <summary>When the accounts deferred at sign-off are to be decided (null: none were deferred).</summary>
    public DateOnly? FollowUpDue { get; init; }
}

public static class AccessReviewsApi
{
    public static IServiceCollection AddAccessReviews(this IServiceCollection services)
    {
        services.AddOptions<AccessReviewOptions>().BindConfiguration("AccessReviews");
        services.AddScoped<AccessReviewImporter>();
        services.AddScoped<AccountMarks>();
        services.AddScoped<AccessReviewService>();
        services.AddScoped<AccessReviewLifecycle>();
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
        group.MapGet("/{id:int}/preview", PreviewAsync);
        group.MapPut("/{id:int}/accounts", ReplaceAsync);
        group.MapPost("/{id:int}/start", StartAsync);
        group.MapPost("/{id:int}/cancel", CancelAsync);
        group.MapGet("/profiles", Profiles);
        group.MapAccountMarks();
        return group;
    }

    /// <summary>
    /// Imports a system's account export (text/csv) as a DRAFT review and answers with its preview; nobody is told yet. The
    /// profile is recognised from the header unless ?profile= names it; ?dateFormat=dmy|mdy states the date order; ?map= maps another export's columns.
    /// </summary>
    private static async Task<Results<Created<ReviewPreview>, ProblemHttpResult>> CreateAsync(
        string? system, string? period, string? reviewer, string? control, string? profile, string? dateFormat, string? map,
        [FromQuery(Name = "override")] string? overrideReason, HttpRequest request,
        AccessReviewImporter importer, ComplianceDbContext db, Evidence.IEvidenceStore store, IOptions<AccessReviewOptions> options, CancellationToken cancellationToken)
    {
        var (settings, invalid) = Settings(profile, dateFormat, map);
        if (invalid is not null)
        {
            return invalid;
        }

        var (csv, problem) = await ReadCsvAsync(request, options.Value.MaxImportBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var review = await importer.ImportAsync(system ?? "", period ?? "", reviewer, csv!, request.HttpContext.AdminActor(), cancellationToken, control, settings, overrideReason);
            // The account export itself is evidence: kept write-once under its SHA-256 (the review's SourceSha256) for the auditor export.
            await store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv!), writable: false), cancellationToken);
            return TypedResults.Created($"/api/admin/access-reviews/{review.Id}", await ReviewPreview.BuildAsync(db, review.Id, cancellationToken));
        }
        catch (AccessReviewImportException ex)
        {
            return Problem(ex);
        }
    }

    /// <summary>Counts, flags and binding of a review: what an admin checks before starting a draft.</summary>
    private static async Task<Results<Ok<ReviewPreview>, ProblemHttpResult>> PreviewAsync(int id, ComplianceDbContext db, CancellationToken cancellationToken) =>
        await db.AccessReviews.AnyAsync(r => r.Id == id, cancellationToken)
            ? TypedResults.Ok(await ReviewPreview.BuildAsync(db, id, cancellationToken))
            : TypedResults.Problem($"No access review {id}.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>A corrected export (text/csv) replaces a draft's accounts; ?profile=, ?dateFormat= and ?map= as on import.</summary>
    private static async Task<Results<Ok<ReviewPreview>, ProblemHttpResult>> ReplaceAsync(
        int id, string? profile, string? dateFormat, string? map, HttpRequest request,
        AccessReviewImporter importer, ComplianceDbContext db, Evidence.IEvidenceStore store, IOptions<AccessReviewOptions> options, CancellationToken cancellationToken)
    {
        var (settings, invalid) = Settings(profile, dateFormat, map);
        if (invalid is not null)
        {
            return invalid;
        }

        var (csv, problem) = await ReadCsvAsync(request, options.Value.MaxImportBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            await importer.ReplaceAsync(id, csv!, request.HttpContext.AdminActor(), cancellationToken, settings);
            await store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv!), writable: false), cancellationToken);
            return TypedResults.Ok(await ReviewPreview.BuildAsync(db, id, cancellationToken));
        }
        catch (AccessReviewImportException ex)
        {
            return Problem(ex);
        }
    }

    /// <summary>Binds the draft to the named control and reviewer and starts it: the reviewer gets the DM.</summary>
    private static async Task<Results<Ok<ReviewPreview>, ProblemHttpResult>> StartAsync(
        int id, StartReview body, HttpContext http, AccessReviewLifecycle lifecycle, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await lifecycle.StartAsync(id, body, http.AdminActor(), cancellationToken);
            return TypedResults.Ok(await ReviewPreview.BuildAsync(db, id, cancellationToken));
        }
        catch (AccessReviewImportException ex)
        {
            return Problem(ex);
        }
    }

    /// <summary>Cancels a draft, or a started review with a reason; the review stays on record.</summary>
    private static async Task<Results<Ok<ReviewPreview>, ProblemHttpResult>> CancelAsync(
        int id, CancelReview? body, HttpContext http, AccessReviewLifecycle lifecycle, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await lifecycle.CancelAsync(id, body?.Reason, http.AdminActor(), cancellationToken);
            return TypedResults.Ok(await ReviewPreview.BuildAsync(db, id, cancellationToken));
        }
        catch (AccessReviewImportException ex)
        {
            return Problem(ex);
        }
    }

    private static ProblemHttpResult Problem(AccessReviewImportException ex) => ex switch
    {
        { NotFound: true } => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound),
        { Conflict: true } => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict),
        _ => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["problems"] = ex.Problems }),
    };

    /// <summary>What the request says about the file; a malformed ?map= or an unknown ?profile= is a 400.</summary>
    private static (ExportSettings? Settings, ProblemHttpResult? Problem) Settings(string? profile, string? dateFormat, string? map)
    {
        try
        {
            return (ExportSettings.From(profile, dateFormat, map), null);
        }
        catch (FormatException ex)
        {
            return (null, TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest));
        }
    }

    /// <summary>The body as UTF-8 CSV text, refused (with a problem) when it is not CSV, too large or not UTF-8.</summary>
    private static async Task<(string? Csv, ProblemHttpResult? Problem)> ReadCsvAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/csv" or "text/plain"))
        {
            return (null, TypedResults.Problem($"Send the accounts as text/csv (got {mediaType ?? "no content type"}).", statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        var tooLarge = TypedResults.Problem(TooLarge(maxBytes), statusCode: StatusCodes.Status413PayloadTooLarge);
        if (request.ContentLength > maxBytes)
        {
            return (null, tooLarge);
        }

        // Content-Length is only a claim (a chunked body has none): the cap is enforced on the bytes as they are read.
        using var bytes = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (bytes.Length + read > maxBytes)
            {
                return (null, tooLarge);
            }

            bytes.Write(chunk, 0, read);
        }

        try
        {
            var csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            return (csv.Length > 0 && csv[0] == '\uFEFF' ? csv[1..] : csv, null);
        }
        catch (DecoderFallbackException)
        {
            return (null, TypedResults.Problem("The CSV is not valid UTF-8; export it as UTF-8.", statusCode: StatusCodes.Status400BadRequest));
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
            review.ImportProfile, review.ImportSettings, review.RevokedGoneCount, review.RevokedStillPresentCount) { FollowUpDue = review.FollowUpDue });
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
